import type * as z from '../shared/domain/zod.ts';
import { parseEnv } from '../shared/runtime/env.ts';

/** What every module of `functions/` exports besides `handler`. */
export interface FunctionModule<Handler> {
  readonly envSchema: z.ZodMiniType;
  readonly portsFrom: (env: never) => unknown;
  readonly createHandler: (ports: never) => Handler;
}

/** The function's environment in local mode: what the stack sets in Lambda, pointing at this machine. */
export type LocalEnvironment = Readonly<Record<string, string | undefined>>;

/**
 * Builds a function's handler as Lambda does on its first invocation, from the given environment
 * instead of `process.env`: the same schema, composition root and middleware bundle.
 */
export function localHandler<Handler>(module: FunctionModule<Handler>, env: LocalEnvironment): Handler {
  return module.createHandler(module.portsFrom(parseEnv(module.envSchema, env) as never) as never);
}
