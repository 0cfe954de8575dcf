import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { erasureKeySecretName } from '../../shared/adapters/secret-store-erasure-keys.ts';
import { reporterKeyName } from '../../shared/adapters/secret-store-reporter-key.ts';
import { AppFunction, tableAccess } from '../app-function.ts';
import type { StageConfig } from '../stage-config.ts';
import { hashingKeySecret } from './hashing-key-secret.ts';
import type { Tables } from './tables.ts';

export interface BankFunctionsProps {
  readonly config: StageConfig;
  readonly key: IKey;
  /** Encrypts the secrets this construct reads or creates. */
  readonly secretsKey: IKey;
  readonly tables: Tables;
}

/** The functions behind the bank API: event ingestion, and administration (enrollments, thresholds, erase). */
export class BankFunctions extends Construct {
  readonly receiveBankEvent: AppFunction;
  readonly bankAdmin: AppFunction;
  /**
   * The key of the reporter hashes in compromised-merchant marks (docs/scoring.md, "Confirmed
   * fraud"): read by the fraud-reports route, the scorer and notify-bank.
   */
  readonly reporterKey: Secret;

  constructor(scope: Construct, id: string, { config, key, secretsKey, tables }: BankFunctionsProps) {
    super(scope, id);
    const secretPrefix = `vigil/${config.stage}`;
    const common = { stage: config.stage, key, logLevel: config.logLevel };
    // The key of the erasure markers' keyed hash (docs/security.md, "Erasure"), generated once.
    const erasureKey = hashingKeySecret(this, 'ErasureKey', {
      secretName: erasureKeySecretName(secretPrefix),
      description: 'Key of the keyed hash that erasure markers hold',
      stage: config.stage,
      encryptionKey: secretsKey,
      noRotationReason:
        'A new key would make the markers of past erasures unreadable for records still in flight; it protects a hash, not access.',
    });

    this.reporterKey = hashingKeySecret(this, 'MerchantReporterKey', {
      secretName: reporterKeyName(secretPrefix),
      description: 'Key of the keyed hash of reporting customers in compromised-merchant marks',
      stage: config.stage,
      encryptionKey: secretsKey,
      noRotationReason:
        'A new key would make the marks already counting unable to tell a payer from the reporters; it protects a hash, not access.',
    });

    this.receiveBankEvent = new AppFunction(this, 'ReceiveBankEvent', {
      ...common,
      entry: 'receive-bank-event',
    })
      .bindBankSecrets(secretPrefix, 'signing', secretsKey)
      .bindSecret(erasureKey, secretsKey)
      .bindTable('subscribers', tables.get('subscribers'), tableAccess.get)
      .bindTable('events', tables.get('events'), tableAccess.put)
      // The bank's settings: its source IP allow-list and client certificate.
      .bindTable('banks', tables.get('banks'), tableAccess.get);

    const erase = [...tableAccess.delete];
    this.bankAdmin = new AppFunction(this, 'BankAdmin', {
      ...common,
      entry: 'bank-admin',
      environment: { MESSENGER_PAGE_ID: config.messengerPageId },
    })
      // The administration key only: an event signing secret cannot authorize administration.
      .bindBankSecrets(secretPrefix, 'admin', secretsKey)
      .bindSecret(erasureKey, secretsKey)
      .bindSecret(this.reporterKey, secretsKey)
      .bindTable('nonces', tables.get('nonces'), [
        ...tableAccess.get,
        ...tableAccess.put,
        ...tableAccess.update,
        ...tableAccess.delete,
      ])
      .bindTable('thresholds', tables.get('thresholds'), [...tableAccess.get, ...tableAccess.put, ...erase])
      .bindTable(
        'enrollments',
        tables.get('enrollments'),
        [...tableAccess.put, ...tableAccess.batchWrite],
        ['byCustomer'],
      )
      .bindTable('subscribers', tables.get('subscribers'), erase)
      // The erasure marker (put: it replaces the customer's history item), the history items of
      // before (delete); the merchants' confirmed-fraud marks: fraud reports (update), and
      // erasing a customer's reports (get, update).
      .bindTable('activity', tables.get('activity'), [
        ...tableAccess.get,
        ...tableAccess.put,
        ...erase,
        ...tableAccess.update,
      ])
      // Alerts by customer: byCustomerRef, and byCustomer for alerts written before it (until migrated).
      .bindTable('alerts', tables.get('alerts'), tableAccess.batchWrite, ['byCustomerRef', 'byCustomer'])
      .bindTable('events', tables.get('events'), tableAccess.batchWrite, ['byCustomer'])
      .bindTable('banks', tables.get('banks'), tableAccess.get);
  }
}
