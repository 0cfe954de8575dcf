import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { subscriberRefKeyName } from '../../shared/adapters/secret-store-subscriber-ref-key.ts';
import { callbackStream } from '../../shared/runtime/stream-settings.ts';
import { AppFunction, tableAccess } from '../app-function.ts';
import type { StageConfig } from '../stage-config.ts';
import { hashingKeySecret } from './hashing-key-secret.ts';
import type { Tables } from './tables.ts';

export interface CallbacksProps {
  readonly config: StageConfig;
  readonly key: IKey;
  /** Encrypts the secrets this construct reads or creates. */
  readonly secretsKey: IKey;
  /** The key of reporter hashes in compromised-merchant marks ("No" answers mark merchants). */
  readonly reporterKey: Pick<Secret, 'secretArn'>;
  readonly tables: Tables;
  readonly deadLetters: IQueue;
}

/**
 * The alert lifecycle's outside world (decisions 6 and 16): notify-bank turns alert and
 * subscription changes into callbacks and sends each at once, queuing in the outbox only those
 * that fail; deliver-callbacks retries the queued ones every minute for at least 24 h;
 * expire-alerts closes unanswered fraud checks.
 */
export class Callbacks extends Construct {
  readonly notifyBank: AppFunction;
  readonly deliverCallbacks: AppFunction;
  readonly expireAlerts: AppFunction;

  constructor(
    scope: Construct,
    id: string,
    { config, key, secretsKey, reporterKey, tables, deadLetters }: CallbacksProps,
  ) {
    super(scope, id);
    const common = { stage: config.stage, key, logLevel: config.logLevel };

    // The per-deployment key of subscriberRef (a keyed hash of the PSID in subscription callbacks):
    // generated once, never shown; rotating it would change every subscriberRef a bank holds.
    const prefix = `vigil/${config.stage}`;
    const subscriberRefKey = hashingKeySecret(this, 'SubscriberRefKey', {
      secretName: subscriberRefKeyName(prefix),
      description: 'Key of subscriberRef, the keyed hash of a subscriber’s channel address',
      stage: config.stage,
      encryptionKey: secretsKey,
      noRotationReason:
        'A stable reference is its purpose: rotating the key would change every subscriberRef banks hold.',
    });
    this.notifyBank = new AppFunction(this, 'NotifyBank', {
      ...common,
      entry: 'notify-bank',
      // A batch makes one first attempt per bank at a time (5 s timeout each), and none once
      // less than 10 s are left: the rest of the batch goes to the outbox.
      timeout: Duration.seconds(60),
      environment: { SECRET_PREFIX: prefix },
    })
      .bindSecret(subscriberRefKey, secretsKey)
      .bindSecret(reporterKey, secretsKey)
      // The first attempt at each callback: the bank's callback URL and secrets; the outbox only
      // for the callbacks that attempt leaves undelivered (a conditional put).
      .bindBankSecrets(prefix, 'callback', secretsKey)
      .bindTable('banks', tables.get('banks'), tableAccess.get)
      .bindTable('callbacks', tables.get('callbacks'), tableAccess.put)
      // The erasure markers (docs/security.md, "Erasure"), and the compromised-merchant marks a
      // "No" answer adds (update, with the bank's window from its thresholds), removed again
      // (get, update, delete) when the customer was erased meanwhile.
      .bindTable('activity', tables.get('activity'), [
        ...tableAccess.get,
        ...tableAccess.update,
        ...tableAccess.delete,
      ])
      .bindTable('thresholds', tables.get('thresholds'), tableAccess.get)
      .consumeStream(tables.get('alerts'), callbackStream, deadLetters, ['INSERT', 'MODIFY'])
      .consumeStream(tables.get('subscribers'), callbackStream, deadLetters, ['INSERT', 'MODIFY', 'REMOVE']);

    this.deliverCallbacks = new AppFunction(this, 'DeliverCallbacks', {
      ...common,
      entry: 'deliver-callbacks',
      timeout: Duration.seconds(50),
    })
      .bindBankSecrets(`vigil/${config.stage}`, 'callback', secretsKey)
      .bindTable(
        'callbacks',
        tables.get('callbacks'),
        [...tableAccess.get, ...tableAccess.update],
        ['dueByBank'],
      )
      .bindTable('banks', tables.get('banks'), [...tableAccess.get, ...tableAccess.scan]);

    this.expireAlerts = new AppFunction(this, 'ExpireAlerts', {
      ...common,
      entry: 'expire-alerts',
      timeout: Duration.seconds(50),
    })
      .bindTable(
        'alerts',
        tables.get('alerts'),
        // Get and delete: expiry closes the customer's open fraud check item with the check.
        [...tableAccess.get, ...tableAccess.update, ...tableAccess.delete],
        ['openByDeadline'],
      )
      .bindTable('banks', tables.get('banks'), tableAccess.scan);

    for (const target of [this.deliverCallbacks, this.expireAlerts]) {
      const role = new Role(this, `${target.node.id}ScheduleRole`, {
        assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
      });
      new Schedule(this, `${target.node.id}Schedule`, {
        schedule: ScheduleExpression.rate(Duration.minutes(1)),
        target: new LambdaInvoke(target.function, { role }),
        description: `Runs ${target.node.id} every minute`,
      });
      const functionId = Stack.of(this).getLogicalId(target.function.node.defaultChild as CfnFunction);
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${functionId}.Arn>:*]`,
        reason: 'Invoking the versions of this one function, as the scheduler grant writes it.',
      });
    }
  }
}
