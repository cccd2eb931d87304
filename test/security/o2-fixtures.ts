/**
 * O2 fixtures for the HTTP tests (test/security/o2-*.test.ts, test/handlers/o2.test.ts): the deployed
 * API handler (functions/api.ts) on an in-memory world (test/support/memory.ts) holding one
 * off-Quad lab and the people around an O2 account of it — its user, the sponsoring PI, the lab's
 * PI, a lab manager, a core administrator, RC Core staff, HMS IT and a PI of another lab — and O2
 * accounts written straight into the store in the status an action needs (so that a refusal is
 * about who asks, never about the state). Every answer is held to the OpenAPI document
 * (test/support/contract.ts).
 */
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { expect } from 'vitest';
import { handler as api } from '../../functions/api.ts';
import { setRuntimeDeps } from '../../functions/runtime.ts';
import { loadConfig } from '../../shared/config.ts';
import type { Person } from '../../shared/core/domain/people.ts';
import type { Lab, O2Account, O2Status } from '../../shared/o2/domain/model.ts';
import { o2ExecutionInput, o2ExecutionName } from '../../shared/o2/app/contract.ts';
import { checkRouteAnswer } from '../support/contract.ts';
import { memoryWorld, type MemoryWorld } from '../support/memory.ts';

export const NOW = '2027-01-04T14:00:00.000Z';
const ctx = { functionName: 'api', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
const ENV = { GUESTS_TABLE: 'Guests', DIRECTORY_TABLE: 'Directory', STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:111111111111:stateMachine:GuestLifecycle', O2_TABLE: 'O2', O2_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:111111111111:stateMachine:O2Lifecycle' };

export const HUIDS = {
  user: '30000001',
  sponsor: '30000002',
  labPi: '30000003',
  labManager: '30000004',
  coreAdmin: '30000005',
  rcCore: '30000006',
  hmsIt: '30000007',
  otherPi: '30000008',
} as const;
export type Who = keyof typeof HUIDS;
export const WHO = Object.keys(HUIDS) as Who[];
export const IT_ROLE = 'hms-it';
/** The user's HMS account ID (the O2 login) and the last day of their HMS appointment. */
export const USER_ACCOUNT = 'uo123';
export const USER_END = '2027-03-31';
export const LAB_ID = '00000000-0000-4000-8000-00000000a001';
export const OTHER_LAB_ID = '00000000-0000-4000-8000-00000000a002';

const quadAppointment = { department: 'Genetics', quad: true, kind: 'primary' as const };
const clinical = { department: 'Medicine (MGH)', quad: false, kind: 'primary' as const };

export const PEOPLE: Person[] = [
  { huid: HUIDS.user, name: 'Uma User', email: 'uma.user@hms.harvard.edu', role: 'staff', school: 'HMS', site: 'MGH', active: true, hmsAccountId: USER_ACCOUNT, endDate: USER_END },
  // The sponsoring PI of the O2 accounts: a manager of Lin's lab (rule "O2: sponsoring PI": the lab's PI or a manager sponsors).
  { huid: HUIDS.sponsor, name: 'Sol Sponsor', email: 'sol.sponsor@hms.harvard.edu', role: 'faculty', school: 'HMS', site: 'MGH', active: true, appointments: [clinical], hmsAccountId: 'sso300', groups: [`lab-manager:${HUIDS.labPi}`] },
  { huid: HUIDS.labPi, name: 'Lin LabPi', email: 'lin.labpi@mgh.harvard.edu', role: 'faculty', school: 'HMS', site: 'MGH', active: true, appointments: [clinical], hmsAccountId: 'lla300' },
  { huid: HUIDS.labManager, name: 'Max Manager', email: 'max.manager@mgh.harvard.edu', role: 'staff', school: 'HMS', site: 'MGH', active: true, groups: [`lab-manager:${HUIDS.labPi}`] },
  { huid: HUIDS.coreAdmin, name: 'Cai CoreAdmin', email: 'cai.coreadmin@mgh.harvard.edu', role: 'staff', school: 'HMS', site: 'MGH', active: true, groups: [`core-admin:${HUIDS.labPi}`] },
  { huid: HUIDS.rcCore, name: 'Rhea RcCore', email: 'rhea.rccore@hms.harvard.edu', role: 'staff', school: 'HMS', site: 'Quad', active: true, groups: ['rc-core'] },
  { huid: HUIDS.hmsIt, name: 'Ira ItStaff', email: 'ira.itstaff@hms.harvard.edu', role: 'staff', school: 'HMS', site: 'Quad', active: true },
  { huid: HUIDS.otherPi, name: 'Oz OtherPi', email: 'oz.otherpi@hms.harvard.edu', role: 'faculty', school: 'HMS', site: 'Quad', active: true, appointments: [quadAppointment], hmsAccountId: 'oot300' },
];

export const callerOf = (who: Who) => ({ huid: HUIDS[who], roles: who === 'hmsIt' ? [IT_ROLE] : [] });

/** An off-Quad lab at MGH (its PI's appointment is clinical), waiting for its RC Core registration. */
export function labFixture(over: Partial<Lab> = {}): Lab {
  const lab: Lab = {
    labId: LAB_ID,
    name: 'Lin Lab',
    piHuid: HUIDS.labPi,
    institution: 'MGH',
    quad: { onQuad: false, reason: 'Off-Quad: the lab is at MGH, an HMS affiliated institution; it registers with the HMS Research Computing Core (rccore@hms.harvard.edu) first.' },
    registration: { status: 'pending' },
    createdBy: HUIDS.labPi,
    createdAt: '2027-01-02T14:00:00.000Z',
    updatedAt: '2027-01-02T14:00:00.000Z',
    version: 1,
    ...over,
  };
  lab.lastAudit = { kind: 'lab', id: lab.labId, seq: 1, at: lab.createdAt, actor: lab.createdBy, action: 'created', after: { name: lab.name, piHuid: lab.piHuid, institution: lab.institution, registration: lab.registration, createdBy: lab.createdBy }, detail: { quad: lab.quad.onQuad ? 'on-Quad' : 'off-Quad' } };
  return lab;
}

/** The states the actions need, as the lifecycle leaves them. */
export type O2Fixture = 'pending-approval' | 'pending-rc-core' | 'active' | 'expired';

let n = 0;
/** An O2 account of the user in the lab, sponsored by the sponsoring PI, in `kind`'s state, stored with its running execution. */
export async function o2Fixture(w: MemoryWorld, kind: O2Fixture, over: Partial<O2Account> = {}): Promise<O2Account> {
  const o2AccountId = `00000000-0000-4000-8000-${String(0xb00000 + ++n).padStart(12, '0')}`;
  const status: O2Status = { 'pending-approval': 'PENDING_PI_APPROVAL', 'pending-rc-core': 'PENDING_RC_CORE', active: 'ACTIVE', expired: 'EXPIRED' }[kind] as O2Status;
  const approved = { decision: 'approve' as const, by: HUIDS.sponsor, at: '2027-01-03T14:00:00.000Z' };
  const o2: O2Account = {
    o2AccountId,
    status,
    userHuid: HUIDS.user,
    userName: 'Uma User',
    userEmail: 'uma.user@hms.harvard.edu',
    piHuid: HUIDS.sponsor,
    labId: LAB_ID,
    labPiHuid: HUIDS.labPi,
    requestedBy: HUIDS.user,
    accountId: USER_ACCOUNT,
    quad: labFixture().quad,
    createdAt: '2027-01-03T14:00:00.000Z',
    updatedAt: '2027-01-03T15:00:00.000Z',
    version: 3,
    execution: { name: o2ExecutionName(o2AccountId, 1), generation: 1 },
    ...(kind === 'pending-approval' ? { taskToken: `token-approval-${n}`, waitingFor: 'approval' as const, approvalRequestedAt: '2027-01-03T14:00:00.000Z', dueAt: '2027-01-10T14:00:00.000Z' } : {}),
    ...(kind === 'pending-rc-core' ? { approval: approved, taskToken: `token-rc-core-${n}`, waitingFor: 'rc-core' as const, rcCoreRequestedAt: '2027-01-03T15:00:00.000Z', dueAt: '2027-01-06T14:00:00.000Z' } : {}),
    ...(kind === 'active'
      ? { approval: approved, posix: { uidNumber: 300_123, homeDirectory: `/home/${USER_ACCOUNT}` }, activatedAt: '2027-01-03T15:00:00.000Z', endDate: USER_END, completion: { by: HUIDS.rcCore, at: '2027-01-03T15:00:00.000Z', unixUsername: USER_ACCOUNT } }
      : {}),
    ...(kind === 'expired' ? { approval: approved, activatedAt: '2026-01-03T15:00:00.000Z', endDate: '2027-01-01', expiredAt: '2027-01-02T05:00:00.000Z' } : {}),
    ...over,
  };
  o2.lastAudit = { kind: 'o2', id: o2AccountId, seq: o2.version, at: o2.updatedAt, actor: 'workflow', action: 'fixture', after: { status } };
  await w.o2.create(o2);
  await w.o2.appendAudit([{ kind: 'o2', id: o2AccountId, seq: 1, at: o2.createdAt, actor: HUIDS.user, action: 'requested', after: { status: 'PENDING_PI_APPROVAL', userHuid: HUIDS.user, taskToken: '[redacted]', userEmail: 'uma.user@hms.harvard.edu' } }]);
  await w.o2.claimUser(HUIDS.user, { guestId: o2AccountId, claimedAt: o2.createdAt }, await w.o2.userClaim(HUIDS.user));
  await w.o2Workflow.start(o2.execution!.name, o2ExecutionInput(o2AccountId));
  return o2;
}

/** A world with the people, the lab (and a lab of another PI), the user's HMS account in the account directory; the API handler wired to it. */
export async function o2World(): Promise<MemoryWorld> {
  // The user's Harvard Sponsored Role: keeping the account on leaving HMS needs one (rule "Leaving HMS").
  const w = memoryWorld(NOW, { people: PEOPLE, hsr: [{ huid: HUIDS.user, firstName: 'Uma', lastName: 'User', personalEmail: 'uma.user@example.org', status: 'active', endDate: '2030-12-31' }] });
  setRuntimeDeps({ config: loadConfig(ENV), deps: w.deps });
  await w.o2.createLab(labFixture());
  await w.o2.createLab(labFixture({ labId: OTHER_LAB_ID, name: 'Oz Lab', piHuid: HUIDS.otherPi, createdBy: HUIDS.otherPi, institution: 'HMS', quad: { onQuad: true, reason: 'On-Quad.' }, registration: { status: 'not-required' } }));
  await w.accounts.create({ userName: USER_ACCOUNT, externalId: HUIDS.user, givenName: 'Uma', familyName: 'User', email: 'uma.user@hms.harvard.edu', active: true, endDate: USER_END, population: 'hms-staff', sponsorHuid: '' });
  return w;
}

export function clearRuntime(): void {
  setRuntimeDeps(undefined);
}

export interface Call {
  /** Path parameters, by name. */
  path?: Record<string, string>;
  query?: Record<string, string>;
  /** A JSON body (a string is sent as it is). */
  body?: unknown;
  ifMatch?: string;
  headers?: Record<string, string>;
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  /** The JSON body. */
  body: Record<string, unknown>;
}

/** One request to the deployed handler as API Gateway would hand it over (payload v2, verified claims), its answer held to the OpenAPI document. */
export async function call(who: Who | { huid: string; roles: string[] } | null, routeKey: string, opts: Call = {}): Promise<Reply> {
  const caller = who === null ? null : typeof who === 'string' ? callerOf(who) : who;
  const [method, path] = routeKey.split(' ') as [string, string];
  const rawPath = path.replace(/\{(\w+)\}/g, (_, name: string) => opts.path?.[name] ?? `{${name}}`);
  const headers: Record<string, string> = { ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(opts.ifMatch !== undefined ? { 'if-match': opts.ifMatch } : {}), ...opts.headers };
  const event = {
    version: '2.0',
    routeKey,
    rawPath,
    headers,
    body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
    isBase64Encoded: false,
    pathParameters: opts.path,
    queryStringParameters: opts.query,
    requestContext: {
      requestId: 'r1',
      routeKey,
      http: { method, path: rawPath, sourceIp: '127.0.0.1' },
      ...(caller ? { authorizer: { jwt: { claims: { huid: caller.huid, hms_roles: `[${caller.roles.join(' ')}]` }, scopes: null } } } : {}),
    },
  };
  const out = (await api(event as never, ctx)) as APIGatewayProxyStructuredResultV2;
  const replyHeaders = (out.headers ?? {}) as Record<string, string>;
  const reply = { status: out.statusCode ?? 200, headers: replyHeaders, body: out.body ? (JSON.parse(out.body) as Record<string, unknown>) : {} };
  checkRouteAnswer(routeKey, { status: reply.status, headers: replyHeaders, body: out.body ?? '' });
  return reply;
}

/** Everything the world holds that a request could change: the stores, the mail, the executions, the account directory. */
export function worldState(w: MemoryWorld): string {
  const sorted = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify({
    labs: sorted(w.o2.labs),
    accounts: sorted(w.o2.accounts),
    audit: sorted(w.o2.audit),
    uids: [...w.o2.uids.entries()],
    claims: sorted(w.o2.claims),
    guests: sorted(w.guests.guests),
    guestAudit: sorted(w.guests.audit),
    guestClaims: sorted(w.guests.claims),
    mail: w.mailer.sent,
    executions: sorted(w.workflow.executions),
    o2Executions: sorted(w.o2Workflow.executions),
    resumed: w.o2Workflow.resumed,
    directory: [...w.accounts.users.values()].map((u) => w.accounts.user(u.userName)),
    directoryCalls: w.accounts.calls,
  });
}

/** A problem+json answer with this status. */
export function expectProblem(res: Reply, status: number): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers['content-type']).toBe('application/problem+json');
  expect(res.body.status).toBe(status);
}
