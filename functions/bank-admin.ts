import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpRouterHandler, { type Method, type Route } from '@middy/http-router';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { DynamoDbCustomerEraser } from '../shared/adapters/dynamodb-customer-eraser.ts';
import { DynamoDbEnrollmentStore } from '../shared/adapters/dynamodb-enrollment-store.ts';
import { DynamoDbThresholdStore } from '../shared/adapters/dynamodb-threshold-store.ts';
import { SecretStoreBankSecrets } from '../shared/adapters/secret-store-bank-secrets.ts';
import { authenticateBankRequest, readJsonBody } from '../shared/domain/authenticate-bank-request.ts';
import { enrollCustomer } from '../shared/domain/enroll-customer.ts';
import { eraseCustomer } from '../shared/domain/erase-customer.ts';
import { NotFoundError } from '../shared/domain/errors.ts';
import {
  deleteCustomerThresholds,
  getBankThresholds,
  getCustomerThresholds,
  setBankThresholds,
  setCustomerThresholds,
} from '../shared/domain/manage-thresholds.ts';
import type { BankSecrets } from '../shared/ports/bank-secrets.ts';
import { type Clock, systemClock } from '../shared/ports/clock.ts';
import type { CustomerEraser } from '../shared/ports/customer-eraser.ts';
import type { EnrollmentStore } from '../shared/ports/enrollment-store.ts';
import type { ThresholdStore } from '../shared/ports/threshold-store.ts';
import { dynamoDb, secretStoreFrom, secretsEnvironment } from '../shared/runtime/aws-clients.ts';
import { parseEnv } from '../shared/runtime/env.ts';
import { jsonResponse, rawBody } from '../shared/runtime/http-request.ts';
import { logger } from '../shared/runtime/logger.ts';
import { count, metrics } from '../shared/runtime/metrics.ts';
import { openApiDocument } from '../shared/runtime/openapi-document.ts';
import { problemJsonErrors } from '../shared/runtime/problem-json-errors.ts';

// The bank's administration API: enrollments, thresholds and customer erasure
// (docs/contract.md#enrollments, #thresholds, #erasure). Every route is signed like events.

export interface BankAdminPorts {
  readonly secrets: BankSecrets;
  readonly thresholds: ThresholdStore;
  readonly enrollments: EnrollmentStore;
  readonly eraser: CustomerEraser;
  readonly clock: Clock;
  /** The Facebook page whose m.me links enroll customers. */
  readonly pageId: string;
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
export function createHandler(ports: BankAdminPorts, log: Logger = logger) {
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
      await authenticateBankRequest({ bankId, headers: event.headers, body }, ports.secrets);
      return action({
        bankId,
        customerId: event.pathParameters?.customerId ?? '',
        json: () => readJsonBody(body),
      });
    },
  });
  const { thresholds } = ports;
  const routes: Route<Event, Result>[] = [
    {
      method: 'GET',
      path: '/openapi.json',
      handler: async (event: Event) => jsonResponse(200, openApiDocument(serverUrl(event))),
    },
    route('POST', '/v1/banks/{bankId}/enrollments', async ({ bankId, json }) =>
      jsonResponse(201, await enrollCustomer(bankId, json(), ports).finally(() => count('Enrollment'))),
    ),
    route('DELETE', '/v1/banks/{bankId}/customers/{customerId}', async ({ bankId, customerId }) => {
      await eraseCustomer(bankId, customerId, ports.eraser);
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
  ];

  return middy<Event, Result>()
    .use(injectLambdaContext(log, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
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

/** The API's own base URL, as the caller reached it. */
function serverUrl(event: Event): string {
  const host = event.headers.host ?? event.requestContext.domainName;
  const local = /^(127\.0\.0\.1|localhost)(:\d+)?$/.test(host);
  return `${event.headers['x-forwarded-proto'] ?? (local ? 'http' : 'https')}://${host}`;
}

const env = parseEnv(
  z.object({
    THRESHOLDS_TABLE: z.string().min(1),
    ENROLLMENTS_TABLE: z.string().min(1),
    SUBSCRIBERS_TABLE: z.string().min(1),
    ACTIVITY_TABLE: z.string().min(1),
    ALERTS_TABLE: z.string().min(1),
    EVENTS_TABLE: z.string().min(1),
    MESSENGER_PAGE_ID: z.string().min(1),
    ...secretsEnvironment,
  }),
);

export const handler = createHandler({
  secrets: new SecretStoreBankSecrets(secretStoreFrom(env), env.SECRET_PREFIX),
  thresholds: new DynamoDbThresholdStore(dynamoDb, env.THRESHOLDS_TABLE),
  enrollments: new DynamoDbEnrollmentStore(dynamoDb, env.ENROLLMENTS_TABLE),
  eraser: new DynamoDbCustomerEraser(dynamoDb, {
    subscribers: env.SUBSCRIBERS_TABLE,
    thresholds: env.THRESHOLDS_TABLE,
    activity: env.ACTIVITY_TABLE,
    alerts: env.ALERTS_TABLE,
    events: env.EVENTS_TABLE,
    enrollments: env.ENROLLMENTS_TABLE,
  }),
  clock: systemClock,
  pageId: env.MESSENGER_PAGE_ID,
});
