import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@aws-lambda-powertools/logger';
import { createHandler as createBankAdminHandler } from '../../functions/bank-admin.ts';
import { createHandler } from '../../functions/receive-bank-event.ts';
import { findFreePort } from '../../local/dynamodb-local.ts';
import { startLambdaHttpServer } from '../../local/lambda-http-server.ts';
import { newWebhookSecret } from '../../local/local-secrets.ts';
import { DynamoDbEventStore } from '../../shared/adapters/dynamodb-event-store.ts';
import { DynamoDbSubscriberDirectory } from '../../shared/adapters/dynamodb-subscriber-directory.ts';
import { DynamoDbThresholdStore } from '../../shared/adapters/dynamodb-threshold-store.ts';
import { FileSecretStore } from '../../shared/adapters/file-secret-store.ts';
import {
  SecretStoreBankSecrets,
  type SigningSecretValue,
  signingSecretName,
} from '../../shared/adapters/secret-store-bank-secrets.ts';
import type { ReceiveBankEventPorts } from '../../shared/domain/receive-bank-event.ts';
import { systemClock } from '../../shared/ports/clock.ts';
import { signedHeaders } from '../fixtures/signed-request.ts';
import type { TestTables } from './test-tables.ts';

const PREFIX = 'vigil/test';

export interface TestBankApi {
  readonly url: string;
  readonly ports: ReceiveBankEventPorts;
  /** The secret each test bank signs with. */
  readonly secrets: Record<string, string>;
  /** Replaces a bank's signing secret value in the local secret store. */
  setSigningSecret(bankId: string, value: SigningSecretValue): Promise<void>;
  post(bankId: string, body: string | Buffer, headers: Record<string, string>): Promise<Response>;
  /** Signs the body with the bank's secret and posts it. */
  postSigned(bankId: string, body: string | Buffer, eventId?: string): Promise<Response>;
  /** A signed request to any bank route, e.g. `call('acme', 'PUT', '/thresholds', {...})`. */
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
  const values: Record<string, SigningSecretValue> = {};
  const secrets: Record<string, string> = {};
  for (const bankId of bankIds) {
    secrets[bankId] = newWebhookSecret();
    values[signingSecretName(PREFIX, bankId)] = { current: secrets[bankId] };
  }
  await writeFile(secretsFile, JSON.stringify(values));

  const ports: ReceiveBankEventPorts = {
    secrets: new SecretStoreBankSecrets(new FileSecretStore(secretsFile), PREFIX),
    subscribers: new DynamoDbSubscriberDirectory(tables.documentClient, tables.names.subscribers),
    events: new DynamoDbEventStore(tables.documentClient, tables.names.events),
    clock: systemClock,
    ...overrides,
  };
  const bankAdmin = createBankAdminHandler(
    {
      secrets: ports.secrets,
      thresholds: new DynamoDbThresholdStore(tables.documentClient, tables.names.thresholds),
    },
    logger,
  );
  const admin = (method: 'GET' | 'PUT' | 'DELETE', path: string) => ({
    method,
    path,
    functionName: 'bank-admin',
    handler: bankAdmin,
  });
  const server = await startLambdaHttpServer(
    [
      {
        method: 'POST',
        path: '/v1/banks/{bankId}/events',
        functionName: 'receive-bank-event',
        handler: createHandler(ports, logger),
      },
      admin('GET', '/v1/banks/{bankId}/thresholds'),
      admin('PUT', '/v1/banks/{bankId}/thresholds'),
      admin('GET', '/v1/banks/{bankId}/customers/{customerId}/thresholds'),
      admin('PUT', '/v1/banks/{bankId}/customers/{customerId}/thresholds'),
      admin('DELETE', '/v1/banks/{bankId}/customers/{customerId}/thresholds'),
    ],
    await findFreePort(),
  );
  const post = (bankId: string, body: string | Buffer, headers: Record<string, string>) =>
    fetch(`${server.url}/v1/banks/${bankId}/events`, { method: 'POST', headers, body });
  return {
    url: server.url,
    ports,
    secrets,
    async setSigningSecret(bankId, value) {
      values[signingSecretName(PREFIX, bankId)] = value;
      await writeFile(secretsFile, JSON.stringify(values));
    },
    post,
    postSigned: (bankId, body, eventId) =>
      post(
        bankId,
        body,
        signedHeaders(secrets[bankId] ?? newWebhookSecret(), body, eventId ? { eventId } : {}),
      ),
    call(bankId, method, path, body) {
      const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
      const headers = signedHeaders(secrets[bankId] ?? newWebhookSecret(), text);
      return fetch(`${server.url}/v1/banks/${bankId}${path}`, {
        method,
        headers,
        ...(text !== '' && { body: text }),
      });
    },
    close: () => server.close(),
  };
}
