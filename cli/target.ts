import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BankKeyKind } from '../shared/adapters/secret-store-bank-secrets.ts';

/** The tables operator commands read and write directly. */
export interface TargetTables {
  readonly client: DynamoDBDocumentClient;
  readonly banks: string;
  readonly events: string;
  readonly alerts: string;
  readonly callbacks: string;
}

export interface NewBank {
  readonly bankId: string;
  readonly name: string;
  readonly callbackUrl: string;
  readonly timeZone?: string | undefined;
  readonly utilityTemplate?:
    | { readonly name: string; readonly language: string; readonly parameters: string[] }
    | undefined;
}

/** A bank's keys, printed once when made. */
export interface BankKeys {
  readonly signingSecret: string;
  readonly adminKey: string;
  readonly adminKeyId: string;
  readonly callbackSecret: string;
}

/** Where the CLI acts: local mode (`npm start`), or a deployed stage (`--stage NAME`). */
export interface Target {
  readonly description: string;
  apiUrl(): Promise<string>;
  /** The bank's current event signing secret, to sign events as the bank would. */
  signingSecret(bankId: string): Promise<string>;
  /** The bank's current administration key, to sign administration requests as the bank would. */
  adminKey(bankId: string): Promise<string>;
  /** Registers a bank: creates its event, administration and callback secrets and its settings item. */
  addBank(bank: NewBank): Promise<BankKeys>;
  /**
   * Makes a new current key of that kind; the old one stays valid as `previous` until
   * `finishRotation` (or the next rotation). Returns the new key, as `addBank` names it.
   */
  rotateSecret(bankId: string, kind: BankKeyKind): Promise<Partial<BankKeys>>;
  /** Drops the previous key of that kind; false when there was none. */
  finishRotation(bankId: string, kind: BankKeyKind): Promise<boolean>;
  tables(): Promise<TargetTables>;
}
