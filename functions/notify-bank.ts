import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBRecord } from 'aws-lambda';
import { DynamoDbBankDirectory } from '../shared/adapters/dynamodb-bank-directory.ts';
import { DynamoDbCallbackOutbox } from '../shared/adapters/dynamodb-callback-outbox.ts';
import { DynamoDbCompromisedMerchants } from '../shared/adapters/dynamodb-compromised-merchants.ts';
import { DynamoDbErasureMarkers } from '../shared/adapters/dynamodb-erasure-markers.ts';
import { DynamoDbThresholdStore } from '../shared/adapters/dynamodb-threshold-store.ts';
import { GuardedCallbackSender } from '../shared/adapters/guarded-callback-sender.ts';
import { SecretStoreBankSecrets } from '../shared/adapters/secret-store-bank-secrets.ts';
import { reporterKeyFrom } from '../shared/adapters/secret-store-reporter-key.ts';
import { subscriberRefKeyFrom } from '../shared/adapters/secret-store-subscriber-ref-key.ts';
import { storedAlertsItemSchema, storedSubscriberSchema } from '../shared/adapters/stored-address.ts';
import { firstCallbackAttempts, type SendCallbackPorts } from '../shared/domain/deliver-callbacks.ts';
import { type NotifyBankItem, type NotifyBankPorts, notifyBank } from '../shared/domain/notify-bank.ts';
import { itemByShape } from '../shared/domain/table-items.ts';
import * as z from '../shared/domain/zod.ts';
import { systemClock } from '../shared/ports/clock.ts';
import {
  awsEnvironment,
  dynamoDbFrom,
  secretStoreFrom,
  secretsEnvironment,
} from '../shared/runtime/aws-clients.ts';
import { parseEnv } from '../shared/runtime/env.ts';
import { lazyHandler, streamHandler } from '../shared/runtime/handler-bundles.ts';
import { functionLogger } from '../shared/runtime/logger.ts';
import { count } from '../shared/runtime/metrics.ts';

// Consumes the alerts and subscribers streams: each status change becomes callbacks, each sent to
// the bank at once; only those that fail, or are not tried (a bank that failed within a minute),
// go to the outbox, where deliver-callbacks retries them (shared/domain/notify-bank.ts, decision 16).

/** What the function runs with: notify-bank's ports but the first attempt, and what sending needs. */
export type NotifyBankFunctionPorts = Omit<NotifyBankPorts, 'firstAttempt'> & SendCallbackPorts;

/**
 * The records of one bank are handled one after the other, in stream order (so each alert's
 * callbacks keep their order, and a bank that fails is tried once per batch); other banks' side
 * by side. A bookkeeping item without a bank is its own group.
 */
export function bankOfRecord(record: DynamoDBRecord): string {
  const image = record.dynamodb?.NewImage ?? record.dynamodb?.OldImage;
  const bankId = image?.bankId?.S;
  return bankId === undefined ? `key:${JSON.stringify(record.dynamodb?.Keys ?? {})}` : `bank:${bankId}`;
}

/** Builds the handler around the given ports; tests pass their own. */
export function createHandler(ports: NotifyBankFunctionPorts, log: Logger = functionLogger()) {
  // Kept for the execution environment's life: a bank that failed is left to the retrier a minute.
  const attempts = firstCallbackAttempts(ports);
  return streamHandler(
    log,
    itemByShape<NotifyBankItem>((item) =>
      'alertId' in item ? storedAlertsItemSchema : storedSubscriberSchema,
    ),
    async (change, context) => {
      const outcome = await notifyBank(change, {
        ...ports,
        firstAttempt: (delivery) => attempts.attempt(delivery, context.getRemainingTimeInMillis()),
      });
      if (outcome.type === 'erased') {
        log.info('callback dropped: customer erased', { bankId: outcome.bankId, type: outcome.callbackType });
        count('CallbackDroppedAfterErasure');
      }
      if (outcome.type === 'notified' && outcome.merchantsMarked > 0) {
        log.info('merchants marked compromised', {
          bankId: outcome.callbacks[0]?.bankId,
          merchants: outcome.merchantsMarked,
        });
        count('MerchantsMarked', undefined, outcome.merchantsMarked);
      }
      for (const callback of outcome.type === 'notified' ? outcome.callbacks : []) {
        // Ids, type, outcome and the failure's few words: never the URL or the body.
        log.info('callback first attempt', { ...callback });
        count('CallbackFirstAttempt', { outcome: callback.outcome });
      }
    },
    { inOrderOf: bankOfRecord },
  );
}

export const envSchema = z.object({
  CALLBACKS_TABLE: z.string().check(z.minLength(1)),
  BANKS_TABLE: z.string().check(z.minLength(1)),
  ACTIVITY_TABLE: z.string().check(z.minLength(1)),
  THRESHOLDS_TABLE: z.string().check(z.minLength(1)),
  ...secretsEnvironment,
  ...awsEnvironment,
});

/**
 * The composition root: the adapters this function runs with, from its environment. Only local
 * mode reads secrets from a file; only local mode may call loopback.
 */
export function portsFrom(env: z.output<typeof envSchema>): NotifyBankFunctionPorts {
  const dynamoDb = dynamoDbFrom(env);
  const secretStore = secretStoreFrom(env);
  const localMode = env.LOCAL_SECRETS_FILE !== undefined;
  return {
    outbox: new DynamoDbCallbackOutbox(dynamoDb, env.CALLBACKS_TABLE),
    banks: new DynamoDbBankDirectory(dynamoDb, env.BANKS_TABLE),
    secrets: new SecretStoreBankSecrets(secretStore, env.SECRET_PREFIX),
    sender: new GuardedCallbackSender({ allowLoopback: localMode }),
    allowLoopbackHttp: localMode,
    clock: systemClock,
    erasures: new DynamoDbErasureMarkers(dynamoDb, env.ACTIVITY_TABLE),
    subscriberRefKey: subscriberRefKeyFrom(secretStore, env.SECRET_PREFIX),
    fraudFeedback: {
      merchants: new DynamoDbCompromisedMerchants(dynamoDb, env.ACTIVITY_TABLE),
      thresholds: new DynamoDbThresholdStore(dynamoDb, env.THRESHOLDS_TABLE),
      reporterKey: reporterKeyFrom(secretStore, env.SECRET_PREFIX),
    },
  };
}

export const handler = lazyHandler(() => createHandler(portsFrom(parseEnv(envSchema))));
