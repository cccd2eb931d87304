/**
 * Input fuzzing (fast-check): for every endpoint with input, generated bad requests — unknown
 * fields, wrong types, bad HUIDs, emails where they do not belong, impossible dates, oversize and
 * non-JSON bodies, bad path parameters (malformed percent-encoding too), bad list query
 * parameters, bad Idempotency-Key / If-Match / Content-Type headers — are always answered 4xx
 * problem+json whose `errors` name only what was bad, never 5xx, and change nothing (every
 * DynamoDB table scanned before and after, the mailbox, the executions).
 *
 * Each request is otherwise aimed at a guest on which the call would succeed (the right caller,
 * the current version in If-Match), so input that slipped through would leave a trace.
 *
 * 1,000+ requests per endpoint go to the deployed handler module in-process, as the local API
 * Gateway would invoke it (payload v2 events, verified claims; the handler's adapters talk to the
 * running local system); a few hundred more go over real HTTP through the local API Gateway, for
 * its URL decoding. GET /openapi.json and GET /v1/me take no input and are left out. Every answer
 * is also held to the OpenAPI document (test/support/contract.ts).
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handler } from '../../functions/api.ts';
import { gatewayClaims, lambdaContext } from '../../local/api-server.ts';
import { originHeadersFromTemplate } from '../../local/edge.ts';
import { pathParameterNames, ROUTES, routeKey, type RouteSpec } from '../../shared/http/routes.ts';
import { MAX_BODY_BYTES } from '../../shared/http/api.ts';
import { MAX_PAGE } from '../../shared/core/ports.ts';
import { checkRouteAnswer } from '../support/contract.ts';
import { POPULATIONS, SERVICES, STATUSES } from '../../shared/guest/domain/model.ts';
import { INSTITUTION_NAMES, O2_STATUSES, REGISTRATION_STATUSES } from '../../shared/o2/domain/model.ts';
import { MAX_PASSWORD_LENGTH } from '../../shared/guest/domain/password-policy.ts';
import { TestSystem, SPONSOR, DELEGATE, GUEST } from '../support/local-system.ts';
import { closeObserver, systemState } from '../support/observe.ts';

const IN_PROCESS_RUNS = 1000;
const HTTP_RUNS = 30;
const IT_ROLE = 'hms-it';
const IT = '10000091';
const NEW_SPONSOR = '10000007';

// ---------------------------------------------------------------------------------------------
// What a bad request is, and where it is bad
// ---------------------------------------------------------------------------------------------

/** Where a request is bad: a place in the body (JSON Pointer tokens), a parameter or a header. */
type Loc = { pointer: string[]; exact?: true } | { parameter: string } | { header: string };

interface Case {
  /** The route's path parameter (a guest, lab or O2 account ID); undefined: no path parameters at all. */
  id?: { value: string; segment: string } | undefined;
  query?: [string, string][];
  /** HTTP only: appended to the query string as it is. */
  rawQuery?: string;
  body?: string;
  /** null: no Content-Type header. */
  contentType?: string | null;
  base64?: boolean;
  idempotencyKey?: string;
  ifMatch?: string;
  bad: Loc[];
}

/** As a string travels through UTF-8 (a lone surrogate becomes U+FFFD). */
const usv = (s: string) => Buffer.from(s, 'utf8').toString('utf8');
const ROOT: Loc = { pointer: [], exact: true };
const field = (...tokens: string[]): Loc => ({ pointer: tokens.map(usv) });
const param = (name: string): Loc => ({ parameter: usv(name) });
const header = (name: string): Loc => ({ header: name });

type Mode = 'event' | 'http';

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

const VISIBLE_ASCII = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c));
const PRINTABLE_ASCII = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
const anyString = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), fc.constantFrom('\ud800', 'a\udc00b', '\u0000', '\u202e'));
const insertAt = (s: string, i: number, c: string) => s.slice(0, i) + c + s.slice(i);
const replaceAt = (s: string, i: number, c: string) => s.slice(0, i) + c + s.slice(i + 1);
const swapCase = (s: string) => (s === s.toUpperCase() ? s.toLowerCase() : s.toUpperCase());

/** Anything JSON but a string. */
const nonString = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);
const nonArray = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.string(), fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }));

const emailish = fc.oneof(fc.emailAddress(), fc.constantFrom('a@', '@example.org', 'a@b@c.org', 'a b@c.org', 'a@b..org', '<x>@y.org', 'grace.guest@example.org', 'mailto:a@b.org'));

