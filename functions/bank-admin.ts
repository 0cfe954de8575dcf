import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbBankDirectory } from '../shared/adapters/dynamodb-bank-directory.ts';
import { DynamoDbCompromisedMerchants } from '../shared/adapters/dynamodb-compromised-merchants.ts';
import {
  DynamoDbCustomerEraser,
  ERASURE_SECOND_PASS_MS,
} from '../shared/adapters/dynamodb-customer-eraser.ts';
import { DynamoDbEnrollmentStore } from '../shared/adapters/dynamodb-enrollment-store.ts';
import { DynamoDbNonceStore } from '../shared/adapters/dynamodb-nonce-store.ts';
import { DynamoDbPreferenceStore } from '../shared/adapters/dynamodb-preference-store.ts';
import { DynamoDbThresholdStore } from '../shared/adapters/dynamodb-threshold-store.ts';
import { SecretStoreBankSecrets } from '../shared/adapters/secret-store-bank-secrets.ts';
import { SecretStoreErasureKeys } from '../shared/adapters/secret-store-erasure-keys.ts';
import { reporterKeyFrom } from '../shared/adapters/secret-store-reporter-key.ts';
import * as z from '../shared/domain/zod.ts';
import { systemClock } from '../shared/ports/clock.ts';
import {
  awsEnvironment,
  dynamoDbFrom,
  secretStoreFrom,
  secretsEnvironment,
} from '../shared/runtime/aws-clients.ts';
import { parseEnv } from '../shared/runtime/env.ts';
import { type HttpEvent, httpRoutesHandler, lazyHandler } from '../shared/runtime/handler-bundles.ts';
import { jsonResponse } from '../shared/runtime/http-request.ts';
import { functionLogger } from '../shared/runtime/logger.ts';
import { count } from '../shared/runtime/metrics.ts';
import { openApiDocument } from '../shared/runtime/openapi-document.ts';
import {
  type BankAdminPorts,
  customerRoutes,
  enrollmentRoutes,
  fraudReportRoutes,
  thresholdRoutes,
} from './bank-admin/routes.ts';
import { serverUrl, signedRoutes } from './bank-admin/signed-route.ts';

// The bank's administration API (docs/bank-integration.md): enrollments, thresholds, customers
// (erasure, preferences), confirmed fraud, each concern's routes in bank-admin/routes.ts; and
// GET /openapi.json.

export type { BankAdminPorts };

/** Builds the handler around the given ports; tests pass their own. */
export function createHandler(ports: BankAdminPorts, log: Logger = functionLogger()) {
  const route = signedRoutes(ports, log);
  return httpRoutesHandler(
    log,
    [
      {
        method: 'GET',
        path: '/openapi.json',
        handler: async (event: HttpEvent) =>
          jsonResponse(200, openApiDocument(ports.apiBaseUrl ?? serverUrl(event))),
      },
      ...enrollmentRoutes(route, ports),
      ...thresholdRoutes(route, ports),
      ...customerRoutes(route, ports, log),
      ...fraudReportRoutes(route, ports),
    ],
    { onRefused: (reason) => count('AdminRequestRefused', { reason }) },
  );
}

export const envSchema = z.object({
  THRESHOLDS_TABLE: z.string().check(z.minLength(1)),
  ENROLLMENTS_TABLE: z.string().check(z.minLength(1)),
  NONCES_TABLE: z.string().check(z.minLength(1)),
  SUBSCRIBERS_TABLE: z.string().check(z.minLength(1)),
  ACTIVITY_TABLE: z.string().check(z.minLength(1)),
  ALERTS_TABLE: z.string().check(z.minLength(1)),
  EVENTS_TABLE: z.string().check(z.minLength(1)),
  BANKS_TABLE: z.string().check(z.minLength(1)),
  MESSENGER_PAGE_ID: z.string().check(z.minLength(1)),
  /** Set by the stack (the API's URL or custom domain) and by local mode. */
  API_BASE_URL: z.optional(z.url({ protocol: /^https?$/ })),
  ...secretsEnvironment,
  ...awsEnvironment,
});

/** The composition root: the adapters this function runs with, from its environment. */
export function portsFrom(env: z.output<typeof envSchema>): BankAdminPorts {
  const dynamoDb = dynamoDbFrom(env);
  const secretStore = secretStoreFrom(env);
  const thresholds = new DynamoDbThresholdStore(dynamoDb, env.THRESHOLDS_TABLE);
  return {
    secrets: new SecretStoreBankSecrets(secretStore, env.SECRET_PREFIX),
    erasure: new SecretStoreErasureKeys(secretStore, env.SECRET_PREFIX),
    thresholds,
    fraudFeedback: {
      merchants: new DynamoDbCompromisedMerchants(dynamoDb, env.ACTIVITY_TABLE),
      thresholds,
      reporterKey: reporterKeyFrom(secretStore, env.SECRET_PREFIX),
    },
    preferences: new DynamoDbPreferenceStore(dynamoDb, env.THRESHOLDS_TABLE),
    enrollments: new DynamoDbEnrollmentStore(dynamoDb, env.ENROLLMENTS_TABLE),
    eraser: new DynamoDbCustomerEraser(
      dynamoDb,
      {
        subscribers: env.SUBSCRIBERS_TABLE,
        thresholds: env.THRESHOLDS_TABLE,
        activity: env.ACTIVITY_TABLE,
        alerts: env.ALERTS_TABLE,
        events: env.EVENTS_TABLE,
        enrollments: env.ENROLLMENTS_TABLE,
      },
      undefined,
      ERASURE_SECOND_PASS_MS,
    ),
    nonces: new DynamoDbNonceStore(dynamoDb, env.NONCES_TABLE),
    clock: systemClock,
    banks: new DynamoDbBankDirectory(dynamoDb, env.BANKS_TABLE),
    pageId: env.MESSENGER_PAGE_ID,
    ...(env.API_BASE_URL !== undefined && { apiBaseUrl: env.API_BASE_URL.replace(/\/$/, '') }),
  };
}

export const handler = lazyHandler(() => createHandler(portsFrom(parseEnv(envSchema))));
