import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpRouterHandler, { type Route } from '@middy/http-router';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import { NotFoundError } from '../domain/errors.ts';
import type * as z from '../domain/zod.ts';
import { metrics } from './metrics.ts';
import { problemJsonErrors } from './problem-json-errors.ts';
import { restApiEvents } from './rest-api-event.ts';
import { readStreamRecord, type StreamChange } from './stream-records.ts';

// One middleware bundle per kind of function (docs/architecture.md#functions): every function
// gets the same logging context and metrics (its traces are Lambda's own X-Ray segments); HTTP
// functions the same event format, header names and RFC 9457 errors; stream consumers the same
// validated records and partial batch responses.

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;
export type HttpRoute = Route<HttpEvent, HttpResult>;

/** The logger's context and metrics: first on every function. */
function base<Event, Result>(log: Logger) {
  return middy<Event, Result>()
    .use(injectLambdaContext(log, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}

export interface HttpOptions {
  /** Told the problem type of every refused request (a 4xx), for a metric. */
  readonly onRefused?: (problemType: string) => void;
}

/**
 * An HTTP function: REST API events read as HTTP API (2.0) events, lower-case header names,
 * every error an RFC 9457 problem.
 */
export function httpHandler(
  log: Logger,
  handle: (event: HttpEvent, context: Context) => Promise<HttpResult>,
  options: HttpOptions = {},
) {
  return base<HttpEvent, HttpResult>(log)
    .use(restApiEvents())
    .use(httpHeaderNormalizer())
    .use(problemJsonErrors(log, options.onRefused))
    .handler(handle);
}

/**
 * An HTTP function with routes (middy's router): an unknown route is a 404 problem. Apart from
 * `httpHandler`, so that a function with one route bundles no router.
 */
export function httpRoutesHandler(log: Logger, routes: readonly HttpRoute[], options: HttpOptions = {}) {
  const router = httpRouterHandler<HttpEvent, HttpResult>({
    routes: [...routes],
    notFoundResponse: () => {
      throw new NotFoundError('No such route.');
    },
  });
  return httpHandler(log, router, options);
}

export interface StreamOptions {
  /**
   * The records of one batch with the same value are handled one after the other, in stream
   * order, and a record after a failed one fails with it (the stream retries both, in order);
   * records with different values run side by side. Without it, every record runs side by side.
   */
  readonly inOrderOf?: (record: DynamoDBRecord) => string;
}

/**
 * A table stream consumer: each record's images unmarshalled and validated with the table's
 * schema, then handled on its own, side by side (or in order within a group: StreamOptions); a
 * record that fails (an invalid image included) is reported in the partial batch response, and
 * the stream retries from it.
 */
export function streamHandler<Schema extends z.ZodMiniType>(
  log: Logger,
  schema: Schema,
  handleChange: (change: StreamChange<z.output<Schema>>, context: Context) => Promise<void>,
  options: StreamOptions = {},
) {
  const handleRecord = (context: Context) => {
    const handle = async (record: DynamoDBRecord) =>
      handleChange(readStreamRecord(record, schema, log), context);
    const { inOrderOf } = options;
    if (inOrderOf === undefined) return handle;
    // The last record of each group so far: the processor starts the records in batch order.
    const last = new Map<string, Promise<void>>();
    return (record: DynamoDBRecord) => {
      const group = inOrderOf(record);
      const handled = (last.get(group) ?? Promise.resolve()).then(() => handle(record));
      last.set(group, handled);
      return handled;
    };
  };
  return base<DynamoDBStreamEvent, DynamoDBBatchResponse>(log).handler(async (event, context) =>
    // One processor per invocation: it holds the batch's state.
    processPartialResponse(event, handleRecord(context), new BatchProcessor(EventType.DynamoDBStreams), {
      context,
      processInParallel: true,
    }),
  );
}

/** A scheduled function (EventBridge Scheduler): the run's result is returned for the logs. */
export function scheduledHandler<Event, Result>(log: Logger, run: (event: Event) => Promise<Result>) {
  return base<Event, Result>(log).handler(run);
}

/**
 * Builds the handler on its first invocation, not at import: importing a function module reads
 * no environment and creates no client (tests and local mode build their own handlers).
 */
export function lazyHandler<Handler extends (event: never, context: Context) => Promise<unknown>>(
  build: () => Handler,
): Handler {
  let built: Handler | undefined;
  // A configuration error fails the invocation (a rejection, as any handler error); the next
  // invocation tries again.
  return (async (event: never, context: Context) => {
    built ??= build();
    return built(event, context);
  }) as Handler;
}
