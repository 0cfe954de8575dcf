import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { AppFunction, tableAccess } from '../app-function.ts';
import type { StageConfig } from '../stage-config.ts';
import type { Tables } from './tables.ts';

export interface BankFunctionsProps {
  readonly config: StageConfig;
  readonly key: IKey;
  readonly tables: Tables;
}

/** The functions behind the bank API: event ingestion, and administration (enrollments, thresholds, erase). */
export class BankFunctions extends Construct {
  readonly receiveBankEvent: AppFunction;
  readonly bankAdmin: AppFunction;

  constructor(scope: Construct, id: string, { config, key, tables }: BankFunctionsProps) {
    super(scope, id);
    const secretPrefix = `vigil/${config.stage}`;
    const common = { stage: config.stage, key, logLevel: config.logLevel };

    this.receiveBankEvent = new AppFunction(this, 'ReceiveBankEvent', {
      ...common,
      entry: 'receive-bank-event',
    })
      .bindBankSecrets(secretPrefix, 'signing', key)
      .bindTable('subscribers', tables.get('subscribers'), tableAccess.get)
      .bindTable('events', tables.get('events'), tableAccess.put);

    const erase = [...tableAccess.delete];
    this.bankAdmin = new AppFunction(this, 'BankAdmin', {
      ...common,
      entry: 'bank-admin',
      environment: { MESSENGER_PAGE_ID: config.messengerPageId },
    })
      // The administration key only: an event signing secret cannot authorize administration.
      .bindBankSecrets(secretPrefix, 'admin', key)
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
      .bindTable('activity', tables.get('activity'), erase)
      .bindTable('alerts', tables.get('alerts'), tableAccess.batchWrite, ['byCustomer'])
      .bindTable('events', tables.get('events'), tableAccess.batchWrite, ['byCustomer']);
  }
}
