import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GuardedCallbackSender } from '../../shared/adapters/guarded-callback-sender.ts';
import { resolveCallbackUrl } from '../../shared/domain/callback-url.ts';

// The callback sender against a loopback "inside" service: a host whose DNS answer changes
// between the check at registration and the connection must not reach it. DNS is injected, so
// nothing leaves the machine and the answers are deterministic.

let server: Server;
let port: number;
let connections = 0;
let requests: IncomingMessage[] = [];
let answer = (_request: IncomingMessage) => ({ status: 200, headers: {} as Record<string, string> });

beforeAll(async () => {
  server = createServer((request, response) => {
    requests.push(request);
    request.resume();
    const { status, headers } = answer(request);
    response.writeHead(status, headers).end();
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
beforeEach(() => {
  connections = 0;
  requests = [];
  answer = () => ({ status: 200, headers: {} });
});
afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);

/** A resolver that gives each answer in turn, then the last one again. */
function changingDns(...answers: string[][]) {
  let call = 0;
  const resolve = async (_host: string) => answers[Math.min(call++, answers.length - 1)] ?? [];
  return Object.assign(resolve, { calls: () => call });
}

const headers = { 'content-type': 'application/json' };

describe('sending a callback', () => {
  it('refuses a host whose DNS answer turned to loopback after the URL was checked', async () => {
    const dns = changingDns(['93.184.215.14'], ['127.0.0.1']);
    const url = await resolveCallbackUrl(`https://bank.example:${port}/cb`, { allowLoopback: false }, dns);
    const sender = new GuardedCallbackSender({ allowLoopback: false, resolve: dns, timeoutMs: 2000 });
    await expect(sender.post(url, headers, '{}')).rejects.toMatchObject({ name: 'ForbiddenAddressError' });
    expect(dns.calls()).toBe(2);
    expect(connections).toBe(0);
  });

  it.each([['169.254.169.254'], ['10.0.0.8'], ['::ffff:127.0.0.1'], ['fd00:ec2::254']])(
    'refuses at connect time a host that now resolves to %s',
    async (address) => {
      const sender = new GuardedCallbackSender({ allowLoopback: false, resolve: async () => [address] });
      await expect(
        sender.post(new URL(`https://bank.example:${port}/cb`), headers, '{}'),
      ).rejects.toMatchObject({ name: 'ForbiddenAddressError' });
      expect(connections).toBe(0);
    },
  );

  it('refuses an inside address literal without a lookup', async () => {
    const sender = new GuardedCallbackSender({
      allowLoopback: false,
      resolve: async () => {
        throw new Error('no lookup expected');
      },
    });
    for (const host of ['127.0.0.1', '[::ffff:7f00:1]', '169.254.169.254', '10.1.1.1']) {
      await expect(sender.post(new URL(`http://${host}:${port}/cb`), headers, '{}')).rejects.toMatchObject({
        name: 'ForbiddenAddressError',
      });
    }
    expect(connections).toBe(0);
  });

  it('connects to the address the lookup checked (local mode, loopback allowed)', async () => {
    const sender = new GuardedCallbackSender({ allowLoopback: true, resolve: async () => ['127.0.0.1'] });
    // bank.test has no DNS record: the request can only arrive through the injected answer.
    const status = await sender.post(new URL(`http://bank.test:${port}/cb`), headers, '{"a":1}');
    expect(status).toBe(200);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.headers.host).toBe(`bank.test:${port}`);
    expect(requests[0]?.headers['content-length']).toBe('7');
  });

  it('does not follow a redirect, even to a public-looking place', async () => {
    answer = () => ({ status: 302, headers: { location: `http://127.0.0.1:${port}/elsewhere` } });
    const sender = new GuardedCallbackSender({ allowLoopback: true, resolve: async () => ['127.0.0.1'] });
    expect(await sender.post(new URL(`http://localhost:${port}/cb`), headers, '{}')).toBe(302);
    expect(requests.map((request) => request.url)).toEqual(['/cb']);
  });

  it('gives up on a bank that does not answer in time', async () => {
    const hanging = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const sender = new GuardedCallbackSender({
      allowLoopback: true,
      timeoutMs: 200,
      resolve: async () => ['127.0.0.1'],
    });
    const started = Date.now();
    await expect(
      sender.post(new URL(`http://localhost:${(hanging.address() as AddressInfo).port}/cb`), headers, '{}'),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5000);
    hanging.closeAllConnections();
    await new Promise<void>((resolve) => hanging.close(() => resolve()));
  });
});
