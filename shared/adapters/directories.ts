/**
 * The Harvard people directory and HSR directory. The DynamoDB adapter is the default (loaded from
 * a JSON file); the HTTP adapters speak to the real systems at a configured URL.
 *
 * A person may carry (issue 14) faculty appointments (department, Quad or not, primary or
 * secondary), directory groups (`rc-core`, `lab-manager:<PI HUID>`, `core-admin:<PI HUID>`), the HMS
 * account ID HMS provisioned for their role, and the last day of their appointment. All four are
 * optional: a seed file written before them still loads, and means what it meant.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
// zod/mini, not zod: the same validation with a fraction of the code in every function's bundle
// (issue 21: the task functions import zod for this file only).
import * as z from 'zod/mini';
import type { HsrRecord, Person } from '../core/domain/people.ts';
import { ACCOUNT_ID_PATTERN } from '../guest/domain/rules.ts';
import type { HsrDirectory, PeopleDirectory } from '../core/ports.ts';

const huid = z.string().check(z.regex(/^\d{8}$/, 'an 8-digit HUID'));
const isoDate = z.iso.date();
/** A string of `min` to `max` characters. */
const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));

const APPOINTMENT = z.strictObject({
  department: text(1, 200),
  quad: z.boolean(),
  kind: z.enum(['primary', 'secondary']),
});

const PERSON_SHAPE = {
  huid,
  name: text(1, 200),
  email: z.email(),
  role: text(1, 40),
  school: text(1, 40),
  site: text(1, 40),
  active: z.boolean(),
  delegates: z.optional(z.array(huid).check(z.maxLength(50))),
  appointments: z.optional(
    z.array(APPOINTMENT).check(
      z.maxLength(20),
      z.superRefine((list, ctx) => {
        // One primary appointment at most: the second one is named.
        const primaries = list.flatMap((a, i) => (a.kind === 'primary' ? [i] : []));
        for (const i of primaries.slice(1)) ctx.addIssue({ code: 'custom', path: [i, 'kind'], message: 'a person has one primary appointment at most', input: list });
      }),
    ),
  ),
  groups: z.optional(z.array(z.string().check(z.regex(/^[a-z][a-z0-9-]*(:\d{8})?$/, 'a group name (rc-core, or lab-manager:<HUID>, core-admin:<HUID>)'), z.maxLength(100))).check(z.maxLength(50))),
  hmsAccountId: z.optional(z.string().check(z.regex(ACCOUNT_ID_PATTERN, 'an HMS account ID (up to three letters and at least three digits, e.g. jd123)'))),
  endDate: z.optional(isoDate),
};
export const PersonSchema = z.strictObject(PERSON_SHAPE);

const HSR_SHAPE = {
  huid,
  firstName: text(1, 100),
  lastName: text(1, 100),
  personalEmail: z.email(),
  status: z.enum(['active', 'inactive']),
  endDate: isoDate,
};
export const HsrSchema = z.strictObject(HSR_SHAPE);

export const DirectorySeedSchema = z.strictObject({
  people: z._default(z.array(PersonSchema), []),
  hsr: z._default(z.array(HsrSchema), []),
});
export type DirectorySeed = z.infer<typeof DirectorySeedSchema>;

/** A field's path as written in JSON terms: people[0].huid, hsr[1].endDate. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${String(seg)}` : String(seg)), '');
}

/** Validates seed data; throws an Error listing the path of each bad field. */
export function parseDirectorySeed(data: unknown, source = 'seed'): DirectorySeed {
  const result = DirectorySeedSchema.safeParse(data);
  if (!result.success) {
    // An unknown field is named by its own path (people[0].nmae), not by the object holding it.
    const lines = result.error.issues.flatMap((i) =>
      i.code === 'unrecognized_keys' ? i.keys.map((k) => `  ${fieldPath([...i.path, k])}: unknown field`) : [`  ${fieldPath(i.path) || '(root)'}: ${i.message}`],
    );
    throw new Error(`${source} is not a valid directory seed:\n${lines.join('\n')}`);
  }
  return result.data;
}

