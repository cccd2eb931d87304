/** What runs locally is what is deployed: the local system synthesizes the same template and definition. */
import { describe, expect, it } from 'vitest';
import { synthesizeForLocal } from '../../local/synth.ts';
import { synthesizedDefinition, template } from './synth.ts';

describe('local synthesis', () => {
  it('has the same resources and the same state machine definition as the CDK app with cdk.json', async () => {
    // Prepare
    const deployed = template.toJSON() as { Resources: Record<string, { Type: string; Properties?: unknown }> };

    // Act
    const local = await synthesizeForLocal();

    // Assess
    const shape = (t: { Resources: Record<string, { Type: string; Properties?: unknown }> }) =>
      Object.fromEntries(Object.entries(t.Resources).map(([id, r]) => [id, { type: r.Type, properties: r.Properties }]));
    expect(shape(local.template as never)).toEqual(shape(deployed));
    expect(local.definition).toEqual(synthesizedDefinition().definition);
  });
});
