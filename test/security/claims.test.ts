/**
 * Who the caller is, from the claims as API Gateway's JWT authorizer passes them: every value a
 * string, arrays flattened to "[a b]". The role comes from the dedicated role claim only, as exact
 * known names; a group name that only contains the role, or a list that cannot be told apart from
 * one, grants nothing. The local gateway hands claims over in the same string form.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { callerFrom, claimValues, type ApiEvent, type ClaimNames } from '../../shared/http/api.ts';
import { createApiServer, gatewayClaims } from '../../local/api-server.ts';
import { LocalClock } from '../../local/clock.ts';
import { LocalIdentityProvider } from '../../local/identity.ts';

const NAMES: ClaimNames = { huidClaim: 'huid', rolesClaim: 'hms_roles', hmsItRole: 'hms-it' };
const eventWith = (claims: Record<string, unknown>) => ({ requestContext: { authorizer: { jwt: { claims, scopes: null } } } }) as unknown as ApiEvent;

describe('claims as API Gateway passes them', () => {
  it.each([
    ['a string', 'hms-it', ['hms-it']],
    ['an array of one', '[hms-it]', ['hms-it']],
    ['an array of two', '[hms-it other]', ['hms-it', 'other']],
    ['an empty array', '[]', []],
    ['an array with an empty element, kept as it is', '[hms-it ]', ['hms-it', '']],
    ['an array with a padded element, kept as it is', '[ hms-it]', ['', 'hms-it']],
    ['an empty string', '', []],
    ['a number (never sent as one)', 5, []],
  ])('%s: %j → %j', (_case, raw, values) => {
    expect(claimValues(raw)).toEqual(values);
  });
});

describe('callerFrom: the role comes from the dedicated claim, as exact known names', () => {
  it.each([
    ['the role alone', { hms_roles: 'hms-it' }, ['hms-it']],
    ['the role in an array', { hms_roles: '[hms-it]' }, ['hms-it']],
    ['no role claim', {}, []],
    ['a group named "my lab hms-it" in the role claim', { hms_roles: '[my lab hms-it]' }, []],
    ['a group named "x,hms-it"', { hms_roles: '[x,hms-it]' }, []],
    ['"x,hms-it" as a string', { hms_roles: 'x,hms-it' }, []],
    ['another case', { hms_roles: '[HMS-IT]' }, []],
    ['a longer name', { hms_roles: '[hms-it-readonly]' }, []],
    ['hms-it in the groups claim, not the role claim', { groups: '[hms-it]' }, []],
    ['a real array (API Gateway never sends one)', { hms_roles: ['hms-it'] }, []],
    // What API Gateway makes of ["hms-it",""], ["hms-it "], [" hms-it"], ["","hms-it"], ["hms-it","","x"]: padded or empty entries refuse the claim.
    ['["hms-it",""] (an empty entry)', { hms_roles: '[hms-it ]' }, []],
    ['[" hms-it"] (padded before)', { hms_roles: '[ hms-it]' }, []],
    ['["hms-it", "", "hms-it"] (two spaces)', { hms_roles: '[hms-it  hms-it]' }, []],
    ['["hms-it "] as a string', { hms_roles: 'hms-it ' }, []],
    ['[""] (only an empty entry)', { hms_roles: '[ ]' }, []],
    ['["hms-it hms-it"] (one entry that reads as two)', { hms_roles: '[hms-it hms-it]' }, []],
  ])('%s → %j', (_case, claims, roles) => {
    // Act
    const caller = callerFrom(eventWith({ huid: '10000001', ...claims }), NAMES);

    // Assess
    expect(caller).toEqual({ huid: '10000001', roles });
  });

  it('reads the HUID and roles under the configured claim names', () => {
    const caller = callerFrom(eventWith({ employee: '10000002', roles: '[hms-it]', huid: '10000001' }), { huidClaim: 'employee', rolesClaim: 'roles', hmsItRole: 'hms-it' });
    expect(caller).toEqual({ huid: '10000002', roles: ['hms-it'] });
  });
});

describe('the local gateway passes claims in the string form of API Gateway', () => {
  it('turns every claim into a string, arrays as "[a b]"', () => {
    // Act
    const claims = gatewayClaims({ huid: '10000001', hms_roles: ['hms-it', 'x'], exp: 1_800_000_000, admin: false, empty: [], nested: { a: 1 }, none: null });

    // Assess
    expect({ ...claims }).toEqual({ huid: '10000001', hms_roles: '[hms-it x]', exp: '1800000000', admin: 'false', empty: '[]', nested: '{"a":1}' });
    expect(callerFrom(eventWith(claims), NAMES)).toEqual({ huid: '10000001', roles: [] });
    expect(callerFrom(eventWith(gatewayClaims({ huid: '10000001', hms_roles: ['hms-it'] })), NAMES).roles).toEqual(['hms-it']);
  });
});

describe('the local gateway hands the handler what API Gateway does: claims as strings, the token\'s scopes as a list', () => {
  const events: APIGatewayProxyEventV2WithJWTAuthorizer[] = [];
  let idp: LocalIdentityProvider;
  let clock: LocalClock;
  let server: ReturnType<typeof createApiServer>;
  let url: string;

  beforeAll(async () => {
    idp = await LocalIdentityProvider.create({ issuer: 'http://localhost:1/_local/idp', resource: 'http://127.0.0.1:1', redirectUris: ['http://localhost:1/callback'] });
    clock = new LocalClock(new Date('2027-01-04T14:00:00Z'), true);
    server = createApiServer({
      idp,
      clock,
      local: { handle: async () => undefined },
      handler: async (event) => {
        events.push(event as APIGatewayProxyEventV2WithJWTAuthorizer);
        return { statusCode: 200, body: '{}' };
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    clock.dispose();
  });

  it('a signed-in route: every claim a string, `scopes` the token\'s scopes (all of them, a JSON list)', async () => {
    // Prepare
    const token = await idp.token({ huid: '10000001', roles: ['hms-it'] });
    // Act
    const res = await fetch(`${url}/v1/guests?limit=5`, { headers: { authorization: `Bearer ${token}` } });
    // Assess
    expect(res.status).toBe(200);
    const jwt = events.at(-1)!.requestContext.authorizer.jwt;
    expect(jwt.scopes).toEqual(['guests:read', 'guests:write']);
    expect(jwt.claims).toMatchObject({ huid: '10000001', hms_roles: '[hms-it]', scope: 'guests:read guests:write', aud: 'http://127.0.0.1:1', iss: 'http://localhost:1/_local/idp' });
    for (const value of Object.values(jwt.claims)) expect(typeof value).toBe('string');
    expect(callerFrom(events.at(-1) as unknown as ApiEvent, NAMES)).toEqual({ huid: '10000001', roles: ['hms-it'] });
  });

  it('a token without the route\'s scope never reaches the handler: 403 {"message":"Forbidden"}', async () => {
    // Prepare
    const token = await idp.token({ huid: '10000001', scopes: ['guests:write'] });
    const before = events.length;
    // Act
    const res = await fetch(`${url}/v1/guests`, { headers: { authorization: `Bearer ${token}` } });
    // Assess
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ message: 'Forbidden' });
    expect(events.length).toBe(before);
  });

  it('a public route: no authorizer context', async () => {
    // Act
    const res = await fetch(`${url}/openapi.json`);
    // Assess
    expect(res.status).toBe(200);
    expect(events.at(-1)!.requestContext).not.toHaveProperty('authorizer');
  });
});
