import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { DynamoDbBankDirectory } from '../shared/adapters/dynamodb-bank-directory.ts';
import { DynamoDbCallbackOutbox } from '../shared/adapters/dynamodb-callback-outbox.ts';
import { GuardedCallbackSender } from '../shared/adapters/guarded-callback-sender.ts';
import { SecretStoreBankSecrets } from '../shared/adapters/secret-store-bank-secrets.ts';
import { callbackDeliveryPolicy, type DeliverCallbackPorts } from '../shared/domain/deliver-callbacks.ts';
import { callbackDeliverySchema } from '../shared/domain/table-items.ts';
import * as z from '../shared/domain/zod.ts';
import { systemClock } from '../shared/ports/clock.ts';
import {
  awsEnvironment,
  dynamoDbFrom,
  secretStoreFrom,
  secretsEnvironment,
} from '../shared/runtime/aws-clients.ts';
import { parseEnv } from '../shared/runtime/env.ts';
import { lazyHandler, scheduledHandler, streamHandler } from '../shared/runtime/handler-bundles.ts';
import { functionLogger } from '../shared/runtime/logger.ts';
import { count } from '../shared/runtime/metrics.ts';

// Delivers bank callbacks from the outbox: at once when a callback is queued (the callbacks
// table's stream), then on a schedule for those that failed (shared/domain/deliver-callbacks.ts).

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
  const onStream = streamHandler(log, callbackDeliverySchema, async ({ eventName, after }) => {
    if (eventName === 'INSERT' && after !== undefined) await policy.firstAttempt(after);
  });
  const onSchedule = scheduledHandler(log, async (_run: ScheduledRun) => {
    const result = await policy.retryDue();
    // Due callbacks found this run: the backlog the alarm watches.
    count('CallbackBacklog', undefined, result.attempted);
    return result;
  });
  return (event: DynamoDBStreamEvent | ScheduledRun, context: Context) =>
    'Records' in event ? onStream(event, context) : onSchedule(event, context);
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
