import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { problemResponse } from '../shared/runtime/problem-json-errors.ts';
import { foreignRequestReason } from './loopback-guard.ts';

// Local mode's API Gateway: turns each HTTP request into the payload format 2.0 event that an
// HTTP API sends to Lambda and calls the very handler that is deployed.

export type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

export interface LocalRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** A route path in API Gateway's syntax: `/v1/banks/{bankId}/events`. */
  readonly path: string;
  readonly functionName: string;
  readonly handler: HttpHandler;
}

export interface LocalHttpServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Bodies past this are refused before any handler runs, as API Gateway refuses bodies past 10 MB. */
const MAX_REQUEST_BYTES = 1024 * 1024;

/**
 * Invocations of one function that run at once; the requests past it wait their turn, in order.
 * Local mode runs the API, the stream consumers and DynamoDB Local on the same few cores: without
 * a bound, a flood of API requests takes all of DynamoDB Local and scoring falls behind (as
 * Lambda's reserved concurrency keeps one function from taking every execution environment).
 */
export const LOCAL_FUNCTION_CONCURRENCY = 8;

/** A first-in, first-out limit of concurrent work. */
export function concurrencyLimit(limit: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await work();
    } finally {
      // The slot passes to the next waiter as is, so that a newcomer cannot take it first.
      const next = waiting.shift();
      if (next === undefined) running--;
      else next();
    }
  };
}

export function startLambdaHttpServer(
  routes: readonly LocalRoute[],
  port: number,
  functionConcurrency = LOCAL_FUNCTION_CONCURRENCY,
) {
  const host = '127.0.0.1';
  const matchers = routes.map((route) => ({ route, pattern: routePattern(route.path) }));
  const limits = new Map(routes.map((route) => [route.functionName, concurrencyLimit(functionConcurrency)]));
  let listeningPort = port;
  const server = createServer((request, response) => {
    // DNS rebinding and cross-origin pages: refused before anything is read (local/loopback-guard.ts).
    const refused = foreignRequestReason(request.headers, listeningPort);
    if (refused !== undefined) {
      request.resume();
      send(response, problemResponse(403, 'forbidden', 'Forbidden', `Local mode refuses a ${refused}.`));
      return;
    }
    handle(request, response).catch((error: unknown) => {
      process.stderr.write(`local server error: ${String(error)}\n`);
      if (!response.headersSent)
        send(response, problemResponse(500, 'internal-error', 'Internal error', 'Retry later.'));
    });
  });
  // Keep-alive connections would hold close() open until they time out.
  server.keepAliveTimeout = 1000;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const candidates = matchers.filter(({ pattern }) => pattern.test(url.pathname));
    const match = candidates.find(({ route }) => route.method === request.method);
    if (match === undefined) {
      const [status, title] = candidates.length > 0 ? [405, 'Method not allowed'] : [404, 'Not found'];
      request.resume();
      send(
        response,
        problemResponse(status, status === 405 ? 'method-not-allowed' : 'not-found', title, 'No such route.'),
      );
      return;
    }
    const body = await readBody(request);
    if (body === undefined) {
      send(
        response,
        problemResponse(413, 'payload-too-large', 'Payload too large', 'The body is far too large.'),
      );
      return;
    }
    const event = toEvent(request, url, match.route, match.pattern.exec(url.pathname)?.groups ?? {}, body);
    const { functionName } = match.route;
    const invoke = () => match.route.handler(event, lambdaContext(functionName));
    send(response, await (limits.get(functionName) ?? ((work: typeof invoke) => work()))(invoke));
  }

  return new Promise<LocalHttpServer>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      listeningPort = typeof address === 'object' && address !== null ? address.port : port;
      resolve({
        url: `http://${host}:${listeningPort}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

function routePattern(path: string): RegExp {
  const segments = path.split('/').map((segment) => {
    const parameter = /^\{(\w+)\}$/.exec(segment)?.[1];
    return parameter === undefined
      ? segment.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&')
      : `(?<${parameter}>[^/]+)`;
  });
  return new RegExp(`^${segments.join('/')}$`);
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) {
      request.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function toEvent(
  request: IncomingMessage,
  url: URL,
  route: LocalRoute,
  pathParameters: Record<string, string>,
  body: Buffer,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const now = new Date();
  const decodedParameters = Object.fromEntries(
    Object.entries(pathParameters).map(([name, value]) => [name, safeDecode(value)]),
  );
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(url.search !== '' && { queryStringParameters: Object.fromEntries(url.searchParams) }),
    ...(Object.keys(decodedParameters).length > 0 && { pathParameters: decodedParameters }),
    isBase64Encoded: true,
    ...(body.length > 0 && { body: body.toString('base64') }),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** A Lambda context with the fields middy and Powertools read. */
export function lambdaContext(functionName: string, timeoutMs = 29_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function send(response: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  const body =
    result.body === undefined ? '' : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  response.writeHead(result.statusCode ?? 200, { ...result.headers, 'content-length': String(body.length) });
  response.end(body);
}
