import type { z } from 'zod';
import { customerIdSchema } from './bank-event.ts';
import { type FieldProblem, ValidationError } from './errors.ts';

/** Parses a value with a schema, or throws a ValidationError listing every problem by path. */
export function parseOrThrow<Schema extends z.ZodType>(schema: Schema, value: unknown): z.output<Schema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(result.error.issues.map(toFieldProblem));
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
