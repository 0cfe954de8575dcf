import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BankChanges, StoredBank } from '../shared/adapters/dynamodb-bank-directory.ts';
import type { BankKeyKind } from '../shared/adapters/secret-store-bank-secrets.ts';
import type { UtilityTemplate } from '../shared/domain/bank-profile.ts';
import type { CallbackUrlPolicy, Resolve } from '../shared/domain/callback-url.ts';
import type { ChannelName } from '../shared/ports/channel.ts';
import type { DeadLetterBox } from './dead-letters.ts';

/** The tables operator commands read and write directly. */
export interface TargetTables {
  readonly client: DynamoDBDocumentClient;
  readonly banks: string;
  readonly events: string;
  readonly alerts: string;
  readonly callbacks: string;
  /** Thresholds and preferences: `vigil migrate` moves old preferences there. */
  readonly thresholds: string;
  /**
   * The customer histories (redrive asks them which card transactions were scored), and each
   * bank's set of marked merchants (`vigil migrate` fills it).
   */
  readonly activity: string;
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
  readonly utilityTemplate?: UtilityTemplate | undefined;
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
  /** Where a bank's callback URL may point: loopback only in local mode; `resolve` is for tests. */
  readonly callbackUrlPolicy: CallbackUrlPolicy & { readonly resolve?: Resolve };
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
  /** Changes a registered bank's settings; an unknown bank is refused and nothing is created. */
  updateBank(bankId: string, changes: BankChanges): Promise<BankView>;
  /** A registered bank's settings, never its secrets. */
  showBank(bankId: string): Promise<BankView>;
  /** What Meta asks for when subscribing that channel's webhook (the page's, or the WhatsApp app's). */
  channelWebhook(channel: ChannelName): Promise<ChannelWebhook>;
  /** Replaces the given secrets of that channel (the verify token stays); returns which changed. */
  setChannelSecrets(
    channel: ChannelName,
    secrets: ChannelSecretsChange,
  ): Promise<{ secretName: string; changed: string[] }>;
  /** Where failed stream batches are described. */
  deadLetters(): Promise<DeadLetterBox>;
  tables(): Promise<TargetTables>;
}

export interface ChannelWebhook {
  readonly callbackUrl: string;
  readonly verifyToken: string;
}

/**
 * Fields of a channel's secret to replace, undefined ones kept: Messenger's `pageAccessToken`,
 * WhatsApp's `accessToken`, and both channels' `appSecret`.
 */
export type ChannelSecretsChange = Readonly<Record<string, string | undefined>>;

/** What `banks show` and `banks update` print: the bank's settings item, no secret in it. */
export type BankView = StoredBank;
