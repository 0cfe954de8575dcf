import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpRouterHandler, { type Method, type Route } from '@middy/http-router';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { DynamoDbBankDirectory } from '../shared/adapters/dynamodb-bank-directory.ts';
import { DynamoDbCustomerEraser } from '../shared/adapters/dynamodb-customer-eraser.ts';
import { DynamoDbEnrollmentStore } from '../shared/adapters/dynamodb-enrollment-store.ts';
import { DynamoDbNonceStore } from '../shared/adapters/dynamodb-nonce-store.ts';
import { DynamoDbPreferenceStore } from '../shared/adapters/dynamodb-preference-store.ts';
import { DynamoDbThresholdStore } from '../shared/adapters/dynamodb-threshold-store.ts';
import { SecretStoreBankSecrets } from '../shared/adapters/secret-store-bank-secrets.ts';
import { SecretStoreErasureKeys } from '../shared/adapters/secret-store-erasure-keys.ts';
import { answerOnce } from '../shared/domain/answer-once.ts';
import { authenticateBankRequest, readJsonBody } from '../shared/domain/authenticate-bank-request.ts';
import { enrollCustomer } from '../shared/domain/enroll-customer.ts';
import { eraseCustomer } from '../shared/domain/erase-customer.ts';
import { NotFoundError } from '../shared/domain/errors.ts';
import {
  clearCustomerPreferences,
  deleteCustomerThresholds,
  getBankThresholds,
  getCustomerPreferences,
  getCustomerThresholds,
  setBankThresholds,
  setCustomerThresholds,
} from '../shared/domain/manage-thresholds.ts';
import type { BankDirectory } from '../shared/ports/bank-directory.ts';
import type { BankSecrets } from '../shared/ports/bank-secrets.ts';
import { type Clock, systemClock } from '../shared/ports/clock.ts';
import type { CustomerEraser } from '../shared/ports/customer-eraser.ts';
import type { EnrollmentStore } from '../shared/ports/enrollment-store.ts';
import type { ErasureKeys } from '../shared/ports/erasure.ts';
import type { NonceStore } from '../shared/ports/nonce-store.ts';
import type { PreferenceStore } from '../shared/ports/preference-store.ts';
import type { ThresholdStore } from '../shared/ports/threshold-store.ts';
import { dynamoDb, secretStoreFrom, secretsEnvironment } from '../shared/runtime/aws-clients.ts';
import { parseEnv } from '../shared/runtime/env.ts';
import { jsonResponse, rawBody } from '../shared/runtime/http-request.ts';
import { functionLogger } from '../shared/runtime/logger.ts';
import { count, metrics } from '../shared/runtime/metrics.ts';
import { openApiDocument } from '../shared/runtime/openapi-document.ts';
import { problemJsonErrors } from '../shared/runtime/problem-json-errors.ts';
import { clientCertificateSubject, restApiEvents } from '../shared/runtime/rest-api-event.ts';

// The bank's administration API (docs/bank-integration.md): enrollments, thresholds and customer
// erasure. Every route is signed with HTTP Message Signatures under the bank's administration
// key, each nonce answered once (docs/decisions/0007-admin-request-signatures.md).

function preferencesOf(ports: BankAdminPorts): PreferenceStore {
  if (ports.preferences === undefined) throw new NotFoundError('No such route.');
  return ports.preferences;
}

export interface BankAdminPorts {
  readonly secrets: BankSecrets;
  readonly thresholds: ThresholdStore;
  /** The customers' own preferences, shown and cleared through the thresholds API. */
  readonly preferences?: PreferenceStore;
  readonly enrollments: EnrollmentStore;
  readonly eraser: CustomerEraser;
  readonly erasure: ErasureKeys;
  readonly nonces: NonceStore;
  readonly clock: Clock;
  /** The Facebook page whose m.me links enroll customers; WhatsApp's numbers are the banks'. */
  readonly pageId: string;
  /** The banks' settings: source IP allow-lists and client certificates. */
  readonly banks?: BankDirectory;
  /** The API's base URL as configured (API_BASE_URL): the OpenAPI document's server. */
  readonly apiBaseUrl?: string;
}

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

interface BankCall {
  readonly bankId: string;
  readonly customerId: string;
  /** The body as JSON, after the PAN guard; only read by routes that take one. */
  json(): unknown;
}

