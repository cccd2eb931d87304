/**
 * Every field error the API can give, as the pages say it (web/src/kit/words.ts): a sentence about
 * what to do, with no programmer's words (zod's "Invalid option: expected one of …", "YYYY-MM-DD",
 * ISO dates, quotes and bars of an enum). The messages are collected two ways: by sending every
 * route's body and query schema bad values for each field (what zod and our schemas say), and from
 * the field messages the use cases and rules throw (read from their source).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../../shared/core/domain/errors.ts';
import { parseWith } from '../../shared/http/problem.ts';
import { ROUTES } from '../../shared/http/routes.ts';
import { personWords, type FieldWords } from '../../web/src/kit/words.ts';
import { ROOT } from '../support/cli.ts';

const BAD_VALUES: unknown[] = [undefined, null, '', ' ', 'x'.repeat(5000), 12345, true, {}, [], 'not a value', '20271-12-07', '2027-02-31', '12/07/2027', 'two\nlines', 'evil\u202etext', 'a\u0007b', '1234567', 'abc@', { charged: 'maybe' }];

/** The messages a schema gives for bad values of each of its fields (and for the whole body). */
function messagesOf(schema: z.ZodType, where: 'body' | 'query'): string[] {
  const shape = schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>) : {};
  const out = new Set<string>();
  const collect = (value: unknown) => {
    try {
      parseWith(schema, value, where);
    } catch (err) {
      if (err instanceof ValidationError) for (const messages of Object.values(err.fields ?? {})) for (const m of messages) out.add(m);
    }
  };
  collect({});
  collect({ unknownField: 1 });
  for (const key of Object.keys(shape)) for (const bad of BAD_VALUES) collect({ [key]: bad });
  return [...out];
}

/** The field messages the use cases and rules throw, from their source: `{ field: ['…'] }` of a ValidationError, templates filled with a date. */
function thrownMessages(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.ts')) files.push(join(dir, e.name));
    }
  };
  walk('shared');
  const out = new Set<string>();
  for (const f of files) {
    const text = readFileSync(join(ROOT, f), 'utf8');
    for (const call of text.matchAll(/new ValidationError\([^;]*?\{([^;]*?)\}\s*\)/gs)) {
      for (const m of call[1]!.matchAll(/:\s*\[\s*(['`"])(.*?)\1\s*\]/gs)) out.add(m[2]!.replace(/\$\{[^}]*\}/g, '2028-01-04'));
    }
  }
  return [...out];
}

const PROGRAMMER = /YYYY|UUID|<=|expected|Invalid|received|undefined|regex|enum|\bISO\b|\d{4}-\d{2}-\d{2}|["|]|\bnull\b|\bstring\b|\bnumber\b/;
const KINDS: FieldWords[] = [{ what: 'the end date', kind: 'date' }, { what: "the guest's population", kind: 'choice' }, { what: "the guest's HUID", kind: 'huid' }, { what: 'the justification' }];

describe('every field error the API can give, in the pages’ words', () => {
  const fromSchemas = ROUTES.flatMap((r) => {
    const op = r.operation as { body?: { schema: z.ZodType }; query?: z.ZodType };
    return [...(op.body ? messagesOf(op.body.schema, 'body') : []), ...(op.query ? messagesOf(op.query, 'query') : [])];
  });
  const fromRules = thrownMessages();
  const all = [...new Set([...fromSchemas, ...fromRules])];

  it('collects the messages of the schemas and of the rules (zod’s own among them)', () => {
    expect(fromSchemas.length).toBeGreaterThan(20);
    expect(fromRules.length).toBeGreaterThan(5);
    expect(all.some((m) => /expected one of/.test(m))).toBe(true);
    expect(all).toContain('must be a date as YYYY-MM-DD');
  });

  it('each, about any kind of field, is a sentence saying what to do, without a programmer’s word', () => {
    const bad = all.flatMap((m) => KINDS.map((k) => [m, personWords(m, k)] as const)).filter(([, w]) => PROGRAMMER.test(w) || !/^[A-Z].*[.]$/s.test(w));
    expect(bad).toEqual([]);
  });

  it('says what the issue found in words a person uses', () => {
    expect(personWords('Invalid option: expected one of "agency-temp"|"ce-or-summer-student"', { what: "the guest's population", kind: 'choice' })).toBe("Choose the guest's population.");
    expect(personWords('must be a date as YYYY-MM-DD', { what: 'the end date', kind: 'date' })).toBe('Enter the end date as a full date: month, day and a four-digit year.');
    expect(personWords('must be at most one year from today: 2028-01-04 at the latest', { what: 'the new end date', kind: 'date' })).toBe('The new end date must be at most one year from today: Tue, Jan 4, 2028 at the latest.');
    expect(personWords('must be an 8-digit Harvard ID (HUID)', { what: "the guest's HUID", kind: 'huid' })).toBe("Enter the guest's HUID as a Harvard ID: 8 digits, nothing else.");
  });
});
