import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbBankDirectory } from '../shared/adapters/dynamodb-bank-directory.ts';
import { DynamoDbCallbackOutbox } from '../shared/adapters/dynamodb-callback-outbox.ts';
import { GuardedCallbackSender } from '../shared/adapters/guarded-callback-sender.ts';
import { SecretStoreBankSecrets } from '../shared/adapters/secret-store-bank-secrets.ts';
import { callbackDeliveryPolicy, type DeliverCallbackPorts } from '../shared/domain/deliver-callbacks.ts';
import * as z from '../shared/domain/zod.ts';
import { systemClock } from '../shared/ports/clock.ts';
import {
  awsEnvironment,
  dynamoDbFrom,
  secretStoreFrom,
  secretsEnvironment,
} from '../shared/runtime/aws-clients.ts';
import { parseEnv } from '../shared/runtime/env.ts';
import { lazyHandler, scheduledHandler } from '../shared/runtime/handler-bundles.ts';
import { functionLogger } from '../shared/runtime/logger.ts';
import { count } from '../shared/runtime/metrics.ts';

// Retries bank callbacks from the outbox, every minute: those whose first attempt, made by
// notify-bank, failed or was not made (shared/domain/deliver-callbacks.ts, decision 16).

export type ScheduledRun = { readonly source?: string };

/** Builds the handler around the given ports; tests pass their own. */
export function createHandler(
  ports: Omit<DeliverCallbackPorts, 'onFailure'>,
  log: Logger = functionLogger(),
) {
  const policy = callbackDeliveryPolicy(ports, (attempt) => {
    count('CallbackAttempt', { outcome: attempt.outcome });
    log.info('callback attempt', { ...attempt });
  });
  return scheduledHandler(log, async (_run: ScheduledRun) => {
    const result = await policy.retryDue();
    // Due callbacks found this run: the backlog the alarm watches.
    count('CallbackBacklog', undefined, result.attempted);
    return result;
  });
}

export const envSchema = z.object({
  CALLBACKS_TABLE: z.string().check(z.minLength(1)),
  BANKS_TABLE: z.string().check(z.minLength(1)),
  ...secretsEnvironment,
  ...awsEnvironment,
});

/** The composition root. Only local mode reads secrets from a file; only local mode may call loopback. */
export function portsFrom(env: z.output<typeof envSchema>): Omit<DeliverCallbackPorts, 'onFailure'> {
  const dynamoDb = dynamoDbFrom(env);
  const localMode = env.LOCAL_SECRETS_FILE !== undefined;
  return {
    outbox: new DynamoDbCallbackOutbox(dynamoDb, env.CALLBACKS_TABLE),
    banks: new DynamoDbBankDirectory(dynamoDb, env.BANKS_TABLE),
    secrets: new SecretStoreBankSecrets(secretStoreFrom(env), env.SECRET_PREFIX),
    sender: new GuardedCallbackSender({ allowLoopback: localMode }),
    clock: systemClock,
    allowLoopbackHttp: localMode,
  };
}

export const handler = lazyHandler(() => createHandler(portsFrom(parseEnv(envSchema))));
