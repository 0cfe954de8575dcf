import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { type BankAdminPorts, createHandler } from '../../functions/bank-admin.ts';

// The OpenAPI document's `servers` URL comes from configuration (API_BASE_URL), or else from
// what API Gateway reports, never from the request's Host or X-Forwarded-* headers.

const hostile = {
  Host: 'evil.example',
  'X-Forwarded-Proto': 'javascript:alert(document.domain)//',
  'X-Forwarded-Host': 'evil.example',
};

/** GET /openapi.json as the REST API hands it to the function. */
const request = (domainName: string): APIGatewayProxyEvent =>
  ({
    resource: '/openapi.json',
    path: '/openapi.json',
    httpMethod: 'GET',
    headers: hostile,
    multiValueHeaders: Object.fromEntries(Object.entries(hostile).map(([name, value]) => [name, [value]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    isBase64Encoded: false,
    body: null,
    requestContext: {
      accountId: '1',
      apiId: 'abc123',
      domainName,
      protocol: 'HTTP/1.1',
      requestId: 'r',
      requestTimeEpoch: 1,
      stage: 'dev',
      identity: { sourceIp: '198.51.100.1' },
    },
  }) as unknown as APIGatewayProxyEvent;

async function servers(ports: Partial<BankAdminPorts>, domainName: string) {
  const handler = createHandler({ pageId: '1', ...ports } as BankAdminPorts) as unknown as (
    event: APIGatewayProxyEvent,
    context: Context,
  ) => Promise<{ statusCode: number; body: string }>;
  const result = await handler(request(domainName), { functionName: 'bank-admin' } as Context);
  expect(result.statusCode).toBe(200);
  return (JSON.parse(result.body) as { servers: { url: string }[] }).servers;
}

describe('the OpenAPI server URL', () => {
  it('is the configured base URL, whatever the headers say', async () => {
    expect(await servers({ apiBaseUrl: 'https://api.vigil.bank.example' }, 'api.vigil.bank.example')).toEqual(
      [{ url: 'https://api.vigil.bank.example' }],
    );
  });

  it('is otherwise the domain and stage API Gateway reports, never a header', async () => {
    expect(await servers({}, 'abc123.execute-api.eu-west-1.amazonaws.com')).toEqual([
      { url: 'https://abc123.execute-api.eu-west-1.amazonaws.com/dev' },
    ]);
    expect(await servers({}, 'api.vigil.bank.example')).toEqual([{ url: 'https://api.vigil.bank.example' }]);
  });
});
