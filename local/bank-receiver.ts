import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import type { HttpHandler, LocalRoute } from './lambda-http-server.ts';

// Local mode's stand-in for a bank's callback endpoint: it verifies each callback's Standard
// Webhooks signature with the bank's callback secret and keeps what it received, readable as JSON
// at GET /__local/banks/{bankId}/callbacks. PUT .../availability {"down": true} makes it answer
// 503, to watch the retries.

export interface ReceivedCallback {
  readonly receivedAt: string;
  readonly webhookId: string;
  readonly body: unknown;
}

const json = (status: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode: status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export function bankReceiverRoutes(
  callbackSecret: (bankId: string) => Promise<string | undefined>,
): LocalRoute[] {
  const received = new Map<string, ReceivedCallback[]>();
  const down = new Set<string>();

  const receive: HttpHandler = async (event) => {
    const bankId = event.pathParameters?.bankId ?? '';
    if (down.has(bankId)) return json(503, { error: 'down for maintenance' });
    const secret = await callbackSecret(bankId);
    const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8').toString('utf8');
    if (secret === undefined) return json(404, { error: 'unknown bank' });
    try {
      const payload = new Webhook(secret).verify(body, event.headers as Record<string, string>);
      const list = received.get(bankId) ?? [];
      list.push({
        receivedAt: new Date().toISOString(),
        webhookId: event.headers['webhook-id'] ?? '',
        body: payload,
      });
      received.set(bankId, list);
      return json(200, { received: true });
    } catch {
      return json(401, { error: 'invalid signature' });
    }
  };

  const list: HttpHandler = async (event) =>
    json(200, received.get(event.pathParameters?.bankId ?? '') ?? []);

  const availability: HttpHandler = async (event) => {
    const bankId = event.pathParameters?.bankId ?? '';
    const { down: isDown } = JSON.parse(
      Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8').toString() || '{}',
    ) as {
      down?: boolean;
    };
    if (isDown) down.add(bankId);
    else down.delete(bankId);
    return json(200, { bankId, down: down.has(bankId) });
  };

  const path = '/__local/banks/{bankId}/callbacks';
  return [
    { method: 'POST', path, functionName: 'local-bank-receiver', handler: receive },
    { method: 'GET', path, functionName: 'local-bank-receiver', handler: list },
    {
      method: 'PUT',
      path: `${path}/availability`,
      functionName: 'local-bank-receiver',
      handler: availability,
    },
  ];
}
