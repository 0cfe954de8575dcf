import type { LocalRoute } from './lambda-http-server.ts';

/**
 * The HTTP API's routes, each to the same function module Lambda runs. Imported lazily, after
 * local mode has set the environment the functions read at cold start.
 */
export async function localRoutes(): Promise<LocalRoute[]> {
  const receiveBankEvent = await import('../functions/receive-bank-event.ts');
  return [
    {
      method: 'POST',
      path: '/v1/banks/{bankId}/events',
      functionName: 'receive-bank-event',
      handler: receiveBankEvent.handler,
    },
  ];
}
