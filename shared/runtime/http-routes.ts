// The HTTP API's routes and the function behind each: read by the CDK stack and by local mode's
// server, so that both expose the same API.

export type HttpFunction = 'receive-bank-event' | 'bank-admin' | 'messenger-webhook' | 'whatsapp-webhook';

export interface HttpRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway syntax: `/v1/banks/{bankId}/events`. */
  readonly path: string;
  readonly function: HttpFunction;
  /** How the function authenticates the caller (API Gateway authorizers cannot see the body). */
  readonly authentication: 'bank-signature' | 'meta-signature' | 'public';
}

const bank = (method: HttpRoute['method'], path: string, fn: HttpFunction): HttpRoute => ({
  method,
  path: `/v1/banks/{bankId}${path}`,
  function: fn,
  authentication: 'bank-signature',
});

export const httpRoutes: readonly HttpRoute[] = [
  bank('POST', '/events', 'receive-bank-event'),
  bank('POST', '/enrollments', 'bank-admin'),
  bank('POST', '/fraud-reports', 'bank-admin'),
  bank('GET', '/thresholds', 'bank-admin'),
  bank('PUT', '/thresholds', 'bank-admin'),
  bank('GET', '/customers/{customerId}/thresholds', 'bank-admin'),
  bank('PUT', '/customers/{customerId}/thresholds', 'bank-admin'),
  bank('DELETE', '/customers/{customerId}/thresholds', 'bank-admin'),
  bank('GET', '/customers/{customerId}/preferences', 'bank-admin'),
  bank('DELETE', '/customers/{customerId}/preferences', 'bank-admin'),
  bank('DELETE', '/customers/{customerId}', 'bank-admin'),
  // The API's own description: public, like any published API reference.
  { method: 'GET', path: '/openapi.json', function: 'bank-admin', authentication: 'public' },
  // GET is Meta's subscription check, answered only with the verify token.
  {
    method: 'GET',
    path: '/messenger/webhook',
    function: 'messenger-webhook',
    authentication: 'meta-signature',
  },
  {
    method: 'POST',
    path: '/messenger/webhook',
    function: 'messenger-webhook',
    authentication: 'meta-signature',
  },
  // The same for WhatsApp (docs/channels.md, "WhatsApp").
  {
    method: 'GET',
    path: '/whatsapp/webhook',
    function: 'whatsapp-webhook',
    authentication: 'meta-signature',
  },
  {
    method: 'POST',
    path: '/whatsapp/webhook',
    function: 'whatsapp-webhook',
    authentication: 'meta-signature',
  },
];
