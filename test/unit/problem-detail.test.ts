import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../../shared/core/domain/errors.ts';
import { parseWith } from '../../shared/http/problem.ts';

/** The problem detail of a refused body or parameters reads as English, one error or several. */
describe('parseWith: the detail of a bad request', () => {
  const schema = z.strictObject({ a: z.string(), b: z.number() });
  const detail = (value: unknown, where: 'body' | 'query' | 'path') => {
    try {
      parseWith(schema, value, where);
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      return (err as Error).message;
    }
    throw new Error('accepted');
  };

  it.each([
    ['body', { a: 'x', b: 'no' }, 'The request body has an error.'],
    ['body', { a: 1, b: 'no' }, 'The request body has errors.'],
    ['query', { a: 'x', b: 'no' }, 'The query parameters have an error.'],
    ['path', { a: 1, b: 'no' }, 'The path parameters have errors.'],
  ] as const)('%s %j: %s', (where, value, expected) => {
    expect(detail(value, where)).toBe(expected);
  });
});
