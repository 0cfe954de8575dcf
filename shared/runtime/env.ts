import type * as z from '../domain/zod.ts';

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
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
