import * as bankAdmin from '../functions/bank-admin.ts';
import * as messengerWebhook from '../functions/messenger-webhook.ts';
import * as receiveBankEvent from '../functions/receive-bank-event.ts';
import * as whatsappWebhook from '../functions/whatsapp-webhook.ts';
import { type HttpFunction, httpRoutes } from '../shared/runtime/http-routes.ts';
import type { HttpHandler, LocalRoute } from './lambda-http-server.ts';
import { type LocalEnvironment, localHandler } from './local-functions.ts';

/** The HTTP API's routes, each to the same function module Lambda runs, built with local mode's environment. */
export function localRoutes(env: LocalEnvironment): LocalRoute[] {
  const handlers: Record<HttpFunction, HttpHandler> = {
    'receive-bank-event': localHandler(receiveBankEvent, env),
    'bank-admin': localHandler(bankAdmin, env),
    'messenger-webhook': localHandler(messengerWebhook, env),
    'whatsapp-webhook': localHandler(whatsappWebhook, env),
  };
  return httpRoutes.map((route) => ({
    method: route.method,
    path: route.path,
    functionName: route.function,
    handler: handlers[route.function],
  }));
}