export class DynamoDirectory implements PeopleDirectory, HsrDirectory {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  private async item<T>(pk: string): Promise<T | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk } }));
    if (!out.Item) return undefined;
    const { pk: _pk, ...rest } = out.Item;
    return rest as T;
  }

  person(huid: string): Promise<Person | undefined> {
    return this.item<Person>(`PERSON#${huid}`);
  }

  hsr(huid: string): Promise<HsrRecord | undefined> {
    return this.item<HsrRecord>(`HSR#${huid}`);
  }

  /** One read: the `DELEGATE#<huid>` item written with the people (see `load`). */
  async sponsorsOf(delegateHuid: string): Promise<string[]> {
    return (await this.item<{ sponsors?: string[] }>(`DELEGATE#${delegateHuid}`))?.sponsors ?? [];
  }

  /**
   * Loads a seed (people and HSR records) into the table, 25 items a batch, with the reverse of
   * every delegate list: one `DELEGATE#<delegate>` item per delegate naming the sponsors who named
   * them, so that "whose delegate is X" is one GetItem, never a Scan. A load adds to the delegate
   * items already there (a seed may hold only some people), so one may name a sponsor who has
   * since dropped the delegate: readers check the sponsor's own list (the people record decides).
   */
  async load(seed: DirectorySeed): Promise<void> {
    const sponsorsOf = new Map<string, string[]>();
    for (const p of seed.people) for (const d of new Set(p.delegates ?? [])) sponsorsOf.set(d, [...(sponsorsOf.get(d) ?? []), p.huid]);
    for (const [delegate, sponsors] of sponsorsOf) sponsorsOf.set(delegate, [...(await this.sponsorsOf(delegate)), ...sponsors]);
    const items = [
      ...seed.people.map((p) => ({ pk: `PERSON#${p.huid}`, ...p })),
      ...seed.hsr.map((h) => ({ pk: `HSR#${h.huid}`, ...h })),
      ...[...sponsorsOf].map(([delegate, sponsors]) => ({ pk: `DELEGATE#${delegate}`, huid: delegate, sponsors: [...new Set(sponsors)].sort() })),
    ];
    for (let i = 0; i < items.length; i += 25) {
      let pending: Record<string, unknown>[] | undefined = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending?.length && attempt < 8; attempt++) {
        const out: { UnprocessedItems?: Record<string, unknown[]> } = await this.doc.send(
          new BatchWriteCommand({ RequestItems: { [this.table]: pending as never } }),
        );
        pending = out.UnprocessedItems?.[this.table] as Record<string, unknown>[] | undefined;
      }
      if (pending?.length) throw new Error(`Could not load ${pending.length} directory items`);
    }
  }
}

/** HTTP adapter: GET {baseUrl}/{huid} answers the record as JSON, or 404. */
export class HttpDirectory<T> {
  constructor(
    private readonly baseUrl: string,
    private readonly schema: z.ZodMiniType<T>,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  /** GET {baseUrl}/{huid}[/{sub}]: the record, or undefined on 404. */
  async get(huid: string, sub?: string): Promise<T | undefined> {
    const res = await this.fetchFn(`${this.baseUrl.replace(/\/$/, '')}/${encodeURIComponent(huid)}${sub ? `/${sub}` : ''}`, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(5000),
    });
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`Directory ${this.baseUrl} answered ${res.status}`);
    return this.schema.parse(await res.json());
  }
}

/**
 * The people directory over HTTP. Assumed endpoints: `GET {baseUrl}/{huid}` answers the person
 * (or 404), and `GET {baseUrl}/{huid}/sponsors` answers `{"sponsors": ["<HUID>", ...]}`, the people
 * who named that person as a delegate (or 404: none). The second is an assumption about the real
 * directory, to be confirmed with its owners before the adapter is used in production.
 */
export class HttpPeopleDirectory implements PeopleDirectory {
  private readonly http: HttpDirectory<Person>;
  private readonly sponsors: HttpDirectory<{ sponsors: string[] }>;
  constructor(baseUrl: string, fetchFn?: typeof fetch) {
    this.http = new HttpDirectory(baseUrl, z.looseObject(PERSON_SHAPE) as unknown as z.ZodMiniType<Person>, fetchFn);
    this.sponsors = new HttpDirectory(baseUrl, z.object({ sponsors: z.array(huid).check(z.maxLength(1000)) }), fetchFn);
  }
  person(huid: string) {
    return this.http.get(huid);
  }
  async sponsorsOf(delegateHuid: string): Promise<string[]> {
    return (await this.sponsors.get(delegateHuid, 'sponsors'))?.sponsors ?? [];
  }
}

export class HttpHsrDirectory implements HsrDirectory {
  private readonly http: HttpDirectory<HsrRecord>;
  constructor(baseUrl: string, fetchFn?: typeof fetch) {
    this.http = new HttpDirectory(baseUrl, z.looseObject(HSR_SHAPE) as unknown as z.ZodMiniType<HsrRecord>, fetchFn);
  }
  hsr(huid: string) {
    return this.http.get(huid);
  }
}
