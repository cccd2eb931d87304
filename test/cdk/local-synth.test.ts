/** What runs locally is what is deployed: the local system synthesizes the same template and definition. */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { synthesisInputs, synthesizeForLocal } from '../../local/synth.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
import { STATE_MACHINE_NAME, synthesizedDefinition, template } from './synth.ts';

describe('local synthesis', () => {
  it('has the same resources and the same state machine definition as the CDK app with cdk.json', async () => {
    // Prepare
    const deployed = template.toJSON() as { Resources: Record<string, { Type: string; Properties?: unknown }> };

    // Act
    const local = await synthesizeForLocal({ cache: false });

    // Assess
    const shape = (t: { Resources: Record<string, { Type: string; Properties?: unknown }> }) =>
      Object.fromEntries(Object.entries(t.Resources).map(([id, r]) => [id, { type: r.Type, properties: r.Properties }]));
    expect(shape(local.template as never)).toEqual(shape(deployed));
    expect(local.stateMachines.map((m) => m.name).sort()).toEqual([STATE_MACHINE_NAME, `${STATE_MACHINE_NAME.replace(/-GuestLifecycle$/, '')}-O2Lifecycle`].sort());
    expect(local.stateMachines.find((m) => m.name === STATE_MACHINE_NAME)!.definition).toEqual(synthesizedDefinition().definition);
  });

  it('is cached on disk under a hash of every input, and the cached template is the synthesized one', async () => {
    // Act: a fresh synthesis writes the cache; a second read takes it from there
    const fresh = await synthesizeForLocal({ cache: false });
    const file = join(ROOT, 'node_modules', '.cache', 'hms-guest-accounts', `template-${synthesisInputs()}.json`);

    // Assess
    expect(existsSync(file)).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(fresh.template);
    expect((await synthesizeForLocal()).template).toEqual(fresh.template);
  });

  it('has a cache key that changes with the sources of the stack', () => {
    // Prepare: one more input of the synthesis (an empty JSON file beside the stack), removed afterwards
    const before = synthesisInputs();
    const probe = join(ROOT, 'infra', `.probe-${process.pid}.json`);
    try {
      writeFileSync(probe, '{}');
      // Act
      const after = synthesisInputs();
      // Assess
      expect(after).not.toBe(before);
    } finally {
      rmSync(probe, { force: true });
    }
    expect(synthesisInputs()).toBe(before);
  });
});
