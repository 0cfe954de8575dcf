import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  bankSecretName,
  callbackSecretName,
  signingSecretName,
} from '../shared/adapters/secret-store-bank-secrets.ts';
import { erasureKeySecretName } from '../shared/adapters/secret-store-erasure-keys.ts';
import { messengerSecretName } from '../shared/adapters/secret-store-messenger-secrets.ts';
import { reporterKeyName } from '../shared/adapters/secret-store-reporter-key.ts';
import { subscriberRefKeyName } from '../shared/adapters/secret-store-subscriber-ref-key.ts';
import { whatsappSecretName } from '../shared/adapters/secret-store-whatsapp-secrets.ts';
import { adminKeyId, newAdminKey } from '../shared/domain/admin-signature.ts';

/** A new erasure key secret: 32 random bytes in base64. */
export function newErasureKeySecret(): { key: string } {
  return { key: randomBytes(32).toString('base64') };
}

/** A new Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export interface LocalBankSecrets {
  readonly signingSecret: string;
  /** Signs administration requests (RFC 9421), under the keyid `adminKeyId`. */
  readonly adminKey: string;
  readonly adminKeyId: string;
  readonly callbackSecret: string;
}

export interface MessengerSecrets {
  readonly appSecret: string;
  readonly verifyToken: string;
  readonly pageAccessToken: string;
}

type SecretsFile = Record<string, unknown>;

/**
 * The local secrets file, laid out like Secrets Manager (name → JSON value). Secrets already in
 * the file are kept, so a restart of `npm start` does not invalidate a developer's setup.
 */
export class LocalSecretsFile {
  private constructor(
    readonly path: string,
    private readonly secrets: SecretsFile,
  ) {}

  static async open(path: string): Promise<LocalSecretsFile> {
    try {
      return new LocalSecretsFile(path, JSON.parse(await readFile(path, 'utf8')) as SecretsFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return new LocalSecretsFile(path, {});
    }
  }

  /** The bank's secrets, created when missing. */
  ensureBank(prefix: string, bankId: string): LocalBankSecrets {
    const signing = this.ensure(signingSecretName(prefix, bankId), () => ({ current: newWebhookSecret() }));
    const admin = this.ensure(bankSecretName(prefix, bankId, 'admin'), () => ({ current: newAdminKey() }));
    const callback = this.ensure(callbackSecretName(prefix, bankId), () => ({ current: newWebhookSecret() }));
    return {
      signingSecret: signing.current,
      adminKey: admin.current,
      adminKeyId: adminKeyId(admin.current),
      callbackSecret: callback.current,
    };
  }

  /** The Messenger app's secrets, created when missing. */
  ensureMessenger(prefix: string): MessengerSecrets {
    return this.ensure(messengerSecretName(prefix), () => ({
      appSecret: randomBytes(16).toString('hex'),
      verifyToken: randomBytes(12).toString('base64url'),
      pageAccessToken: `local-${randomBytes(24).toString('base64url')}`,
    }));
  }

  /** The WhatsApp secret (Cloud API token, app secret, verify token), created when missing. */
  ensureWhatsApp(prefix: string): { accessToken: string; appSecret: string; verifyToken: string } {
    return this.ensure(whatsappSecretName(prefix), () => ({
      accessToken: `local-wa-${randomBytes(24).toString('base64url')}`,
      appSecret: randomBytes(16).toString('hex'),
      verifyToken: randomBytes(12).toString('base64url'),
    }));
  }

  /** The stack's erasure key, created when missing. */
  ensureErasureKey(prefix: string): void {
    this.ensure(erasureKeySecretName(prefix), newErasureKeySecret);
  }

  /** The per-deployment key of subscriberRef, created when missing. */
  ensureSubscriberRefKey(prefix: string): void {
    this.ensure(subscriberRefKeyName(prefix), () => ({ key: randomBytes(32).toString('base64url') }));
  }

  /** The per-deployment key of compromised-merchant reporter hashes, created when missing. */
  ensureReporterKey(prefix: string): void {
    this.ensure(reporterKeyName(prefix), () => ({ key: randomBytes(32).toString('base64url') }));
  }

  async save(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    await writeFile(this.path, `${JSON.stringify(this.secrets, null, 2)}\n`, { mode: 0o600 });
  }

  private ensure<Value>(name: string, create: () => Value): Value {
    if (!Object.hasOwn(this.secrets, name)) this.secrets[name] = create();
    return this.secrets[name] as Value;
  }
}
