import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbBankDirectory } from '../shared/adapters/dynamodb-bank-directory.ts';
import { DynamoDbEventStore } from '../shared/adapters/dynamodb-event-store.ts';
import { DynamoDbSubscriberDirectory } from '../shared/adapters/dynamodb-subscriber-directory.ts';
import { SecretStoreBankSecrets } from '../shared/adapters/secret-store-bank-secrets.ts';
import { SecretStoreErasureKeys } from '../shared/adapters/secret-store-erasure-keys.ts';
import { type ReceiveBankEventPorts, receiveBankEvent } from '../shared/domain/receive-bank-event.ts';
import * as z from '../shared/domain/zod.ts';
import { systemClock } from '../shared/ports/clock.ts';
import {
  awsEnvironment,
  dynamoDbFrom,
  secretStoreFrom,
  secretsEnvironment,
} from '../shared/runtime/aws-clients.ts';
import { parseEnv } from '../shared/runtime/env.ts';
import { httpHandler, lazyHandler } from '../shared/runtime/handler-bundles.ts';
import { jsonResponse, rawBody } from '../shared/runtime/http-request.ts';
import { functionLogger } from '../shared/runtime/logger.ts';
import { count } from '../shared/runtime/metrics.ts';
import { clientCertificateSubject } from '../shared/runtime/rest-api-event.ts';

// POST /v1/banks/{bankId}/events (docs/contract.md#events).

/** Builds the handler around the given ports; tests pass their own. */
export function createHandler(ports: ReceiveBankEventPorts, log: Logger = functionLogger()) {
  return httpHandler(
    log,
    async (event) => {
      const bankId = event.pathParameters?.bankId ?? '';
      const outcome = await receiveBankEvent(
        {
          bankId,
          headers: event.headers,
          body: rawBody(event),
          pathParameters: event.pathParameters ?? {},
          sourceIp: event.requestContext?.http?.sourceIp,
          clientCertificateSubject: clientCertificateSubject(event),
        },
        ports,
      );
      log.info('bank event received', { bankId, eventId: outcome.id, outcome: outcome.status });
      count('BankEvent', { outcome: outcome.status });
      return jsonResponse(outcome.status === 'duplicate' ? 200 : 202, outcome);
    },
    { onRefused: (reason) => count('BankEventRefused', { reason }) },
  );
}

export const envSchema = z.object({
  EVENTS_TABLE: z.string().check(z.minLength(1)),
  SUBSCRIBERS_TABLE: z.string().check(z.minLength(1)),
  BANKS_TABLE: z.string().check(z.minLength(1)),
  ...secretsEnvironment,
  ...awsEnvironment,
});

/** The composition root: the adapters this function runs with, from its environment. */
export function portsFrom(env: z.output<typeof envSchema>): ReceiveBankEventPorts {
  const dynamoDb = dynamoDbFrom(env);
  const secretStore = secretStoreFrom(env);
  return {
    secrets: new SecretStoreBankSecrets(secretStore, env.SECRET_PREFIX),
    erasure: new SecretStoreErasureKeys(secretStore, env.SECRET_PREFIX),
    subscribers: new DynamoDbSubscriberDirectory(dynamoDb, env.SUBSCRIBERS_TABLE),
    events: new DynamoDbEventStore(dynamoDb, env.EVENTS_TABLE),
    clock: systemClock,
    banks: new DynamoDbBankDirectory(dynamoDb, env.BANKS_TABLE),
  };
}

export const handler = lazyHandler(() => createHandler(portsFrom(parseEnv(envSchema))));
