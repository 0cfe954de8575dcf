import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/domain/errors.ts';
import { customerIdFromPath, parseOrThrow } from '../../shared/domain/validate.ts';
import * as z from '../../shared/domain/zod.ts';

// Each kind of problem a client can make, and the sentence that tells them what to send instead.

function messages(schema: z.ZodMiniType, value: unknown): Record<string, string> {
  try {
    parseOrThrow(schema, value);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return Object.fromEntries(((error as ValidationError).errors ?? []).map((p) => [p.path, p.message]));
  }
  throw new Error('accepted');
}

describe('parseOrThrow', () => {
  it('returns the parsed value when it is valid', () => {
    expect(parseOrThrow(z.strictObject({ n: z.int() }), { n: 3 })).toEqual({ n: 3 });
  });

  it('names the expected type and what was sent instead', () => {
    const schema = z.strictObject({ s: z.string(), n: z.number(), i: z.int(), o: z.object({}) });
    expect(messages(schema, { s: null, n: [1], i: 1.5, o: 'x' })).toEqual({
      s: 'Must be a string, not null.',
      n: 'Must be a number, not an array.',
      i: 'Must be a whole number.',
      o: 'Must be an object, not a string.',
    });
    expect(messages(schema, { s: 1, n: true, i: 'x', o: {} })).toEqual({
      s: 'Must be a string, not a number.',
      n: 'Must be a number, not a boolean.',
      i: 'Must be a number, not a string.',
    });
  });

  it('says "Required." for a missing field and lists the allowed values of an enum or literal', () => {
    const schema = z.strictObject({ one: z.literal('a'), many: z.enum(['x', 'y']), need: z.string() });
    expect(messages(schema, { one: 'b', many: 'z' })).toEqual({
      one: 'Must be "a".',
      many: 'Must be one of: "x", "y".',
      need: 'Required.',
    });
  });

  it('names unknown fields, one or several, at the object’s path', () => {
    const schema = z.strictObject({ inner: z.strictObject({ a: z.string() }) });
    expect(messages(schema, { inner: { a: 'x', b: 1 } })).toEqual({
      inner: 'Unknown field "b": remove it; only the documented fields are accepted.',
    });
    expect(messages(schema, { inner: { a: 'x' }, __proto__x: 1, 'a"b': 2 })).toEqual({
      $: 'Unknown fields "__proto__x", "a\\"b": remove them; only the documented fields are accepted.',
    });
  });

  it('gives the bounds of strings, arrays and numbers, singular and plural', () => {
    const schema = z.strictObject({
      s1: z.string().check(z.minLength(1)),
      s3: z.string().check(z.minLength(3), z.maxLength(4)),
      a1: z.array(z.int()).check(z.minLength(1)),
      a2: z.array(z.int()).check(z.minLength(2), z.maxLength(2)),
      n: z.int().check(z.minimum(5), z.maximum(10)),
    });
    expect(messages(schema, { s1: '', s3: 'ab', a1: [], a2: [1], n: 4 })).toEqual({
      s1: 'Must be at least 1 character long.',
      s3: 'Must be at least 3 characters long.',
      a1: 'Must have at least 1 item.',
      a2: 'Must have at least 2 items.',
      n: 'Must be 5 or more.',
    });
    expect(messages(schema, { s1: 'x', s3: 'abcde', a1: [1], a2: [1, 2, 3], n: 11 })).toEqual({
      s3: 'Must be at most 4 characters long.',
      a2: 'Must have at most 2 items.',
      n: 'Must be 10 or less.',
    });
  });

  it('falls back to the schema library’s own message where it has no sentence of its own', () => {
    const schema = z.strictObject({
      either: z.union([z.literal('a'), z.int()]),
      code: z.string().check(z.regex(/^[A-Z]+$/)),
    });
    const found = messages(schema, { either: 'b', code: 'abc' });
    expect(Object.keys(found).sort()).toEqual(['code', 'either']);
    // zod/mini has no messages of its own: shared/domain/zod.ts sets classic zod's English ones.
    expect(found.code).toBe('Invalid string: must match pattern /^[A-Z]+$/');
    // Never empty, never the raw input echoed back.
    for (const message of Object.values(found)) {
      expect(message.length).toBeGreaterThan(0);
      expect(message).not.toMatch(/abc/);
    }
  });

  it('keeps a message set on the schema, and a path into arrays', () => {
    const schema = z.strictObject({
      codes: z.array(z.string().check(z.regex(/^[A-Z]{2}$/, 'Must be a two-letter code.'))),
    });
    expect(messages(schema, { codes: ['FR', 'fr'] })).toEqual({ 'codes[1]': 'Must be a two-letter code.' });
    // A whole body of the wrong type is reported at `$`.
    expect(messages(schema, 'not an object')).toEqual({ $: 'Must be an object, not a string.' });
  });
});

describe('customerIdFromPath', () => {
  it('accepts an opaque reference and refuses hostile or personal ids with a path problem', () => {
    expect(customerIdFromPath('cust_0042')).toBe('cust_0042');
    for (const hostile of ['', 'jane@example.com', '../admin', 'a#b', 'x'.repeat(300), 'ñ\u0000']) {
      let caught: unknown;
      try {
        customerIdFromPath(hostile);
      } catch (error) {
        caught = error;
      }
      expect(caught, hostile).toBeInstanceOf(ValidationError);
      expect((caught as ValidationError).errors?.[0]?.path).toBe('path:customerId');
    }
  });
});
