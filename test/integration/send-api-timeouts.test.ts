import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../local/dynamodb-local.ts';
import { GraphApiMessenger } from '../../shared/adapters/graph-api-messenger.ts';
import { SendApiError } from '../../shared/ports/messenger.ts';

// The Send API timing out: a server that accepts the connection and never answers, then answers.

let server: Server;
let url = '';
let hang = true;
let calls = 0;

beforeAll(async () => {
  const port = await findFreePort();
  server = createServer((_request, response) => {
    calls++;
    if (hang) return;
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end('{"recipient_id":"p","message_id":"m_1"}');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('Send API timeouts', () => {
  const messenger = (timeoutMs = 200) =>
    new GraphApiMessenger({ baseUrl: url, version: 'v27.0', pageId: '1', timeoutMs }, async () => ({
      pageAccessToken: 'token',
      appSecret: 'secret',
    }));
  const request = { psid: 'p', messagingType: 'RESPONSE' as const, message: { text: 'hi' } };

  it('turns a timeout into a transient error, to be retried', async () => {
    const started = Date.now();
    const error = await messenger()
      .send(request)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SendApiError);
    expect(error).toMatchObject({ transient: true, httpStatus: 0 });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('succeeds once the API answers again', async () => {
    hang = false;
    const before = calls;
    // A generous timeout: on a busy machine a loopback answer can take longer than 200 ms.
    expect(await messenger(5000).send(request)).toEqual({ messageId: 'm_1' });
    expect(calls).toBe(before + 1);
  });
});
