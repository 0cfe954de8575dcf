import { customerIdSchema } from './bank-event.ts';
import { type FieldProblem, ValidationError } from './errors.ts';
import type * as z from './zod.ts';

/** Parses a value with a schema, or throws a ValidationError listing every problem by path. */
export function parseOrThrow<Schema extends z.ZodMiniType>(schema: Schema, value: unknown): z.output<Schema> {
  const result = schema.safeParse(value, { error: explainIssue });
  if (result.success) return result.data;
  throw new ValidationError(result.error.issues.map(toFieldProblem));
}

/**
 * What a client should do about a problem, in its words: "Required.", "Must be one of: ...",
 * "Unknown field ...". Messages set on a schema (minor units, offsets, allowed characters) win.
 */
export function explainIssue(issue: z.core.$ZodRawIssue): string | undefined {
  const missing = issue.input === undefined && !('keys' in issue);
  if (missing && ['invalid_type', 'invalid_value', 'invalid_union'].includes(issue.code ?? '')) {
    return 'Required.';
  }
  switch (issue.code) {
    case 'invalid_type':
      if (issue.expected === 'int') return 'Must be a whole number.';
      return `Must be ${withArticle(String(issue.expected))}, not ${describe(issue.input)}.`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `Must be ${JSON.stringify(issue.values[0])}.`
        : `Must be one of: ${issue.values.map((item) => JSON.stringify(item)).join(', ')}.`;
    case 'invalid_union':
      return 'options' in issue && Array.isArray(issue.options)
        ? `Must be one of: ${issue.options.map((item) => JSON.stringify(item)).join(', ')}.`
        : undefined;
    case 'unrecognized_keys':
      return `Unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => JSON.stringify(key)).join(', ')}: remove ${issue.keys.length > 1 ? 'them' : 'it'}; only the documented fields are accepted.`;
    case 'too_small':
      if (issue.origin === 'string')
        return `Must be at least ${issue.minimum} character${issue.minimum === 1 ? '' : 's'} long.`;
      if (issue.origin === 'array')
        return `Must have at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}.`;
      return `Must be ${issue.minimum} or more.`;
    case 'too_big':
      if (issue.origin === 'string') return `Must be at most ${issue.maximum} characters long.`;
      if (issue.origin === 'array') return `Must have at most ${issue.maximum} items.`;
      return `Must be ${issue.maximum} or less.`;
    default:
      return undefined;
  }
}

function withArticle(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return withArticle(typeof value);
}

function toFieldProblem(issue: z.core.$ZodIssue): FieldProblem {
  return { path: formatPath(issue.path), message: issue.message };
}

/** `transaction.merchant.mcc`, `homeCountries[1]`; the empty path (the whole body) is `$`. */
function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text === '' ? '$' : text;
}

/** A customer id taken from a URL path, refused with a `path:customerId` problem when invalid. */
export function customerIdFromPath(customerId: string): string {
  const result = customerIdSchema.safeParse(customerId);
  if (result.success) return result.data;
  throw new ValidationError([
    { path: 'path:customerId', message: result.error.issues[0]?.message ?? 'Invalid.' },
  ]);
}
