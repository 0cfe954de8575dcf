import { type HttpFunction, httpRoutes } from '../shared/runtime/http-routes.ts';
import type { HttpHandler, LocalRoute } from './lambda-http-server.ts';

/**
 * The HTTP API's routes, each to the same function module Lambda runs. Imported lazily, after
 * local mode has set the environment the functions read at cold start.
 */
export async function localRoutes(): Promise<LocalRoute[]> {
  const handlers: Record<HttpFunction, HttpHandler> = {
    'receive-bank-event': (await import('../functions/receive-bank-event.ts')).handler,
    'bank-admin': (await import('../functions/bank-admin.ts')).handler,
    'messenger-webhook': (await import('../functions/messenger-webhook.ts')).handler,
    'whatsapp-webhook': (await import('../functions/whatsapp-webhook.ts')).handler,
  };
  return httpRoutes.map((route) => ({
    method: route.method,
    path: route.path,
    functionName: route.function,
    handler: handlers[route.function],
  }));
}
