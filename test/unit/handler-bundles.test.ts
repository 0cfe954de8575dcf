import { marshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyEventV2, DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { lambdaContext } from '../../local/lambda-http-server.ts';
import * as z from '../../shared/domain/zod.ts';
import { ConfigurationError } from '../../shared/runtime/env.ts';
import { httpRoutesHandler, lazyHandler, streamHandler } from '../../shared/runtime/handler-bundles.ts';
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

describe('the stream bundle, in order within a group', () => {
  const schema = z.object({ bank: z.string(), n: z.number() });
  const record = (bank: string, n: number): DynamoDBRecord => ({
    eventID: `${bank}${n}`,
    eventName: 'INSERT',
    dynamodb: { NewImage: marshall({ bank, n }) as never, SequenceNumber: `${n}`.padStart(4, '0') },
  });
  const bankOf = (r: DynamoDBRecord) => String(r.dynamodb?.NewImage?.bank?.S);

  it('handles one group one record after the other in batch order, and the groups side by side', async () => {
    const log: string[] = [];
    const release = new Map<string, () => void>();
    const handler = streamHandler(
      logger,
      schema,
      async ({ after }) => {
        const id = `${after?.bank}${after?.n}`;
        log.push(`start ${id}`);
        // a1 waits until b1 has run: were the groups not side by side, this would never end.
        if (id === 'a1') await new Promise<void>((resolve) => release.set('a1', resolve));
        if (id === 'b1') release.get('a1')?.();
        log.push(`end ${id}`);
      },
      { inOrderOf: bankOf },
    );
    const result = await handler(
      { Records: [record('a', 1), record('b', 1), record('a', 2), record('b', 2)] },
      lambdaContext('test'),
    );
    expect(result).toEqual({ batchItemFailures: [] });
    // a2 starts only once a1 has ended; b1 ran while a1 waited.
    expect(log.indexOf('start a2')).toBeGreaterThan(log.indexOf('end a1'));
    expect(log.indexOf('start b1')).toBeLessThan(log.indexOf('end a1'));
    expect(log.indexOf('start b2')).toBeGreaterThan(log.indexOf('end b1'));
  });

  it('fails the later records of a group after a failed one, without handling them, and no other group', async () => {
    const handled: string[] = [];
    const handler = streamHandler(
      logger,
      schema,
      async ({ after }) => {
        const id = `${after?.bank}${after?.n}`;
        if (id === 'a2') throw new Error('boom');
        handled.push(id);
      },
      { inOrderOf: bankOf },
    );
    const result = await handler(
      { Records: [record('a', 1), record('a', 2), record('b', 3), record('a', 4)] },
      lambdaContext('test'),
    );
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '0002' }, { itemIdentifier: '0004' }] });
    expect(handled.sort()).toEqual(['a1', 'b3']);
  });
});
