import type { Logger } from '@aws-lambda-powertools/logger';
import type { Method } from '@middy/http-router';
import { answerOnce } from '../../shared/domain/answer-once.ts';
import { authenticateAdminRequest } from '../../shared/domain/authenticate-admin-request.ts';
import { readJsonBody } from '../../shared/domain/authenticate-bank-request.ts';
import type { BankDirectory } from '../../shared/ports/bank-directory.ts';
import type { BankSecrets } from '../../shared/ports/bank-secrets.ts';
import type { Clock } from '../../shared/ports/clock.ts';
import type { NonceStore } from '../../shared/ports/nonce-store.ts';
import type { HttpEvent, HttpResult, HttpRoute } from '../../shared/runtime/handler-bundles.ts';
import { rawBody } from '../../shared/runtime/http-request.ts';
import { clientCertificateSubject } from '../../shared/runtime/rest-api-event.ts';

// A route of the bank's administration API: signed with HTTP Message Signatures under the bank's
// administration key, each nonce answered once (docs/decisions/0007-admin-request-signatures.md).

/** What an administration route is given, once the request is authenticated. */
export interface BankCall {
  readonly bankId: string;
  readonly customerId: string;
  /** The body as JSON, after the PAN guard; only read by routes that take one. */
  json(): unknown;
}

export interface SignedRoutePorts {
  readonly secrets: BankSecrets;
  readonly nonces: NonceStore;
  readonly clock: Clock;
  readonly banks?: BankDirectory;
}

export type SignedRoute = (
  method: Method,
  path: string,
  action: (call: BankCall) => Promise<HttpResult>,
) => HttpRoute;

/** Makes `route(method, path, action)`: the action runs only for an authenticated request, once per nonce. */
export function signedRoutes(ports: SignedRoutePorts, log: Logger): SignedRoute {
  return (method, path, action) => ({
    method,
    path,
    handler: async (event: HttpEvent) => {
      const bankId = event.pathParameters?.bankId ?? '';
      const body = rawBody(event);
      const now = ports.clock.now();
      const admin = {
        method,
        authority: event.requestContext?.domainName ?? event.headers.host ?? '',
        path: event.rawPath,
        query: event.rawQueryString ?? '',
        now,
      };
      const request = await authenticateAdminRequest(
        {
          bankId,
          headers: event.headers,
          body,
          admin,
          pathParameters: event.pathParameters ?? {},
          sourceIp: event.requestContext?.http?.sourceIp,
          clientCertificateSubject: clientCertificateSubject(event),
        },
        ports.secrets,
        ports.banks,
      );
      const answer = await answerOnce(ports.nonces, bankId, request, now, async () => {
        const result = await action({
          bankId,
          customerId: event.pathParameters?.customerId ?? '',
          json: () => readJsonBody(body),
        });
        return {
          status: result.statusCode ?? 200,
          ...(result.headers?.['content-type'] !== undefined && {
            contentType: String(result.headers['content-type']),
          }),
          ...(result.body !== undefined && { body: result.body }),
        };
      });
      if (answer.replayed) log.info('request replayed', { bankId, status: answer.status });
      return {
        statusCode: answer.status,
        headers: {
          ...(answer.contentType !== undefined && { 'content-type': answer.contentType }),
          ...(answer.replayed && { 'vigil-replayed': 'true' }),
        },
        ...(answer.body !== undefined && { body: answer.body }),
      };
    },
  });
}

/**
 * Without a configured base URL: the domain API Gateway itself reports for the request (its own
 * domain or the custom domain it routed by), never a client's Host or X-Forwarded-* header.
 */
export function serverUrl(event: HttpEvent): string {
  const { domainName = '', stage = '$default' } = event.requestContext ?? {};
  // The execute-api domain serves a stage under its name; a custom domain maps it to the root.
  const prefix = domainName.includes('.execute-api.') && stage !== '$default' ? `/${stage}` : '';
  return `https://${domainName}${prefix}`;
}
