import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { scoringStream } from '../../shared/runtime/stream-settings.ts';
import { AppFunction, tableAccess } from '../app-function.ts';
import type { StageConfig } from '../stage-config.ts';
import type { Tables } from './tables.ts';

export interface ScoringProps {
  readonly config: StageConfig;
  readonly key: IKey;
  /** Encrypts the reporter key's secret. */
  readonly secretsKey: IKey;
  /** The key of reporter hashes in compromised-merchant marks. */
  readonly reporterKey: Pick<Secret, 'secretArn'>;
  readonly tables: Tables;
  readonly deadLetters: IQueue;
}

/** score-bank-event on the events stream (inserts only). */
export class Scoring extends Construct {
  readonly scoreTransaction: AppFunction;

  constructor(
    scope: Construct,
    id: string,
    { config, key, secretsKey, reporterKey, tables, deadLetters }: ScoringProps,
  ) {
    super(scope, id);
    // The construct id keeps the function's former name: the deployed logical ids, its alarms and
    // the `reservedConcurrency.ScoreTransaction` setting of deployed stages stay as they are
    // (docs/architecture.md#names).
    this.scoreTransaction = new AppFunction(this, 'ScoreTransaction', {
      entry: 'score-bank-event',
      stage: config.stage,
      key,
      logLevel: config.logLevel,
      environment: { SECRET_PREFIX: `vigil/${config.stage}` },
    })
      // Tells a payer's own confirmed-fraud reports from other customers' (a keyed hash).
      .bindSecret(reporterKey, secretsKey)
      // Get: the bank's default; Query: the customer's override and preferences, read together.
      .bindTable('thresholds', tables.get('thresholds'), [...tableAccess.get, 'dynamodb:Query'])
      // Get, update and delete: the customer's history (ledger and profile: a read, then an
      // update conditional on the version read) and low-balance state (update), the merchants'
      // confirmed-fraud reports (get), the erasure marker and what an erasure overtook (get,
      // delete; docs/security.md).
      .bindTable('activity', tables.get('activity'), [
        ...tableAccess.get,
        ...tableAccess.update,
        ...tableAccess.delete,
      ])
      .bindTable('alerts', tables.get('alerts'), [
        // Opening or joining the customer's one open fraud check, in transactions (docs/scoring.md).
        ...tableAccess.get,
        ...tableAccess.put,
        ...tableAccess.update,
        ...tableAccess.delete,
        ...tableAccess.conditionCheck,
      ])
      .bindTable('events', tables.get('events'), [
        ...tableAccess.get,
        ...tableAccess.update,
        ...tableAccess.delete,
      ])
      .consumeStream(tables.get('events'), scoringStream, deadLetters, ['INSERT']);
  }
}
