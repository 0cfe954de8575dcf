import type { MiddlewareObj } from '@middy/core';

// X-Ray's function segments come from Lambda itself (active tracing, cdk/app-function.ts). A
// subsegment per AWS SDK call needs the X-Ray SDK, which weighs about 120 KB and the longest part
// of a cold start (docs/capacity-and-cost.md, "Bundles"): a function that wants it imports
// `./tracer.ts`, which sets it here; the others bundle none of it and trace nothing themselves.

export interface Tracing {
  /** The middlewares that trace the invocation (first of the common ones): none, or the X-Ray SDK's. */
  readonly middlewares: () => MiddlewareObj[];
  /** The AWS SDK client, traced call by call. */
  readonly captureAwsClient: <Client>(client: Client) => Client;
}

const untraced: Tracing = { middlewares: () => [], captureAwsClient: (client) => client };
let current = untraced;

/** The tracing of this function: the X-Ray SDK's if its module imported `./tracer.ts`, else none. */
export function tracing(): Tracing {
  return current;
}

/** Set by `./tracer.ts` when a function imports it. */
export function useTracing(chosen: Tracing): void {
  current = chosen;
}
