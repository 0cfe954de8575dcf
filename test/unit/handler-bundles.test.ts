import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { lambdaContext } from '../../local/lambda-http-server.ts';
import { ConfigurationError } from '../../shared/runtime/env.ts';
import { httpRoutesHandler, lazyHandler } from '../../shared/runtime/handler-bundles.ts';
import { logger } from '../../shared/runtime/logger.ts';

const request = (method: string, path: string): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: { http: { method, path, sourceIp: '127.0.0.1' } },
  }) as unknown as APIGatewayProxyEventV2;

describe('function modules have no import-time side effects', () => {
  it.each([
    'bank-admin',
    'deliver-callbacks',
    'expire-alerts',
    'messenger-webhook',
    'notify-bank',
    'notify-customer',
    'receive-bank-event',
    'score-bank-event',
  ])('%s loads without its environment, and its first invocation reports what is missing', async (name) => {
    // The test environment sets no *_TABLE variable: a module that read it at import would throw here.
    const module = (await import(`../../functions/${name}.ts`)) as {
      handler: (event: unknown, context: unknown) => Promise<unknown>;
    };
    const invocation = module.handler({ source: 'test' }, lambdaContext(name));
    await expect(invocation).rejects.toThrow(ConfigurationError);
    await expect(module.handler({ source: 'test' }, lambdaContext(name))).rejects.toThrow(/_TABLE: /);
  });
});

describe('lazyHandler', () => {
  it('builds the handler on the first invocation only, then reuses it', async () => {
    let builds = 0;
    const handler = lazyHandler(() => {
      builds++;
      return async (event: { n: number }, _context: unknown) => event.n * 2;
    });
    expect(builds).toBe(0);
    expect(await handler({ n: 2 }, lambdaContext('f'))).toBe(4);
    expect(await handler({ n: 5 }, lambdaContext('f'))).toBe(10);
    expect(builds).toBe(1);
  });
});

describe('the HTTP bundle', () => {
  const handler = httpRoutesHandler(logger.createChild(), [
    { method: 'GET', path: '/here', handler: async () => ({ statusCode: 200, body: 'ok' }) },
  ]);

  it('answers an unknown route with a 404 problem', async () => {
    const result = await handler(request('GET', '/elsewhere'), lambdaContext('f'));
    expect(result.statusCode).toBe(404);
    expect(result.headers?.['content-type']).toBe('application/problem+json');
  });

  it('runs a known route', async () => {
    expect(await handler(request('GET', '/here'), lambdaContext('f'))).toMatchObject({
      statusCode: 200,
      body: 'ok',
    });
  });
});
