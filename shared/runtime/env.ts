import * as z from '../domain/zod.ts';

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/**
 * An endpoint URL in the environment, read as zod's `z.url()` reads one (trimmed, parsed by
 * `URL`, tabs and line breaks deleted, "Invalid URL" otherwise) without its URL schema and the
 * hostname checks it carries into every bundle (docs/capacity-and-cost.md, "Bundles").
 */
export function envUrl() {
  return z.string().check(
    z.overwrite((value) => value.trim()),
    z.refine((value) => URL.canParse(value), 'Invalid URL'),
    z.overwrite((value) => value.replace(/[\t\n\r]/g, '')),
  );
}

/** Reads and validates a function's environment at cold start, failing with every problem at once. */
export function parseEnv<Schema extends z.ZodMiniType>(
  schema: Schema,
  env: NodeJS.ProcessEnv = process.env,
): z.output<Schema> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigurationError(`Invalid environment: ${problems.join('; ')}`);
}
