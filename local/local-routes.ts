import type { LocalRoute } from './lambda-http-server.ts';

/**
 * The HTTP API's routes, each to the same function module Lambda runs. Imported lazily, after
 * local mode has set the environment the functions read at cold start.
 */
export async function localRoutes(): Promise<LocalRoute[]> {
  const receiveBankEvent = await import('../functions/receive-bank-event.ts');
  const bankAdmin = await import('../functions/bank-admin.ts');
  const admin = (method: LocalRoute['method'], path: string): LocalRoute => ({
    method,
    path,
    functionName: 'bank-admin',
    handler: bankAdmin.handler,
  });
  return [
    {
      method: 'POST',
      path: '/v1/banks/{bankId}/events',
      functionName: 'receive-bank-event',
      handler: receiveBankEvent.handler,
    },
    admin('GET', '/v1/banks/{bankId}/thresholds'),
    admin('PUT', '/v1/banks/{bankId}/thresholds'),
    admin('GET', '/v1/banks/{bankId}/customers/{customerId}/thresholds'),
    admin('PUT', '/v1/banks/{bankId}/customers/{customerId}/thresholds'),
    admin('DELETE', '/v1/banks/{bankId}/customers/{customerId}/thresholds'),
  ];
}