/** Builds the handler around the given ports; tests pass their own. */
export function createHandler(ports: BankAdminPorts, log: Logger = functionLogger()) {
  const route = (
    method: Method,
    path: string,
    action: (call: BankCall) => Promise<Result>,
  ): Route<Event, Result> => ({
    method,
    path,
    handler: async (event: Event) => {
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
      const request = await authenticateBankRequest(
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
      if (request === undefined) throw new Error('An administration request authenticates with its nonce.');
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
  const { thresholds } = ports;
  const routes: Route<Event, Result>[] = [
    {
      method: 'GET',
      path: '/openapi.json',
      handler: async (event: Event) =>
        jsonResponse(200, openApiDocument(ports.apiBaseUrl ?? serverUrl(event))),
    },
    route('POST', '/v1/banks/{bankId}/enrollments', async ({ bankId, json }) =>
      jsonResponse(201, await enrollCustomer(bankId, json(), ports).finally(() => count('Enrollment'))),
    ),
    route('DELETE', '/v1/banks/{bankId}/customers/{customerId}', async ({ bankId, customerId }) => {
      await eraseCustomer(bankId, customerId, ports);
      log.info('customer erased', { bankId });
      count('CustomerErased');
      return { statusCode: 204 };
    }),
    route('GET', '/v1/banks/{bankId}/thresholds', async ({ bankId }) =>
      jsonResponse(200, await getBankThresholds(bankId, thresholds)),
    ),
    route('PUT', '/v1/banks/{bankId}/thresholds', async ({ bankId, json }) =>
      jsonResponse(200, await setBankThresholds(bankId, json(), thresholds)),
    ),
    route('GET', '/v1/banks/{bankId}/customers/{customerId}/thresholds', async ({ bankId, customerId }) =>
      jsonResponse(200, await getCustomerThresholds(bankId, customerId, thresholds)),
    ),
    route(
      'PUT',
      '/v1/banks/{bankId}/customers/{customerId}/thresholds',
      async ({ bankId, customerId, json }) =>
        jsonResponse(200, await setCustomerThresholds(bankId, customerId, json(), thresholds)),
    ),
    route(
      'DELETE',
      '/v1/banks/{bankId}/customers/{customerId}/thresholds',
      async ({ bankId, customerId }) => {
        await deleteCustomerThresholds(bankId, customerId, thresholds);
        return { statusCode: 204 };
      },
    ),
    route('GET', '/v1/banks/{bankId}/customers/{customerId}/preferences', async ({ bankId, customerId }) =>
      jsonResponse(200, await getCustomerPreferences(bankId, customerId, preferencesOf(ports))),
    ),
    route(
      'DELETE',
      '/v1/banks/{bankId}/customers/{customerId}/preferences',
      async ({ bankId, customerId }) => {
        await clearCustomerPreferences(bankId, customerId, preferencesOf(ports));
        return { statusCode: 204 };
      },
    ),
  ];

  return middy<Event, Result>()
    .use(injectLambdaContext(log, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(restApiEvents())
    .use(httpHeaderNormalizer())
    .use(problemJsonErrors(log, (reason) => count('AdminRequestRefused', { reason })))
    .handler(
      httpRouterHandler<Event, Result>({
        routes,
        notFoundResponse: () => {
          throw new NotFoundError('No such route.');
        },
      }),
    );
}

/**
 * Without a configured base URL: the domain API Gateway itself reports for the request (its own
 * domain or the custom domain it routed by), never a client's Host or X-Forwarded-* header.
 */
function serverUrl(event: Event): string {
  const { domainName = '', stage = '$default' } = event.requestContext ?? {};
  // The execute-api domain serves a stage under its name; a custom domain maps it to the root.
  const prefix = domainName.includes('.execute-api.') && stage !== '$default' ? `/${stage}` : '';
  return `https://${domainName}${prefix}`;
}

const env = parseEnv(
  z.object({
    THRESHOLDS_TABLE: z.string().min(1),
    ENROLLMENTS_TABLE: z.string().min(1),
    NONCES_TABLE: z.string().min(1),
    SUBSCRIBERS_TABLE: z.string().min(1),
    ACTIVITY_TABLE: z.string().min(1),
    ALERTS_TABLE: z.string().min(1),
    EVENTS_TABLE: z.string().min(1),
    BANKS_TABLE: z.string().min(1),
    MESSENGER_PAGE_ID: z.string().min(1),
    /** Set by the stack (the API's URL or custom domain) and by local mode. */
    API_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
    ...secretsEnvironment,
  }),
);

const secretStore = secretStoreFrom(env);

export const handler = createHandler({
  secrets: new SecretStoreBankSecrets(secretStore, env.SECRET_PREFIX),
  erasure: new SecretStoreErasureKeys(secretStore, env.SECRET_PREFIX),
  thresholds: new DynamoDbThresholdStore(dynamoDb, env.THRESHOLDS_TABLE),
  preferences: new DynamoDbPreferenceStore(dynamoDb, env.THRESHOLDS_TABLE),
  enrollments: new DynamoDbEnrollmentStore(dynamoDb, env.ENROLLMENTS_TABLE),
  eraser: new DynamoDbCustomerEraser(dynamoDb, {
    subscribers: env.SUBSCRIBERS_TABLE,
    thresholds: env.THRESHOLDS_TABLE,
    activity: env.ACTIVITY_TABLE,
    alerts: env.ALERTS_TABLE,
    events: env.EVENTS_TABLE,
    enrollments: env.ENROLLMENTS_TABLE,
  }),
  nonces: new DynamoDbNonceStore(dynamoDb, env.NONCES_TABLE),
  clock: systemClock,
  banks: new DynamoDbBankDirectory(dynamoDb, env.BANKS_TABLE),
  pageId: env.MESSENGER_PAGE_ID,
  ...(env.API_BASE_URL !== undefined && { apiBaseUrl: env.API_BASE_URL.replace(/\/$/, '') }),
});
