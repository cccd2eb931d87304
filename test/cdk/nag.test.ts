import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './build.ts';

/** Every acknowledgement recorded in the tree: where, which rule, why. */
function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>))
      .map(([id, reason]) => ({ path: c.node.path, id: id.replace(/^annotation::/i, ''), reason })),
  );
}

describe('cdk-nag AwsSolutions', () => {
  let built: ReturnType<typeof buildApp>;
  let pack: AwsSolutionsChecks;
  let synthError: unknown;

  beforeAll(() => {
    built = buildApp();
    pack = new AwsSolutionsChecks(built.app);
    // As infra/app.ts does: cdk-nag 3 is a policy validation plugin; a finding fails the synth.
    Validations.of(built.app).addPlugins(pack);
    try {
      built.app.synth();
    } catch (err) {
      synthError = err;
    }
  });
  afterAll(() => built.cleanup());

  it('reports no unacknowledged error or warning', () => {
    const violations = pack
      .validateScope(built.app)
      .violations.map((v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(violations).toEqual([]);
    expect(synthError).toBeUndefined();
  });

  it('acknowledges findings on resources only, each with a concrete reason', () => {
    const acks = acknowledgements(built.app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.path, `${ack.id} acknowledged on the whole stack`).toMatch(/^GuestAccounts\/.+/);
      expect(ack.reason.length, `${ack.path} ${ack.id}`).toBeGreaterThan(40);
    }
    // No rule is waived wholesale: IAM5 only for named wildcard resources.
    for (const ack of acks.filter((a) => a.id.startsWith('AwsSolutions-IAM5'))) {
      expect(ack.id).toMatch(/^AwsSolutions-IAM5\[Resource::.+\]$/);
    }
    expect(acks.map((a) => a.id.replace(/\[.*$/, '')).sort()).toEqual(
      expect.arrayContaining(['AwsSolutions-APIG4', 'AwsSolutions-IAM5', 'AwsSolutions-SQS3']),
    );
    for (const ack of acks.filter((a) => a.id === 'AwsSolutions-APIG4')) {
      expect(ack.path).toMatch(/POST--v1--activate|GET--openapi\.json/);
    }
  });
});
