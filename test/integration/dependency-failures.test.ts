import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../local/dynamodb-local.ts';
import { localAwsConfig } from '../../local/local-stack.ts';
import { DynamoDbEventStore } from '../../shared/adapters/dynamodb-event-store.ts';
import { SecretStoreBankSecrets } from '../../shared/adapters/secret-store-bank-secrets.ts';
import { SecretsManagerSecretStore } from '../../shared/adapters/secrets-manager-secret-store.ts';
import { documentClientFor } from '../../shared/runtime/aws-clients.ts';
import { cardTransaction } from '../fixtures/bank-events.ts';
import { startTestBankApi, type TestBankApi } from '../support/test-bank-api.ts';
import { createTestTables, type TestTables } from '../support/test-tables.ts';

const BANK = 'acme-bank';
let tables: TestTables;
let api: TestBankApi | undefined;

beforeAll(async () => {
  tables = await createTestTables();
  await tables.subscribe(BANK, 'cus_8f3a');
});
afterEach(() => api?.close());

describe('when DynamoDB fails', () => {
  it('answers 503 with Retry-After when PutItem is throttled, stores nothing, and the retry succeeds', async () => {
    const failing = documentClientFor(
      new DynamoDBClient({ ...localAwsConfig(await endpointOf(tables)), maxAttempts: 1 }),
    );
    let throttle = true;
    failing.middlewareStack.add(
      (next, context) => async (args) => {
        if (throttle && context.commandName === 'PutItemCommand') {
          throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
            name: 'ProvisionedThroughputExceededException',
            $fault: 'client',
            $retryable: { throttling: true },
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'injectThrottling' },
    );
    api = await startTestBankApi(tables, [BANK], {
      events: new DynamoDbEventStore(failing, tables.names.events),
    });
    const body = JSON.stringify(cardTransaction());

    const refused = await api.postSigned(BANK, body, 'evt_throttled');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.json()).toMatchObject({ type: 'urn:vigil:problem:temporarily-unavailable' });
    expect(await tables.scan('events')).toHaveLength(0);

    throttle = false;
    expect((await api.postSigned(BANK, body, 'evt_throttled')).status).toBe(202);
    expect(await tables.scan('events')).toHaveLength(1);
  });

  it('answers 503 when DynamoDB cannot be reached, without leaking the cause', async () => {
    const unreachable = documentClientFor(
      new DynamoDBClient({ ...localAwsConfig(`http://127.0.0.1:${await findFreePort()}`), maxAttempts: 1 }),
    );
    api = await startTestBankApi(tables, [BANK], {
      events: new DynamoDbEventStore(unreachable, tables.names.events),
    });

    const response = await api.postSigned(BANK, JSON.stringify(cardTransaction()), 'evt_unreachable');
    expect(response.status).toBe(503);
    expect(JSON.stringify(await response.json())).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
  });
});

describe('when Secrets Manager fails or does not know the bank', () => {
  // Secrets Manager has no local engine: the SDK mock stands in for it at the client boundary,
  // behind the real Powertools provider.
  const secretsManager = mockClient(SecretsManagerClient);
  afterEach(() => secretsManager.reset());

  async function apiWithSecretsManager() {
    const store = new SecretsManagerSecretStore(new SecretsManagerClient({ region: 'eu-west-1' }));
    api = await startTestBankApi(tables, [BANK], {
      secrets: new SecretStoreBankSecrets(store, 'vigil/test'),
    });
    return api;
  }

  it('answers 503 with Retry-After when Secrets Manager throttles (wrapped by Powertools)', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(
      Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottlingException',
        $fault: 'client',
        $retryable: { throttling: true },
      }),
    );
    const bankApi = await apiWithSecretsManager();
    const before = (await tables.scan('events')).length;
    const response = await bankApi.postSigned(BANK, JSON.stringify(cardTransaction()), 'evt_sm_throttled');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await tables.scan('events')).toHaveLength(before);
  });

  it.each([
    ['AccessDeniedException', Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' })],
    ['ResourceNotFoundException', new ResourceNotFoundException({ message: 'not found', $metadata: {} })],
  ])(
    'answers 401 for an unknown bank when Secrets Manager says %s, and asks once a minute at most',
    async (_, error) => {
      secretsManager.on(GetSecretValueCommand).rejects(error);
      const bankApi = await apiWithSecretsManager();
      const body = JSON.stringify(cardTransaction());
      for (const id of ['evt_unknown_1', 'evt_unknown_2']) {
        const response = await bankApi.post('made-up-bank', body, {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': `${Math.floor(Date.now() / 1000)}`,
          'webhook-signature': 'v1,AAAA',
        });
        expect(response.status).toBe(401);
        expect(await response.json()).toMatchObject({ type: 'urn:vigil:problem:invalid-signature' });
      }
      expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    },
  );
});

async function endpointOf(tables: TestTables): Promise<string> {
  const endpoint = await tables.client.config.endpoint?.();
  if (endpoint === undefined) throw new Error('no endpoint');
  return `${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`;
}
