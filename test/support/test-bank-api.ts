import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@aws-lambda-powertools/logger';
import { createHandler as createBankAdminHandler } from '../../functions/bank-admin.ts';
import { createHandler } from '../../functions/receive-bank-event.ts';
import { findFreePort } from '../../local/dynamodb-local.ts';
import { startLambdaHttpServer } from '../../local/lambda-http-server.ts';
import { newErasureKeySecret, newWebhookSecret } from '../../local/local-secrets.ts';
import { DynamoDbCompromisedMerchants } from '../../shared/adapters/dynamodb-compromised-merchants.ts';
import { DynamoDbCustomerEraser } from '../../shared/adapters/dynamodb-customer-eraser.ts';
import { DynamoDbEnrollmentStore } from '../../shared/adapters/dynamodb-enrollment-store.ts';
import { DynamoDbEventStore } from '../../shared/adapters/dynamodb-event-store.ts';
import { DynamoDbNonceStore } from '../../shared/adapters/dynamodb-nonce-store.ts';
import { DynamoDbSubscriberDirectory } from '../../shared/adapters/dynamodb-subscriber-directory.ts';
import { DynamoDbThresholdStore } from '../../shared/adapters/dynamodb-threshold-store.ts';
import { FileSecretStore } from '../../shared/adapters/file-secret-store.ts';
import {
  type AdminKeyValue,
  bankSecretName,
  SecretStoreBankSecrets,
  type SigningSecretValue,
  signingSecretName,
} from '../../shared/adapters/secret-store-bank-secrets.ts';
import {
  erasureKeySecretName,
  SecretStoreErasureKeys,
} from '../../shared/adapters/secret-store-erasure-keys.ts';
import { newAdminKey, signAdminRequest } from '../../shared/domain/admin-signature.ts';
import type { ReceiveBankEventPorts } from '../../shared/domain/receive-bank-event.ts';
import { systemClock } from '../../shared/ports/clock.ts';
import { httpRoutes } from '../../shared/runtime/http-routes.ts';
import { signedHeaders } from '../fixtures/signed-request.ts';
import { TEST_REPORTER_KEY } from './test-keys.ts';
import type { TestTables } from './test-tables.ts';

const PREFIX = 'vigil/test';
export const TEST_PAGE_ID = '100000000000042';

export interface TestBankApi {
  readonly url: string;
  readonly ports: ReceiveBankEventPorts;
  /** The secret each test bank signs events with. */
  readonly secrets: Record<string, string>;
  /** The key each test bank signs administration requests with. */
  readonly adminKeys: Record<string, string>;
  /** Replaces a bank's signing secret value in the local secret store. */
  setSigningSecret(bankId: string, value: SigningSecretValue): Promise<void>;
  /** Replaces a bank's administration key value in the local secret store. */
  setAdminKey(bankId: string, value: AdminKeyValue): Promise<void>;
  post(bankId: string, body: string | Buffer, headers: Record<string, string>): Promise<Response>;
  /** Signs the body with the bank's secret and posts it. */
  postSigned(bankId: string, body: string | Buffer, eventId?: string): Promise<Response>;
  /**
   * A signed request to any bank route, e.g. `call('acme', 'PUT', '/thresholds', {...})`: events
   * with Standard Webhooks, administration routes with HTTP Message Signatures.
   */
  call(bankId: string, method: string, path: string, body?: unknown): Promise<Response>;
  close(): Promise<void>;
}

/**
 * The bank API over real HTTP (local mode's server) in front of receive-bank-event, wired to the
 * test's DynamoDB Local tables and a local secrets file holding a secret for each named bank.
 */
export async function startTestBankApi(
  tables: TestTables,
  bankIds: readonly string[],
  overrides: Partial<ReceiveBankEventPorts> = {},
  logger?: Logger,
): Promise<TestBankApi> {
  const secretsFile = join(await mkdtemp(join(tmpdir(), 'vigil-secrets-')), 'secrets.json');
  const values: Record<string, unknown> = { [erasureKeySecretName(PREFIX)]: newErasureKeySecret() };
  const secrets: Record<string, string> = {};
  const adminKeys: Record<string, string> = {};
  for (const bankId of bankIds) {
    secrets[bankId] = newWebhookSecret();
    adminKeys[bankId] = newAdminKey();
    values[signingSecretName(PREFIX, bankId)] = { current: secrets[bankId] };
    values[bankSecretName(PREFIX, bankId, 'admin')] = { current: adminKeys[bankId] };
  }
  await writeFile(secretsFile, JSON.stringify(values));

  const ports: ReceiveBankEventPorts = {
    secrets: new SecretStoreBankSecrets(new FileSecretStore(secretsFile), PREFIX),
    erasure: new SecretStoreErasureKeys(new FileSecretStore(secretsFile), PREFIX),
    subscribers: new DynamoDbSubscriberDirectory(tables.documentClient, tables.names.subscribers),
    events: new DynamoDbEventStore(tables.documentClient, tables.names.events),
    clock: systemClock,
    ...overrides,
  };
  const { documentClient: client, names } = tables;
  const handlers = {
    'receive-bank-event': createHandler(ports, logger),
    'bank-admin': createBankAdminHandler(
      {
        secrets: ports.secrets,
        thresholds: new DynamoDbThresholdStore(client, names.thresholds),
        fraudFeedback: {
          merchants: new DynamoDbCompromisedMerchants(client, names.activity),
          thresholds: new DynamoDbThresholdStore(client, names.thresholds),
          reporterKey: async () => TEST_REPORTER_KEY,
        },
        enrollments: new DynamoDbEnrollmentStore(client, names.enrollments),
        eraser: new DynamoDbCustomerEraser(client, names),
        erasure: ports.erasure,
        nonces: new DynamoDbNonceStore(client, names.nonces),
        clock: systemClock,
        pageId: TEST_PAGE_ID,
      },
      logger,
    ),
  };
  const server = await startLambdaHttpServer(
    httpRoutes.flatMap((route) =>
      route.function === 'messenger-webhook' || route.function === 'whatsapp-webhook'
        ? []
        : [
            {
              method: route.method,
              path: route.path,
              functionName: route.function,
              handler: handlers[route.function],
            },
          ],
    ),
    await findFreePort(),
  );
  const post = (bankId: string, body: string | Buffer, headers: Record<string, string>) =>
    fetch(`${server.url}/v1/banks/${bankId}/events`, { method: 'POST', headers, body });
  return {
    url: server.url,
    ports,
    secrets,
    adminKeys,
    async setSigningSecret(bankId, value) {
      values[signingSecretName(PREFIX, bankId)] = value;
      await writeFile(secretsFile, JSON.stringify(values));
    },
    async setAdminKey(bankId, value) {
      values[bankSecretName(PREFIX, bankId, 'admin')] = value;
      await writeFile(secretsFile, JSON.stringify(values));
    },
    post,
    postSigned: (bankId, body, eventId) =>
      post(
        bankId,
        body,
        signedHeaders(secrets[bankId] ?? newWebhookSecret(), body, eventId ? { eventId } : {}),
      ),
    async call(bankId, method, path, body) {
      const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
      const url = `${server.url}/v1/banks/${bankId}${path}`;
      const headers =
        path === '/events'
          ? signedHeaders(secrets[bankId] ?? newWebhookSecret(), text)
          : {
              ...(text !== '' && { 'content-type': 'application/json' }),
              ...(await signAdminRequest(adminKeys[bankId] ?? newAdminKey(), { method, url, body: text })),
            };
      return fetch(url, { method, headers, ...(text !== '' && { body: text }) });
    },
    close: () => server.close(),
  };
}
