import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CallbackUrlPolicy, Resolve } from '../shared/domain/callback-url.ts';

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
  /** Addresses or CIDR blocks the bank's requests must come from. */
  readonly allowedSourceIps?: readonly string[] | undefined;
  /** The subject of the client certificate the bank's requests must carry (mutual TLS). */
  readonly clientCertificateSubject?: string | undefined;
  readonly utilityTemplate?:
    | { readonly name: string; readonly language: string; readonly parameters: string[] }
    | undefined;
}

/** Where the CLI acts: local mode (`npm start`), or a deployed stage (`--stage NAME`). */
export interface Target {
  readonly description: string;
  /** Where a bank's callback URL may point: loopback only in local mode; `resolve` is for tests. */
  readonly callbackUrlPolicy: CallbackUrlPolicy & { readonly resolve?: Resolve };
  apiUrl(): Promise<string>;
  /** The bank's current signing secret, to sign requests as the bank would. */
  signingSecret(bankId: string): Promise<string>;
  /** Registers a bank: creates its signing and callback secrets and its settings item. */
  addBank(bank: NewBank): Promise<{ signingSecret: string; callbackSecret: string }>;
  /** Makes a new current signing secret; the old one stays valid as `previous` until the next rotation. */
  rotateSigningSecret(bankId: string): Promise<{ signingSecret: string }>;
  tables(): Promise<TargetTables>;
}