const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^\\d{${min},${max}}$`)).map((s) => s.slice(0, max));

/** Not an HUID: an HUID is exactly 8 ASCII digits. */
const badHuidString = fc.oneof(
  digits(0, 7),
  digits(9, 14),
  fc.tuple(digits(8, 8), fc.nat({ max: 7 }), fc.constantFrom('a', 'O', 'l', ' ', '-', '.', '+', '\u0663', '\uff11', '\n', '\t', '\u0000', 'é')).map(([d, i, c]) => replaceAt(d, i, c)),
  fc.tuple(digits(8, 8), fc.constantFrom(' ', '\n', '0', 'x', '\u200b')).map(([d, c]) => d + c),
  fc.tuple(digits(8, 8), fc.constantFrom(' ', '+', '-', '0', '\ufeff')).map(([d, c]) => c + d),
  emailish,
  anyString.filter((s) => !/^[0-9]{8}$/.test(s)),
);
const badHuid = fc.oneof(badHuidString, nonString);

const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
const p2 = (n: number) => String(n).padStart(2, '0');
const p4 = (n: number) => String(n).padStart(4, '0');
const ymd = fc.record({ y: fc.integer({ min: 1990, max: 2099 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) });

/** Not a real calendar date as YYYY-MM-DD. */
const badDateString = fc.oneof(
  // Impossible days: 2027-02-29, 2027-02-30, 2027-04-31, ...
  fc.record({ y: fc.integer({ min: 1990, max: 2099 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 29, max: 99 }) }).filter(({ y, m, d }) => d > daysIn(y, m)).map(({ y, m, d }) => `${p4(y)}-${p2(m)}-${p2(d)}`),
  fc.record({ y: fc.integer({ min: 1990, max: 2099 }), m: fc.constantFrom(0, 13, 19, 99), d: fc.integer({ min: 1, max: 28 }) }).map(({ y, m, d }) => `${p4(y)}-${p2(m)}-${p2(d)}`),
  ymd.map(({ y, m }) => `${p4(y)}-${p2(m)}-00`),
  fc.constantFrom('2027-02-29', '2027-02-30', '2027-04-31', '2100-02-29', '2027-13-01', '2027-00-10', '0000-00-00'),
  // Wrong shapes
  fc.record({ y: fc.integer({ min: 1990, max: 2099 }), m: fc.integer({ min: 1, max: 9 }), d: fc.integer({ min: 1, max: 28 }) }).map(({ y, m, d }) => `${y}-${m}-${p2(d)}`),
  ymd.map(({ y, m, d }) => `${p4(y)}/${p2(m)}/${p2(d)}`),
  ymd.map(({ y, m, d }) => `${p4(y)}${p2(m)}${p2(d)}`),
  ymd.map(({ y, m, d }) => `${p2(d)}-${p2(m)}-${p4(y)}`),
  ymd.map(({ y, m, d }) => `${p4(y)}-${p2(m)}-${p2(d)}T00:00:00Z`),
  ymd.map(({ y, m, d }) => ` ${p4(y)}-${p2(m)}-${p2(d)}`),
  ymd.map(({ y, m, d }) => `${p4(y)}-${p2(m)}-${p2(d)}\n`),
  ymd.map(({ y, m, d }) => `+0${p4(y)}-${p2(m)}-${p2(d)}`),
  ymd.map(({ y, m, d }) => `${p4(y)}-${p2(m)}-${p2(d)}`.replace(/\d/g, (c) => String.fromCharCode(0xff10 + Number(c)))),
  fc.constantFrom('', 'today', 'tomorrow', 'Jun 30 2027', '2027-06', '2027', 'null'),
  emailish,
);
const badDate = fc.oneof(badDateString, nonString);

function badEnumString(values: readonly string[]) {
  return fc.oneof(
    anyString.filter((s) => !values.includes(s)),
    fc.constantFrom(...values).map(swapCase).filter((s) => !values.includes(s)),
    fc.constantFrom(...values).map((v) => `${v} `),
    fc.constantFrom(...values).map((v) => ` ${v}`),
    fc.constantFrom(...values).map((v) => `${v}\u0000`),
    fc.constantFrom(...values).map((v) => v.slice(1)),
  );
}
const badEnum = (values: readonly string[]) => fc.oneof(badEnumString(values), nonString);

const WHITESPACE = fc.constantFrom(' ', '\t', '\n', '\r', '\u00a0', '\u2003', '\u3000', '\ufeff', '\u2028');
/** Not a text of 1 to `max` characters once trimmed. */
const badText = (max: number) =>
  fc.oneof(
    fc.constant(''),
    fc.array(WHITESPACE, { minLength: 1, maxLength: 8 }).map((a) => a.join('')),
    fc.tuple(fc.integer({ min: max + 1, max: max + 300 }), fc.constantFrom('a', 'é', '字', '😀')).map(([n, c]) => c.repeat(n)),
    nonString,
  );

const badServices = fc.oneof(
  nonArray,
  fc.tuple(fc.array(fc.constantFrom(...SERVICES), { maxLength: 3 }), badEnum(SERVICES), fc.nat()).map(([a, bad, i]) => {
    const out: unknown[] = [...a];
    out.splice(i % (a.length + 1), 0, bad);
    return out;
  }),
  fc.array(fc.constantFrom(...SERVICES), { minLength: SERVICES.length + 1, maxLength: 12 }),
);

const badContractorId = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9-]{0,2}$/).map((s) => s.slice(0, 2)),
  fc.stringMatching(/^[A-Za-z0-9-]{21,30}$/),
  fc.tuple(fc.stringMatching(/^[A-Za-z0-9-]{3,19}$/).map((s) => s.slice(0, 19)), fc.constantFrom(' ', '_', '.', '/', 'é', '\n', '\u0000'), fc.nat()).map(([s, c, i]) => insertAt(s, i % (s.length + 1), c)),
  nonString,
);

const badAccountId = fc.oneof(
  fc.stringMatching(/^[a-z]{4,6}[0-9]{3}$/),
  fc.stringMatching(/^[A-Z][a-z]{0,2}[0-9]{3}$/),
  fc.stringMatching(/^[a-z]{1,3}[0-9]{0,2}$/).map((s) => s.replace(/^([a-z]+)([0-9]{3,})$/, '$1')),
  fc.stringMatching(/^[a-z]{1,3}[0-9]{10,12}$/),
  fc.stringMatching(/^[0-9]{3}$/),
  fc.tuple(fc.stringMatching(/^[a-z]{1,3}[0-9]{3}$/), fc.constantFrom(' ', '-', '.', 'é', '\n', 'A'), fc.nat()).map(([s, c, i]) => insertAt(s, i % (s.length + 1), c)),
  emailish,
  nonString,
).filter((v) => typeof v !== 'string' || !/^[a-z]{1,3}[0-9]{3}$/.test(v));

const badCode = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9-]{0,19}$/).map((s) => s.slice(0, 19)),
  fc.integer({ min: 41, max: 80 }).map((n) => 'A'.repeat(n)),
  fc.tuple(fc.stringMatching(/^[A-Za-z0-9-]{20,39}$/).map((s) => s.slice(0, 39)), fc.constantFrom(' ', '_', '.', '+', '/', '=', 'é', '\n'), fc.nat()).map(([s, c, i]) => insertAt(s, i % (s.length + 1), c)),
  nonString,
);

/** Not a password the schema takes: not a string, or longer than MAX_PASSWORD_LENGTH (its shape only: the policy comes after the code). */
const badPassword = fc.oneof(fc.integer({ min: MAX_PASSWORD_LENGTH + 1, max: MAX_PASSWORD_LENGTH + 200 }).map((n) => 'p'.repeat(n)), nonString);

const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Not a guest ID (a UUID), as the handler would see it. */
const badGuestIdValue = fc
  .oneof(
    fc.tuple(fc.uuid(), fc.nat({ max: 35 }), fc.constantFrom('g', 'z', 'G', ' ', '-', '_', '.', '!', '%', '/', 'é', '\u0000'), fc.constantFrom('replace', 'drop', 'insert', 'braces', 'urn', 'nodash', 'suffix')).map(([u, i, c, how]) => {
      switch (how) {
        case 'replace': return replaceAt(u, i, c);
        case 'drop': return u.slice(0, i) + u.slice(i + 1);
        case 'insert': return insertAt(u, i, c);
        case 'braces': return `{${u}}`;
        case 'urn': return `urn:uuid:${u}`;
        case 'nodash': return u.replace(/-/g, '');
        default: return u + c;
      }
    }),
    anyString.filter((s) => s.length > 0),
    fc.constantFrom('..', '.', 'null', 'undefined', '0', '-1', '*', '%', '%E0%A4%A', '../../admin', '__proto__', '<script>', "' OR 1=1 --"),
    fc.integer({ min: 37, max: 4000 }).map((n) => 'a'.repeat(n)),
  )
  .filter((s) => !UUID_SHAPE.test(s));

/** Percent-encoding that does not decode (truncated, not UTF-8, not hex). */
const MALFORMED = fc.constantFrom('%', '%E0%A4%A', '%C3', '%ED%A0%80', '%FF', '%C0%AF', '%zz', '%%', '%2', '%G0', '%E2%82', '%F0%9F%98');
const badGuestId = (mode: Mode) =>
  mode === 'event'
    ? badGuestIdValue.map((value) => ({ value, segment: value }))
    : fc.oneof(
        // As the client encodes it; the gateway decodes it back
        badGuestIdValue.filter((v) => usv(v) === v && v !== '.' && v !== '..').map((value) => ({ value, segment: encodeURIComponent(value) })),
        // Malformed: the gateway cannot decode it
        fc
          .tuple(fc.oneof(fc.stringMatching(/^[A-Za-z0-9]{0,8}$/), fc.uuid()), MALFORMED, fc.stringMatching(/^[A-Za-z0-9]{0,4}$/))
          .map(([a, m, b]) => ({ value: a + m + b, segment: a + m + b }))
          // Still malformed with what follows: "%2" then "E" is "%2E", a dot, which the URL's path normalisation removes.
          .filter(({ segment }) => {
            try {
              decodeURIComponent(segment);
              return false;
            } catch {
              return true;
            }
          }),
      );

// Headers
const validIdempotencyKey = fc.string({ unit: VISIBLE_ASCII, minLength: 8, maxLength: 128 });
/** Not 8 to 128 visible ASCII characters; over HTTP only what survives the trip (no control characters, no edge spaces). */
const badIdempotencyKey = (mode: Mode) =>
  fc.oneof(
    fc.string({ unit: VISIBLE_ASCII, maxLength: 7 }),
    fc.string({ unit: VISIBLE_ASCII, minLength: 129, maxLength: 200 }),
    fc
      .tuple(fc.string({ unit: VISIBLE_ASCII, minLength: 2, maxLength: 127 }), mode === 'event' ? fc.constantFrom(' ', '\t', 'é', '\u0000', '\u007f', '€', '\n') : fc.constantFrom(' ', '\t', 'é'), fc.nat())
      .map(([s, c, i]) => insertAt(s, 1 + (i % (s.length - 1)), c)),
  );
const validIfMatch = (version: number) => fc.constantFrom(`"${version}"`, `W/"${version}"`, String(version));
/** Not the ETag of a guest ("3" or W/"3"). */
const badIfMatch = fc.oneof(
  fc.constantFrom('', '*', '"', '""', 'W/""', '"abc"', 'abc', '"-1"', '"1.5"', '"1e3"', '"1", "2"', '"0x1"', 'W/"1"x', 'w/"1"', 'X/"1"', '"1"x', '<1>'),
  fc.integer({ min: 10, max: 15 }).map((n) => `"${'9'.repeat(n)}"`),
  fc.string({ unit: PRINTABLE_ASCII }).filter((s) => !/\d/.test(s) && s.trim() === s),
);
const validContentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/merge-patch+json');
const badContentType = fc.oneof(
  fc.constantFrom('text/plain', 'text/html', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', 'application/octet-stream', 'json', 'application/', 'text/json', '*/*', ''),
  fc.string({ unit: PRINTABLE_ASCII }).filter((s) => !/json/i.test(s) && s.trim() === s),
);

// ---------------------------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------------------------

interface FieldSpec {
  valid: fc.Arbitrary<unknown>;
  bad: fc.Arbitrary<unknown>;
  required?: boolean;
}
type BodySpec = Record<string, FieldSpec>;

/** JSON text of an object from its entries (so that keys like "__proto__" are plain keys). */
const jsonObject = (entries: [string, unknown][]) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;

function unknownKey(known: string[]) {
  return fc
    .oneof(
      anyString,
      fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'a/b', 'a~b', '~1', 'a.b', 'x:y', 'query:cursor', 'header:If-Match', '', ' ', 'email', 'guestEmail', 'personalEmail', 'submittedBy', 'status', 'version', 'huid', 'groups'),
      fc.constantFrom(...known).map(swapCase),
      fc.constantFrom(...known).map((k) => `${k} `),
    )
    .filter((k) => !known.includes(k));
}

/** An object body with at least one bad field, missing required field or unknown field. */
function badObject(spec: BodySpec): fc.Arbitrary<{ entries: [string, unknown][]; bad: Loc[] }> {
  const names = Object.keys(spec);
  const required = names.filter((n) => spec[n]!.required);
  const valid = fc.record(Object.fromEntries(names.map((n) => [n, spec[n]!.valid])) as Record<string, fc.Arbitrary<unknown>>, { requiredKeys: required });
  const badFields = fc.subarray(names).chain((fields) => fc.tuple(...fields.map((f) => spec[f]!.bad)).map((values) => fields.map((f, i) => [f, values[i]] as [string, unknown])));
  const unknown = fc.uniqueArray(fc.tuple(unknownKey(names), fc.oneof(fc.jsonValue({ maxDepth: 2 }), emailish)), { selector: ([k]) => k, maxLength: 3 });
  return fc
    .record({ valid, badFields, dropped: fc.subarray(required), unknown })
    .filter((r) => r.badFields.length + r.dropped.length + r.unknown.length > 0)
    .map((r) => {
      const body = new Map<string, unknown>(Object.entries(r.valid));
      const bad: Loc[] = [];
      for (const f of r.dropped) {
        body.delete(f);
        bad.push(field(f));
      }
      for (const [f, v] of r.badFields) {
        body.set(f, v);
        bad.push(field(f));
      }
      for (const [k, v] of r.unknown) {
        body.set(k, v);
        bad.push(field(k));
      }
      return { entries: [...body.entries()], bad };
    });
}

function validObject(spec: BodySpec): fc.Arbitrary<[string, unknown][]> {
  const names = Object.keys(spec);
  return fc.record(Object.fromEntries(names.map((n) => [n, spec[n]!.valid])) as Record<string, fc.Arbitrary<unknown>>, { requiredKeys: names.filter((n) => spec[n]!.required) }).map((o) => Object.entries(o));
}

const notJson = fc
  .oneof(
    fc.constantFrom('{', '{"a":1,}', "{'a':1}", 'NaN', 'undefined', '[1,2', '{"guestHuid":"20000001"', 'true false', '{"a":01}', '\u0000', '{"a":"\\x"}', '<xml/>', 'a=1&b=2'),
    anyString.map((s) => `{${s}`),
    anyString.map((s) => `x${s}`),
  )
  .filter((s) => {
    if (!s.trim()) return false;
    try {
      JSON.parse(s);
      return false;
    } catch {
      return true;
    }
  });
const nonObjectJson = fc.oneof(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }), fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null)).map((v) => JSON.stringify(v));
const oversize = fc.tuple(fc.integer({ min: MAX_BODY_BYTES + 1, max: MAX_BODY_BYTES * 3 }), fc.constantFrom('a', 'é', '字'), fc.boolean()).map(([bytes, c, asJson]) => {
  const filler = c.repeat(Math.ceil(bytes / Buffer.byteLength(c)));
  return asJson ? jsonObject([['justification', filler]]) : filler;
});

interface BodyPart {
  body?: string;
  contentType?: string | null;
  base64?: boolean;
  bad: Loc[];
}

/** A body for `spec`: bad (and then where), or valid. */
function bodyPart(spec: BodySpec, optional: boolean, mode: Mode): fc.Arbitrary<BodyPart> {
  const base64 = mode === 'event' ? fc.boolean() : fc.constant(false);
  const json = (body: string, bad: Loc[]) => fc.record({ contentType: validContentType, base64 }).map((h) => ({ body, ...h, bad }));
  return fc.oneof(
    { weight: 4, arbitrary: badObject(spec).chain(({ entries, bad }) => json(jsonObject(entries), bad)) },
    { weight: 1, arbitrary: notJson.chain((body) => json(body, [ROOT])) },
    { weight: 1, arbitrary: nonObjectJson.chain((body) => json(body, [ROOT])) },
    { weight: 1, arbitrary: fc.record({ body: oversize, contentType: fc.oneof(validContentType, badContentType), base64 }).map((p) => ({ ...p, bad: [ROOT] as Loc[] })) },
    {
      weight: 1,
      // Not JSON by its Content-Type, whatever the body is
      arbitrary: fc
        .record({
          content: fc.oneof(validObject(spec).map((e) => ({ body: jsonObject(e), bad: [] as Loc[] })), badObject(spec).map(({ entries, bad }) => ({ body: jsonObject(entries), bad })), notJson.map((body) => ({ body, bad: [ROOT] }))),
          contentType: fc.oneof(badContentType, fc.constant(null)),
          base64,
        })
        .map(({ content, contentType, base64: b }) => ({ body: content.body, contentType, base64: b, bad: [header('Content-Type'), ...content.bad] })),
    },
    // An endpoint that needs a body, without one
    ...(optional ? [] : [{ weight: 1, arbitrary: fc.record({ body: fc.constantFrom(undefined, '', ' ', '\n\t '), contentType: fc.oneof(validContentType, badContentType) }).map((p) => ({ ...p, bad: [ROOT] })) }]),
    // A good body (the request is then bad elsewhere)
    {
      weight: 2,
      arbitrary: optional
        ? fc.oneof(validObject(spec).chain((e) => json(jsonObject(e), [])), fc.constant({ bad: [] as Loc[] }))
        : validObject(spec).chain((e) => json(jsonObject(e), [])),
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Query parameters (GET /v1/guests)
// ---------------------------------------------------------------------------------------------

const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
/** Not a cursor this API returned. */
const badCursor = fc.oneof(
  anyString.filter((s) => !/^[A-Za-z0-9_-]+$/.test(s)),
  fc.integer({ min: 2049, max: 3000 }).map((n) => 'A'.repeat(n)),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
  fc.jsonValue({ maxDepth: 2 }).map((v) => b64url(JSON.stringify(v))),
  fc.dictionary(fc.constantFrom('pk', 'sk', 'sponsorHuid', 'endDate', 'x'), fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { maxKeys: 5 }).map((o) => b64url(JSON.stringify(o))),
  fc.constantFrom('{"pk":1e400}', '{"pk":12345678901234567890}', '{"pk":"","sk":""}', '{"pk":"GUEST#x","sk":"GUEST","sponsorHuid":"10000002","endDate":"2027-01-01"}', '{"__proto__":{"pk":"x"}}').map(b64url),
);
const badLimit = fc
  .oneof(fc.integer({ max: 0 }).map(String), fc.integer({ min: MAX_PAGE + 1 }).map(String), fc.double().map(String), anyString, fc.constantFrom('', ' ', '1.5', '-1', String(MAX_PAGE + 1), '1e3', 'ten'))
  .filter((s) => {
    const n = Number(s);
    return !(Number.isInteger(n) && n >= 1 && n <= MAX_PAGE);
  });
/** A query parameter: a valid value, bad ones, and whether a request must carry it. */
type QuerySpec = Record<string, { valid: fc.Arbitrary<string | undefined>; bad: fc.Arbitrary<string>; required?: true }>;

const QUERY_SPEC: QuerySpec = {
  // The caller (the sponsor) lists as sponsor: a valid query answers 200 (as a delegate, of no one, with sponsorHuid it is 403).
  as: { valid: fc.constant('sponsor'), bad: badEnumString(['sponsor', 'delegate', 'hms-it']) },
  status: { valid: fc.constantFrom(...STATUSES), bad: badEnumString(STATUSES) },
  expiringBefore: { valid: fc.constant('2027-12-31'), bad: badDateString },
  sponsorHuid: { valid: fc.constant(SPONSOR.huid), bad: badHuidString },
  failed: { valid: fc.constantFrom('true', 'false'), bad: badEnumString(['true', 'false']) },
  cursor: { valid: fc.constant(undefined), bad: badCursor },
  limit: { valid: fc.integer({ min: 1, max: MAX_PAGE }).map(String), bad: badLimit },
};
/** GET /v1/sponsors (HMS IT): HUIDs separated by commas, 1 to 100 of them. */
/** Labs by the words of their names (issue 20): a word of two letters at least, 100 characters at most, no control or invisible characters. */
const LAB_SEARCH_QUERY_SPEC: QuerySpec = {
  q: {
    valid: fc.constantFrom('imaging', 'cell bio', 'Ada', 'Éclair', 'o\'brien lab', 'x'.repeat(100)),
    bad: fc.constantFrom('', '   ', 'a', 'a b', '—', 'x'.repeat(101), 'lab\u0000', 'lab\u202e', 'la\u200bb', 'ab\u0007'),
    required: true,
  },
};

const SPONSORS_QUERY_SPEC: QuerySpec = {
  huids: {
    valid: fc.uniqueArray(fc.constantFrom(SPONSOR.huid, DELEGATE.huid, NEW_SPONSOR, '10000005', '19999999'), { minLength: 1 }).map((h) => h.join(',')),
    bad: fc.oneof(
      badHuidString,
      fc.tuple(badHuidString, fc.constant(SPONSOR.huid)).map(([bad, good]) => `${good},${bad}`),
      fc.constantFrom('', ',', `${SPONSOR.huid},`, `,${SPONSOR.huid}`, `${SPONSOR.huid},,${SPONSOR.huid}`, `${SPONSOR.huid};${DELEGATE.huid}`, `${SPONSOR.huid} ${DELEGATE.huid}`, Array(101).fill(SPONSOR.huid).join(',')),
    ),
    required: true,
  },
};

function badQuery(spec: QuerySpec, mode: Mode): fc.Arbitrary<Case> {
  const QUERY_KEYS = Object.keys(spec);
  const valid = fc.record(Object.fromEntries(QUERY_KEYS.map((k) => [k, spec[k]!.valid])) as Record<string, fc.Arbitrary<string | undefined>>, { requiredKeys: QUERY_KEYS.filter((k) => spec[k]!.required) });
  const badFields = fc.subarray(QUERY_KEYS).chain((keys) => fc.tuple(...keys.map((k) => spec[k]!.bad)).map((vs) => keys.map((k, i) => [k, vs[i]!] as [string, string])));
  const unknown = fc.uniqueArray(fc.tuple(unknownKey(QUERY_KEYS), anyString), { selector: ([k]) => k, maxLength: 3 });
  // Over HTTP: a value of a known parameter as raw, malformed percent-encoding
  const raw = mode === 'http' ? fc.option(fc.tuple(fc.constantFrom(...QUERY_KEYS), MALFORMED), { nil: undefined }) : fc.constant(undefined);
  return fc
    .record({ valid, badFields, unknown, raw })
    .filter((r) => r.badFields.length + r.unknown.length > 0 || r.raw !== undefined)
    .map((r) => {
      const query = new Map<string, string>(Object.entries(r.valid).filter((e): e is [string, string] => e[1] !== undefined));
      const bad: Loc[] = [];
      for (const [k, v] of [...r.badFields, ...r.unknown]) {
        query.set(k, v);
        bad.push(param(k));
      }
      let rawQuery: string | undefined;
      if (r.raw) {
        query.delete(r.raw[0]);
        rawQuery = `${r.raw[0]}=${r.raw[1]}`;
        bad.push(param(r.raw[0]));
      }
      return { query: [...query.entries()], ...(rawQuery ? { rawQuery } : {}), bad };
    });
}

// ---------------------------------------------------------------------------------------------
// Labs and O2 accounts (issue 14): their people, values and queries
// ---------------------------------------------------------------------------------------------

const O2_PEOPLE = { user: '30000001', labPi: '30000003', rcCore: '30000006', otherUser: '30000009' } as const;
const O2_USER_ACCOUNT = 'uo123';

/** Not one line of 1 to `max` characters: also line breaks, tabs, control and bidirectional formatting characters within. */
const badLine = (max: number) =>
  fc.oneof(
    badText(max),
    fc.tuple(fc.stringMatching(/^[A-Za-z][A-Za-z ]{0,19}$/), fc.constantFrom('\n', '\t', '\r', '\u2028', '\u0000', '\u0007', '\u007f', '\u0085', '\u202e', '\u2066', '\u200f'), fc.stringMatching(/^[A-Za-z]{1,20}$/)).map(([a, c, b]) => `${a}${c}${b}`),
  );
/** Not a UUID (a lab ID in a body). */
const badUuid = fc.oneof(badGuestIdValue, nonString);
const anyJsonObject = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 });
/** Not a chargeback: `{charged: false}` or `{charged: true, account}` and nothing else. */
const badChargeback = fc.oneof(
  nonString.filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)),
  fc.constant({}),
  fc.constant({ charged: true }),
  fc.oneof(fc.string(), fc.integer(), fc.constant(null)).map((charged) => ({ charged })),
  fc.string().map((account) => ({ charged: false, account })),
  fc.oneof(badLine(64), fc.constantFrom('-leading-dash', 'a;b', 'a_b', '<x>', 'a'.repeat(65)), nonString).map((account) => ({ charged: true, account })),
  fc.tuple(unknownKey(['charged', 'account']), fc.jsonValue({ maxDepth: 1 })).map(([k, v]) => ({ charged: true, account: '370-31230', [k]: v })),
);
/** Not a billing contact `{name, email}`. */
const badBillingContact = fc.oneof(
  nonString.filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)),
  anyJsonObject.filter((o) => !('name' in o && 'email' in o)),
  badLine(200).map((name) => ({ name, email: 'bea@mgh.harvard.edu' })),
  fc
    .oneof(fc.constantFrom('a@', '@example.org', 'a@b@c.org', 'a b@c.org', 'a@b..org', '<x>@y.org', 'mailto:a@b.org', 'bea at mgh', 'bea@localhost', 'bea@mgh.harvard.edu\n', '', `${'a'.repeat(250)}@x.org`), nonString)
    .map((email) => ({ name: 'Bea', email })),
  fc.tuple(unknownKey(['name', 'email']), fc.jsonValue({ maxDepth: 1 })).map(([k, v]) => ({ name: 'Bea', email: 'bea@mgh.harvard.edu', [k]: v })),
);

const LABS_QUERY_SPEC: QuerySpec = {
  // The caller (RC Core staff) may list the queue and any PI's labs: a valid query answers 200.
  registration: { valid: fc.constantFrom(...REGISTRATION_STATUSES), bad: badEnumString(REGISTRATION_STATUSES) },
  piHuid: { valid: fc.constant(O2_PEOPLE.labPi), bad: badHuidString },
  cursor: { valid: fc.constant(undefined), bad: badCursor },
  limit: { valid: fc.integer({ min: 1, max: MAX_PAGE }).map(String), bad: badLimit },
};
const O2_QUERY_SPEC: QuerySpec = {
  as: { valid: fc.constantFrom('user', 'pi', 'rc-core'), bad: badEnumString(['user', 'pi', 'rc-core']) },
  status: { valid: fc.constantFrom(...O2_STATUSES), bad: badEnumString(O2_STATUSES) },
  cursor: { valid: fc.constant(undefined), bad: badCursor },
  limit: { valid: fc.integer({ min: 1, max: MAX_PAGE }).map(String), bad: badLimit },
};

// ---------------------------------------------------------------------------------------------
// Endpoints
// ---------------------------------------------------------------------------------------------

interface Target {
  route: string;
  caller?: { huid: string; roles: string[] };
  /** The guest, lab or O2 account a route with a path parameter is aimed at (the call would succeed on it, or fail for its state only). */
  resource?: () => { id: string; version: number };
  body?: { spec: BodySpec; optional: boolean };
  query?: QuerySpec;
  ifMatch?: true;
}

const reason: FieldSpec = { valid: fc.constantFrom('no longer needed', 'left the lab'), bad: badText(1000) };
const REASON_BODY: BodySpec = { reason };

let t: TestSystem;
const fixtures = { pendingApproval: { id: '', version: 0 }, pendingActivation: { id: '', version: 0 }, accountId: '', lab: { id: '', version: 0 }, o2: { id: '', version: 0 } };

/** The one path parameter of a route (`guestId`, `labId`, `o2AccountId`). */
const paramOf = (target: Target) => pathParameterNames(target.route.split(' ')[1]!)[0]!;

const TARGETS: Target[] = [
  {
    route: 'POST /v1/guests',
    caller: { huid: SPONSOR.huid, roles: [] },
    body: {
      optional: false,
      spec: {
        guestHuid: { valid: fc.constant('20000006'), bad: badHuid, required: true },
        population: { valid: fc.constantFrom('agency-temp', 'visiting-faculty', 'ce-or-summer-student'), bad: badEnum(POPULATIONS), required: true },
        endDate: { valid: fc.constantFrom('2027-06-30', '2027-12-31'), bad: badDate, required: true },
        startDate: { valid: fc.constant('2027-01-04'), bad: badDate },
        sponsorHuid: { valid: fc.constant(SPONSOR.huid), bad: badHuid },
        services: { valid: fc.subarray([...SERVICES]), bad: badServices },
        contractorId: { valid: fc.constant('HU-12345'), bad: badContractorId },
        justification: { valid: fc.constantFrom('Lab rotation', 'Visiting collaborator'), bad: badText(2000) },
      },
    },
  },
  { route: 'GET /v1/guests', caller: { huid: SPONSOR.huid, roles: [] }, query: QUERY_SPEC },
  { route: 'GET /v1/sponsors', caller: { huid: IT, roles: [IT_ROLE] }, query: SPONSORS_QUERY_SPEC },
  // A person by their exact HUID (issue 20): a guest's HSR for a sponsor; a PI for anyone.
  { route: 'GET /v1/hsr/{huid}', caller: { huid: SPONSOR.huid, roles: [] }, resource: () => ({ id: '20000001', version: 0 }) },
  { route: 'GET /v1/lab-search', caller: { huid: SPONSOR.huid, roles: [] }, query: LAB_SEARCH_QUERY_SPEC },
  { route: 'GET /v1/pis/{huid}', caller: { huid: SPONSOR.huid, roles: [] }, resource: () => ({ id: '10000013', version: 0 }) },
  { route: 'GET /v1/guests/{guestId}/executions', caller: { huid: IT, roles: [IT_ROLE] }, resource: () => fixtures.pendingActivation },
  { route: 'GET /v1/guests/{guestId}', caller: { huid: SPONSOR.huid, roles: [] }, resource: () => fixtures.pendingActivation },
  { route: 'GET /v1/guests/{guestId}/history', caller: { huid: SPONSOR.huid, roles: [] }, resource: () => fixtures.pendingActivation },
  {
    route: 'POST /v1/guests/{guestId}/decision',
    caller: { huid: SPONSOR.huid, roles: [] },
    resource: () => fixtures.pendingApproval,
    ifMatch: true,
    body: { optional: false, spec: { decision: { valid: fc.constantFrom('approve', 'deny'), bad: badEnum(['approve', 'deny']), required: true }, reason } },
  },
  {
    route: 'POST /v1/guests/{guestId}/extension',
    caller: { huid: SPONSOR.huid, roles: [] },
    resource: () => fixtures.pendingActivation,
    ifMatch: true,
    body: { optional: false, spec: { endDate: { valid: fc.constantFrom('2027-09-30', '2027-12-31'), bad: badDate, required: true } } },
  },
  { route: 'POST /v1/guests/{guestId}/cancel', caller: { huid: SPONSOR.huid, roles: [] }, resource: () => fixtures.pendingActivation, ifMatch: true, body: { optional: true, spec: REASON_BODY } },
  { route: 'POST /v1/guests/{guestId}/activation/resend', caller: { huid: SPONSOR.huid, roles: [] }, resource: () => fixtures.pendingActivation, ifMatch: true, body: { optional: true, spec: REASON_BODY } },
  { route: 'POST /v1/guests/{guestId}/expire', caller: { huid: IT, roles: [IT_ROLE] }, resource: () => fixtures.pendingActivation, ifMatch: true, body: { optional: true, spec: REASON_BODY } },
  {
    route: 'POST /v1/guests/{guestId}/reassign',
    caller: { huid: IT, roles: [IT_ROLE] },
    resource: () => fixtures.pendingActivation,
    ifMatch: true,
    body: { optional: false, spec: { sponsorHuid: { valid: fc.constant(NEW_SPONSOR), bad: badHuid, required: true }, reason } },
  },
  {
    route: 'POST /v1/activate',
    body: {
      optional: false,
      spec: {
        accountId: { valid: fc.constant('').map(() => fixtures.accountId), bad: badAccountId, required: true },
        code: { valid: fc.stringMatching(/^[A-Za-z0-9-]{20,40}$/).filter((c) => c.length <= 40), bad: badCode, required: true },
        // Any string of the right length is well-formed, weak ones too: whether it keeps the policy is only asked with the right code.
        password: { valid: fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('correct-tulip-7-lantern', 'short', 'password1234')), bad: badPassword, required: true },
      },
    },
  },
  // Labs and O2 accounts (issue 14)
  {
    route: 'POST /v1/labs',
    caller: { huid: O2_PEOPLE.labPi, roles: [] },
    body: {
      optional: false,
      spec: {
        name: { valid: fc.constantFrom('Fuzz Lab', 'Second Lab'), bad: badLine(200), required: true },
        institution: { valid: fc.constantFrom('MGH', 'BWH', 'HMS', 'FAS'), bad: badEnum(INSTITUTION_NAMES), required: true },
        piHuid: { valid: fc.constant(O2_PEOPLE.labPi), bad: badHuid },
      },
    },
  },
  { route: 'GET /v1/labs', caller: { huid: O2_PEOPLE.rcCore, roles: [] }, query: LABS_QUERY_SPEC },
  { route: 'GET /v1/labs/{labId}', caller: { huid: O2_PEOPLE.labPi, roles: [] }, resource: () => fixtures.lab },
  { route: 'GET /v1/labs/{labId}/history', caller: { huid: O2_PEOPLE.labPi, roles: [] }, resource: () => fixtures.lab },
  {
    route: 'POST /v1/labs/{labId}/registration',
    caller: { huid: O2_PEOPLE.rcCore, roles: [] },
    resource: () => fixtures.lab,
    ifMatch: true,
    body: {
      optional: false,
      spec: {
        chargeback: { valid: fc.constantFrom({ charged: false }, { charged: true, account: '370-31230-8250-000001-000000-0000-00000' }), bad: badChargeback, required: true },
        billingContact: { valid: fc.constant({ name: 'Bea Billing', email: 'bea.billing@mgh.harvard.edu' }), bad: badBillingContact, required: true },
      },
    },
  },
  {
    route: 'POST /v1/o2-accounts',
    caller: { huid: O2_PEOPLE.labPi, roles: [] },
    body: {
      optional: false,
      spec: {
        userHuid: { valid: fc.constant(O2_PEOPLE.otherUser), bad: badHuid, required: true },
        piHuid: { valid: fc.constant(O2_PEOPLE.labPi), bad: badHuid, required: true },
        labId: { valid: fc.constant(null).map(() => fixtures.lab.id), bad: badUuid, required: true },
        justification: { valid: fc.constantFrom('Sequencing runs', 'Line one\nline two'), bad: badText(2000) },
        hmsSponsorHuid: { valid: fc.constant(SPONSOR.huid), bad: badHuid },
      },
    },
  },
  { route: 'GET /v1/o2-accounts', caller: { huid: O2_PEOPLE.rcCore, roles: [] }, query: O2_QUERY_SPEC },
  { route: 'GET /v1/o2-accounts/{o2AccountId}', caller: { huid: O2_PEOPLE.user, roles: [] }, resource: () => fixtures.o2 },
  { route: 'GET /v1/o2-accounts/{o2AccountId}/history', caller: { huid: O2_PEOPLE.user, roles: [] }, resource: () => fixtures.o2 },
  {
    route: 'POST /v1/o2-accounts/{o2AccountId}/decision',
    caller: { huid: O2_PEOPLE.labPi, roles: [] },
    resource: () => fixtures.o2,
    ifMatch: true,
    body: { optional: false, spec: { decision: { valid: fc.constantFrom('approve', 'deny'), bad: badEnum(['approve', 'deny']), required: true }, reason } },
  },
  {
    route: 'POST /v1/o2-accounts/{o2AccountId}/completion',
    caller: { huid: O2_PEOPLE.rcCore, roles: [] },
    resource: () => fixtures.o2,
    ifMatch: true,
    body: { optional: false, spec: { unixUsername: { valid: fc.constant(O2_USER_ACCOUNT), bad: badAccountId, required: true }, endDate: { valid: fc.constant('2027-03-31'), bad: badDate } } },
  },
  {
    route: 'POST /v1/o2-accounts/{o2AccountId}/renewal',
    caller: { huid: O2_PEOPLE.user, roles: [] },
    resource: () => fixtures.o2,
    ifMatch: true,
    body: { optional: true, spec: { note: { valid: fc.constantFrom('Still in the lab', 'Two\nlines'), bad: badText(2000) } } },
  },
  { route: 'POST /v1/o2-accounts/{o2AccountId}/cancel', caller: { huid: O2_PEOPLE.user, roles: [] }, resource: () => fixtures.o2, ifMatch: true, body: { optional: true, spec: REASON_BODY } },
  {
    route: 'POST /v1/o2-accounts/{o2AccountId}/retain',
    caller: { huid: O2_PEOPLE.user, roles: [] },
    resource: () => fixtures.o2,
    ifMatch: true,
    body: { optional: true, spec: { hmsSponsorHuid: { valid: fc.constant(SPONSOR.huid), bad: badHuid }, endDate: { valid: fc.constant('2027-12-31'), bad: badDate } } },
  },
];

/** Bad requests for `target`: each part (path, query, body, headers) good or bad, at least one bad. */
function badRequests(target: Target, mode: Mode): fc.Arbitrary<Case> {
  if (target.query) return badQuery(target.query, mode);
  const method = target.route.split(' ')[0];
  const none = fc.constant({ bad: [] as Loc[] });
  const path = target.resource
    ? fc.oneof(
        { weight: 3, arbitrary: badGuestId(mode).map((id) => ({ id, bad: [param(paramOf(target))] })) },
        ...(mode === 'event' ? [{ weight: 1, arbitrary: fc.constant({ id: undefined, bad: [param(paramOf(target))] }) }] : []),
        { weight: 2, arbitrary: fc.constant(null).map(() => ({ id: { value: target.resource!().id, segment: target.resource!().id }, bad: [] as Loc[] })) },
      )
    : none;
  const body = target.body ? bodyPart(target.body.spec, target.body.optional, mode) : none;
  const idempotencyKey =
    method === 'POST'
      ? fc.oneof(
          { weight: 1, arbitrary: badIdempotencyKey(mode).map((idempotencyKey) => ({ idempotencyKey, bad: [header('Idempotency-Key')] })) },
          { weight: 1, arbitrary: validIdempotencyKey.map((idempotencyKey) => ({ idempotencyKey, bad: [] as Loc[] })) },
          { weight: 2, arbitrary: none },
        )
      : none;
  const ifMatch = target.ifMatch
    ? fc.oneof(
        { weight: 1, arbitrary: badIfMatch.map((ifMatch) => ({ ifMatch, bad: [header('If-Match')] })) },
        { weight: 1, arbitrary: fc.constant(null).chain(() => validIfMatch(target.resource!().version)).map((ifMatch) => ({ ifMatch, bad: [] as Loc[] })) },
        { weight: 2, arbitrary: none },
      )
    : none;
  return fc
    .tuple(path, body, idempotencyKey, ifMatch)
    .filter((parts) => parts.some((p) => p.bad.length > 0))
    .map((parts) => Object.assign({}, ...parts, { bad: parts.flatMap((p) => p.bad) }) as Case);
}

// ---------------------------------------------------------------------------------------------
// Sending, and what every answer must be
// ---------------------------------------------------------------------------------------------

const claims = new Map<string, Record<string, unknown>>();
async function claimsFor(caller: { huid: string; roles: string[] }): Promise<Record<string, unknown>> {
  const key = `${caller.huid}|${caller.roles.join(',')}`;
  // As the local gateway (and API Gateway) hands them to the handler: every claim a string.
  if (!claims.has(key)) claims.set(key, gatewayClaims((await t.sys.idp.verify(await t.sys.idp.token(caller))) as Record<string, unknown>));
  return claims.get(key)!;
}

/** The payload-v2 event the local API Gateway (local/api-server.ts) builds for this request. */
async function eventFor(target: Target, c: Case) {
  const [method, routePath] = target.route.split(' ') as [string, string];
  const rawPath = c.id ? routePath.replace(/\{\w+\}/, c.id.segment) : routePath;
  // What the distribution (locally: the gateway) adds to every API request: the origin secret and the viewer's address.
  const headers: Record<string, string> = { host: 'localhost', 'user-agent': 'fuzz', ...originHeadersFromTemplate(t.sys.deployment.template, t.sys.deployment.stackName), 'cloudfront-viewer-address': '127.0.0.1:50000' };
  if (c.body !== undefined && c.contentType !== null) headers['content-type'] = c.contentType ?? 'application/json';
  if (c.idempotencyKey !== undefined) headers['idempotency-key'] = c.idempotencyKey;
  if (c.ifMatch !== undefined) headers['if-match'] = c.ifMatch;
  const query = c.query?.length ? Object.fromEntries(c.query) : undefined;
  const now = t.sys.clock.now();
  const body = c.body === undefined || c.body === '' ? undefined : c.base64 ? Buffer.from(c.body, 'utf8').toString('base64') : c.body;
  return {
    version: '2.0',
    routeKey: target.route,
    rawPath,
    rawQueryString: new URLSearchParams(c.query ?? []).toString(),
    headers,
    queryStringParameters: query,
    pathParameters: c.id ? { [paramOf(target)]: c.id.value } : undefined,
    body,
    isBase64Encoded: Boolean(c.base64 && body !== undefined),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'local',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'fuzz' },
      requestId: 'fuzz',
      routeKey: target.route,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      ...(target.caller ? { authorizer: { jwt: { claims: await claimsFor(target.caller), scopes: null } } } : {}),
    },
  };
}

interface Reply {
  status: number;
  contentType: string | undefined;
  body: string;
  headers: Record<string, string>;
}

async function invoke(target: Target, c: Case): Promise<Reply> {
  const out = (await t.sys.clock.track(async () => handler((await eventFor(target, c)) as never, lambdaContext('api')))) as APIGatewayProxyStructuredResultV2;
  const headers = (out.headers ?? {}) as Record<string, string>;
  return { status: out.statusCode ?? 200, contentType: headers['content-type'], body: out.body ?? '', headers };
}

/**
 * Over HTTP to the local API Gateway. Its throttle (per route, as API Gateway's) answers a burst
 * beyond the route's limit 429 before any handler runs: as a client would, wait and send again.
 */
async function overHttp(target: Target, c: Case): Promise<Reply> {
  for (let attempt = 1; ; attempt++) {
    const reply = await sendOverHttp(target, c);
    if (reply.status !== 429 || attempt >= 20) return reply;
    expect(JSON.parse(reply.body), 'a 429 comes from the gateway throttle only').toEqual({ message: 'Too Many Requests' });
    await new Promise((r) => setTimeout(r, 150));
  }
}

let sourceIp = 1;
async function sendOverHttp(target: Target, c: Case): Promise<Reply> {
  const [method, routePath] = target.route.split(' ') as [string, string];
  let path = c.id ? routePath.replace(/\{\w+\}/, c.id.segment) : routePath;
  const qs = [new URLSearchParams(c.query ?? []).toString(), c.rawQuery].filter(Boolean).join('&');
  if (qs) path += `?${qs}`;
  const headers: Record<string, string> = {};
  if (target.caller) headers.authorization = `Bearer ${await t.token(target.caller.huid, target.caller.roles)}`;
  if (c.body !== undefined && c.contentType !== null) headers['content-type'] = c.contentType ?? 'application/json';
  if (c.idempotencyKey !== undefined) headers['idempotency-key'] = c.idempotencyKey;
  if (c.ifMatch !== undefined) headers['if-match'] = c.ifMatch;
  const body = c.body === undefined ? undefined : Buffer.from(c.body, 'utf8');
  if (body) headers['content-length'] = String(body.length);
  sourceIp = (sourceIp % 250) + 1;
  const { port } = new URL(t.sys.apiUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, localAddress: `127.0.0.${sourceIp + 1}`, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body: Buffer.concat(chunks).toString('utf8'), headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A JSON Pointer in URI-fragment form, as its reference tokens. */
function pointerTokens(pointer: string): string[] {
  expect(pointer, 'a JSON Pointer as a URI fragment').toMatch(/^#(\/([A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-F]{2})*)*$/);
  return pointer === '#' ? [] : pointer.slice(2).split('/').map((t) => decodeURIComponent(t).replace(/~1/g, '/').replace(/~0/g, '~'));
}

function names(e: { pointer?: string; parameter?: string; header?: string }, loc: Loc): boolean {
  if ('pointer' in loc) {
    if (e.pointer === undefined) return false;
    const tokens = pointerTokens(e.pointer);
    const head = tokens.slice(0, loc.pointer.length);
    return JSON.stringify(head) === JSON.stringify(loc.pointer) && (!loc.exact || tokens.length === loc.pointer.length);
  }
  if ('parameter' in loc) return e.parameter !== undefined && usv(e.parameter) === loc.parameter;
  return e.header?.toLowerCase() === loc.header.toLowerCase();
}

/** 4xx problem+json whose errors are not empty and each name one of the places the request was bad; and an answer the OpenAPI document declares. */
function assertRefused(target: Target, reply: Reply, c: Case): void {
  const context = `${reply.status} ${reply.body.slice(0, 2000)}\nexpected errors at ${JSON.stringify(c.bad)}`;
  checkRouteAnswer(target.route, { status: reply.status, headers: reply.headers, body: reply.body });
  expect([400, 413, 415], context).toContain(reply.status);
  expect(reply.contentType, context).toBe('application/problem+json');
  const problem = JSON.parse(reply.body) as { status: number; errors?: { pointer?: string; parameter?: string; header?: string; detail: string }[] };
  expect(problem.status, context).toBe(reply.status);
  expect(problem.errors?.length, context).toBeGreaterThan(0);
  for (const e of problem.errors!) {
    expect(Object.keys(e).filter((k) => k !== 'detail'), context).toHaveLength(1);
    expect(e.detail, context).toEqual(expect.any(String));
    expect(c.bad.some((loc) => names(e, loc)), `${JSON.stringify(e)} names nothing bad\n${context}`).toBe(true);
  }
}

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  t = await TestSystem.start({
    clock: '2027-01-04T14:00:00.000Z',
    seed: {
      people: [
        // The sample sponsor, delegate and new sponsor, and an HMS IT person.
        { huid: SPONSOR.huid, name: 'Ada Faculty', email: SPONSOR.email, role: 'faculty', school: 'HMS', site: 'Quad', active: true, delegates: [DELEGATE.huid] },
        { huid: DELEGATE.huid, name: 'Lee LabAdmin', email: DELEGATE.email, role: 'staff', school: 'HMS', site: 'Quad', active: true },
        { huid: NEW_SPONSOR, name: 'Dee Dental', email: 'dee.dental@hsdm.harvard.edu', role: 'faculty', school: 'HSDM', site: 'Quad', active: true },
        { huid: IT, name: 'Ivan Ithelp', email: 'ivan.ithelp@hms.harvard.edu', role: 'staff', school: 'HMS', site: 'Quad', active: true },
        // O2: a user with an HMS account, the lab's PI (off-Quad: a clinical appointment at MGH), RC Core staff, another user.
        { huid: O2_PEOPLE.user, name: 'Uma User', email: 'uma.user@hms.harvard.edu', role: 'staff', school: 'HMS', site: 'MGH', active: true, hmsAccountId: O2_USER_ACCOUNT, endDate: '2027-03-31' },
        { huid: O2_PEOPLE.labPi, name: 'Lin LabPi', email: 'lin.labpi@mgh.harvard.edu', role: 'faculty', school: 'HMS', site: 'MGH', active: true, appointments: [{ department: 'Medicine (MGH)', quad: false, kind: 'primary' }], hmsAccountId: 'lla300' },
        { huid: O2_PEOPLE.rcCore, name: 'Rhea RcCore', email: 'rhea.rccore@hms.harvard.edu', role: 'staff', school: 'HMS', site: 'Quad', active: true, groups: ['rc-core'] },
        { huid: O2_PEOPLE.otherUser, name: 'Otto User', email: 'otto.user@hms.harvard.edu', role: 'staff', school: 'HMS', site: 'MGH', active: true, hmsAccountId: 'ou300' },
      ],
      hsr: [
        { huid: GUEST.huid, firstName: 'Grace', lastName: 'Guest', personalEmail: GUEST.email, status: 'active', endDate: '2030-12-31' },
        { huid: '20000006', firstName: 'Vic', lastName: 'Visitor', personalEmail: 'vic.visitor@example.org', status: 'active', endDate: '2030-12-31' },
      ],
    },
  });
  const created = async (as: string, body: Record<string, unknown>) => {
    const res = await t.as(as, 'POST', '/v1/guests', { guestHuid: GUEST.huid, population: 'agency-temp', endDate: '2027-06-30', ...body });
    expect(res.status).toBe(202);
    await t.advance('PT0S');
    const g = await t.guest(SPONSOR.huid, String(res.body.guestId));
    return { id: String(g.guestId), version: Number(g.version), status: g.status, accountId: g.accountId };
  };
  const pending = await created(DELEGATE.huid, { sponsorHuid: SPONSOR.huid });
  expect(pending.status).toBe('PENDING_APPROVAL');
  const provisioned = await created(SPONSOR.huid, { guestHuid: '20000006' });
  expect(provisioned.status).toBe('PENDING_ACTIVATION');
  fixtures.pendingApproval = pending;
  fixtures.pendingActivation = provisioned;
  fixtures.accountId = String(provisioned.accountId);
  // O2: an off-Quad lab waiting for its registration, and an O2 account of it its user asked for (waiting for the PI).
  const lab = await t.as(O2_PEOPLE.labPi, 'POST', '/v1/labs', { name: 'Lin Lab', institution: 'MGH' });
  expect(lab.status, JSON.stringify(lab.body)).toBe(201);
  const o2 = await t.as(O2_PEOPLE.user, 'POST', '/v1/o2-accounts', { userHuid: O2_PEOPLE.user, piHuid: O2_PEOPLE.labPi, labId: lab.body.labId });
  expect(o2.status, JSON.stringify(o2.body)).toBe(202);
  await t.advance('PT0S');
  const o2Now = await t.as(O2_PEOPLE.user, 'GET', `/v1/o2-accounts/${String(o2.body.o2AccountId)}`);
  const labNow = await t.as(O2_PEOPLE.labPi, 'GET', `/v1/labs/${String(lab.body.labId)}`);
  fixtures.lab = { id: String(labNow.body.labId), version: Number(labNow.body.version) };
  fixtures.o2 = { id: String(o2Now.body.o2AccountId), version: Number(o2Now.body.version) };
});
afterAll(async () => {
  closeObserver();
  await t.stop();
});

it('covers every route with input', () => {
  // Every route that reads a path parameter, the query string or a body (GET /openapi.json and GET /v1/me read none).
  const routes = (ROUTES as readonly RouteSpec[]).filter((r) => r.operation.params || r.operation.query || r.operation.body).map(routeKey);
  expect(routes).not.toContain('GET /v1/me');
  expect(TARGETS.map((x) => x.route).sort()).toEqual(routes.sort());
});

describe(`${IN_PROCESS_RUNS} bad requests per endpoint, to the handler in-process`, () => {
  it.each(TARGETS.map((x) => [x.route, x] as const))('%s', async (_route, target) => {
    // Prepare
    const before = await systemState(t);
    // Act and Assess: each answer
    await fc.assert(
      fc.asyncProperty(badRequests(target, 'event'), async (c) => {
        assertRefused(target, await invoke(target, c), c);
      }),
      { numRuns: IN_PROCESS_RUNS },
    );
    // Assess: nothing stored, sent or started
    await t.advance('PT0S');
    expect(await systemState(t)).toEqual(before);
  });
});

describe(`${HTTP_RUNS} bad requests per endpoint, over HTTP through the local API Gateway`, () => {
  it.each(TARGETS.map((x) => [x.route, x] as const))('%s', async (_route, target) => {
    // Prepare
    const before = await systemState(t);
    // Act and Assess
    await fc.assert(
      fc.asyncProperty(badRequests(target, 'http'), async (c) => {
        assertRefused(target, await overHttp(target, c), c);
      }),
      { numRuns: HTTP_RUNS },
    );
    await t.advance('PT0S');
    expect(await systemState(t)).toEqual(before);
  });

  it.each([
    ['GET /v1/guests/{guestId}', 'GET', '/v1/guests/%E0%A4%A'],
    ['GET /v1/guests/{guestId}/history', 'GET', '/v1/guests/%ED%A0%80/history'],
    ['POST /v1/guests/{guestId}/decision', 'POST', '/v1/guests/%C0%AF/decision'],
    ['POST /v1/guests/{guestId}/reassign', 'POST', '/v1/guests/abc%/reassign'],
    ['GET /v1/labs/{labId}', 'GET', '/v1/labs/%E0%A4%A', 'must be a lab ID (UUID)'],
    ['POST /v1/labs/{labId}/registration', 'POST', '/v1/labs/%FF/registration', 'must be a lab ID (UUID)'],
    ['GET /v1/o2-accounts/{o2AccountId}/history', 'GET', '/v1/o2-accounts/%ED%A0%80/history', 'must be an O2 account ID (UUID)'],
    ['POST /v1/o2-accounts/{o2AccountId}/completion', 'POST', '/v1/o2-accounts/abc%/completion', 'must be an O2 account ID (UUID)'],
  ])('malformed percent-encoding in the path of %s: 400 naming its ID (not a 500 from the gateway)', async (route, method, path, detail?: string) => {
    // Prepare
    const target = TARGETS.find((x) => x.route === route)!;
    // Act
    const res = await overHttp(target, { id: { value: '', segment: path.split('/')[3]! }, body: method === 'POST' ? '{}' : undefined, bad: [param(paramOf(target))] });
    // Assess
    expect(res.status).toBe(400);
    expect(res.contentType).toBe('application/problem+json');
    expect(JSON.parse(res.body).errors).toEqual([{ parameter: paramOf(target), detail: detail ?? 'must be a guest ID (UUID)' }]);
  });
});

describe('bugs the fuzzing found, pinned', () => {
  it.each([
    ['__proto__', '{"guestHuid":"20000006","population":"agency-temp","endDate":"2027-06-30","__proto__":1}', '#/__proto__'],
    ['constructor', '{"guestHuid":"20000006","population":"agency-temp","endDate":"2027-06-30","constructor":{}}', '#/constructor'],
    ['a key with a slash', '{"guestHuid":"20000006","population":"agency-temp","endDate":"2027-06-30","a/b":1}', '#/a~1b'],
    ['a key with a dot', '{"guestHuid":"20000006","population":"agency-temp","endDate":"2027-06-30","a.b":1}', '#/a.b'],
    ['a key with a space', '{"guestHuid":"20000006","population":"agency-temp","endDate":"2027-06-30","a b":1}', '#/a%20b'],
    ['an array body', '[]', '#'],
  ])('an unknown field named %s is named by a correct pointer (was a 500 or a wrong pointer)', async (_name, body, pointer) => {
    const res = await t.as(SPONSOR.huid, 'POST', '/v1/guests', body);
    expect(res.status).toBe(400);
    expect((res.body.errors as { pointer: string }[]).map((e) => e.pointer)).toEqual([pointer]);
  });

  it('a forged cursor is a 400 naming the cursor parameter (was a 500 from DynamoDB)', async () => {
    const cursor = b64url(JSON.stringify({ pk: 'GUEST#x', sk: 'GUEST', sponsorHuid: '10000002', endDate: '2027-01-01' }));
    const res = await t.as(SPONSOR.huid, 'GET', `/v1/guests?cursor=${cursor}`);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ parameter: 'cursor', detail: 'not a cursor returned by this API' }]);
  });

  it('a query parameter named __proto__ is refused like any unknown one (the gateway used to drop it)', async () => {
    const res = await t.as(SPONSOR.huid, 'GET', '/v1/guests?__proto__=1');
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ parameter: '__proto__', detail: 'is not a known field' }]);
  });
});
