import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../local/dynamodb-local.ts';
import { type LocalStack, startLocalStack } from '../../local/local-stack.ts';

// Local mode as `npm start` runs it (its own DynamoDB Local included) must not be reachable from
// another machine, nor from a web page the developer visits: every listener on loopback, and
// the API, the emulator and its chat page refuse a foreign Host or Origin.

const run = promisify(execFile);
let stack: LocalStack;
let apiPort: number;
let emulatorPort: number;

beforeAll(async () => {
  [apiPort, emulatorPort] = [await findFreePort(), await findFreePort()];
  stack = await startLocalStack({
    home: await mkdtemp(join(tmpdir(), 'vigil-stays-local-')),
    port: apiPort,
    emulatorPort,
    tablePrefix: 'stays-local',
  });
}, 90_000);
afterAll(() => stack?.stop());

/** A raw request, so that Host and Origin are exactly what a hostile page would make them. */
function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body = '',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, method, path, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

describe('local mode stays local', () => {
  it('listens on loopback only: the API, the emulator and DynamoDB Local (ss -ltn)', async () => {
    const dynamoDbPort = Number(new URL(stack.dynamoDbEndpoint).port);
    const { stdout } = await run('ss', ['-ltnH']);
    const lines = stdout.split('\n').filter((line) => line.trim() !== '');
    for (const port of [apiPort, emulatorPort, dynamoDbPort]) {
      const local = lines
        .map((line) => line.trim().split(/\s+/)[3] ?? '')
        .filter((address) => address.endsWith(`:${port}`));
      expect(local, `a listener on port ${port}`).not.toHaveLength(0);
      for (const address of local) {
        expect(address, `port ${port}`).toMatch(/^(127\.0\.0\.1|\[::ffff:127\.0\.0\.1\]|\[::1\]):\d+$/);
      }
    }
  });

  it('lets DynamoDB Local answer no other page: a foreign Origin is refused, and no CORS header', async () => {
    const dynamoDbPort = Number(new URL(stack.dynamoDbEndpoint).port);
    let status = 0;
    const preflight = await new Promise<Record<string, unknown>>((resolve, reject) => {
      request(
        {
          host: '127.0.0.1',
          port: dynamoDbPort,
          method: 'OPTIONS',
          path: '/',
          headers: {
            origin: 'https://evil.example',
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'x-amz-target,content-type',
          },
        },
        (response) => {
          status = response.statusCode ?? 0;
          response.resume();
          resolve(response.headers);
        },
      )
        .on('error', reject)
        .end();
    });
    expect(preflight['access-control-allow-origin']).toBeUndefined();
    expect(status).toBe(403);
  });

  it('DynamoDB Local refuses a foreign Host (DNS rebinding) and serves its own', async () => {
    const port = Number(new URL(stack.dynamoDbEndpoint).port);
    const call = (host: string) =>
      send(
        port,
        'POST',
        '/',
        {
          host,
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.ListTables',
          authorization:
            'AWS4-HMAC-SHA256 Credential=local/20261129/eu-west-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        },
        '{}',
      );
    const foreign = await call(`rebind.evil.example:${port}`);
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatch(/foreign Host/);
    const own = await call(`127.0.0.1:${port}`);
    expect(own.status).toBe(200);
    expect(JSON.parse(own.body).TableNames).toEqual(expect.arrayContaining(['stays-local-events']));
  });

  it.each([
    ['the API', () => apiPort, '/openapi.json'],
    ['the emulator', () => emulatorPort, '/__emulator/conversations'],
    ['the chat page', () => emulatorPort, '/'],
  ])('%s refuses a foreign Host (DNS rebinding) and serves its own', async (_name, port, path) => {
    const foreign = await send(port(), 'GET', path, { host: `rebind.evil.example:${port()}` });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatch(/foreign Host/);
    for (const host of [`127.0.0.1:${port()}`, `localhost:${port()}`]) {
      expect((await send(port(), 'GET', path, { host })).status).toBe(200);
    }
    // Same name, another port: another origin.
    expect((await send(port(), 'GET', path, { host: `127.0.0.1:${port() + 1}` })).status).toBe(403);
  });

  it('the emulator refuses a cross-origin text/plain POST, and it changes nothing', async () => {
    const host = `127.0.0.1:${emulatorPort}`;
    for (const headers of [
      { host, origin: 'https://evil.example', 'content-type': 'text/plain' },
      { host, origin: 'null', 'content-type': 'text/plain' },
      { host, 'sec-fetch-site': 'cross-site', 'content-type': 'text/plain' },
    ]) {
      const answer = await send(
        emulatorPort,
        'POST',
        '/__emulator/users/psid_victim/messages',
        headers,
        JSON.stringify({ text: 'STOP' }),
      );
      expect(answer.status).toBe(403);
      expect(answer.body).toMatch(/foreign Origin/);
    }
    const conversations = await send(emulatorPort, 'GET', '/__emulator/conversations', { host });
    expect(JSON.parse(conversations.body)).not.toHaveProperty('psid_victim');
    // The chat page's own requests (same origin) are served.
    const own = await send(
      emulatorPort,
      'POST',
      '/__emulator/faults',
      { host, origin: `http://${host}`, 'content-type': 'application/json' },
      JSON.stringify({ responses: [] }),
    );
    expect(own.status).toBe(200);
  });

  it('the API refuses a foreign Origin', async () => {
    const host = `127.0.0.1:${apiPort}`;
    const answer = await send(
      apiPort,
      'POST',
      '/v1/banks/demo-bank/events',
      { host, origin: 'https://evil.example', 'content-type': 'text/plain' },
      '{}',
    );
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 403 });
  });

  it('the chat page cannot be framed by another page', async () => {
    const page = await new Promise<Record<string, unknown>>((resolve, reject) => {
      request({ host: '127.0.0.1', port: emulatorPort, path: '/' }, (response) => {
        response.resume();
        resolve(response.headers);
      })
        .on('error', reject)
        .end();
    });
    expect(String(page['content-security-policy'])).toMatch(/frame-ancestors 'none'/);
  });

  it('names its configured URL as the OpenAPI server, whatever the request headers say', async () => {
    const answer = await send(apiPort, 'GET', '/openapi.json', {
      host: `localhost:${apiPort}`,
      'x-forwarded-proto': 'javascript:alert(document.domain)//',
      'x-forwarded-host': 'evil.example',
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).servers).toEqual([{ url: `http://127.0.0.1:${apiPort}` }]);
  });
});
