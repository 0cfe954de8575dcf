import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../local/create-tables.ts';
import { LocalSecretsFile, newWebhookSecret } from '../local/local-secrets.ts';
import { LOCAL_SECRET_PREFIX, type LocalConfig, localAwsConfig } from '../local/local-stack.ts';
import type { BankChanges } from '../shared/adapters/dynamodb-bank-directory.ts';
import { DynamoDbBankRegistry } from '../shared/adapters/dynamodb-bank-registry.ts';
import { type BankKeyKind, bankSecretName } from '../shared/adapters/secret-store-bank-secrets.ts';
import { adminKeyId, newAdminKey } from '../shared/domain/admin-signature.ts';
import type { ChannelName } from '../shared/ports/channel.ts';
import { documentClientFor } from '../shared/runtime/aws-clients.ts';
import { CliError } from './cli-error.ts';
import { FileDeadLetters } from './dead-letters.ts';
import type { BankKeys, BankView, ChannelWebhook, NewBank, Target, TargetTables } from './target.ts';

/** Local mode: `.vigil/local.json`, the local secrets file, and DynamoDB Local (VIGIL_HOME moves them). */
export class LocalTarget implements Target {
  readonly description = 'local mode';
  readonly callbackUrlPolicy = { allowLoopback: true };

  constructor(private readonly home = process.env.VIGIL_HOME ?? '.vigil') {}

  async apiUrl(): Promise<string> {
    return (await this.config()).apiUrl;
  }

  async signingSecret(bankId: string): Promise<string> {
    return (await this.bank(bankId)).signingSecret;
  }

  async adminKey(bankId: string): Promise<string> {
    const { adminKey } = await this.bank(bankId);
    if (adminKey === undefined) {
      throw new CliError(`local.json has no adminKey for ${bankId}: restart npm start to create it.`);
    }
    return adminKey;
  }

  private async bank(bankId: string) {
    const bank = (await this.config()).banks.find((candidate) => candidate.bankId === bankId);
    if (bank === undefined)
      throw new CliError(`Unknown bank ${bankId} in local mode. Add it with: vigil banks add ${bankId}`);
    return bank;
  }

  async addBank(bank: NewBank) {
    const config = await this.config();
    if (config.banks.some((existing) => existing.bankId === bank.bankId)) {
      throw new CliError(`The bank ${bank.bankId} exists already.`);
    }
    const secrets = await LocalSecretsFile.open(join(this.home, 'secrets.json'));
    const created = secrets.ensureBank(LOCAL_SECRET_PREFIX, bank.bankId);
    await secrets.save();
    const { client, banks } = await this.tables();
    await client.send(
      new PutCommand({
        TableName: banks,
        Item: { ...withoutUndefined(bank), createdAt: new Date().toISOString() },
      }),
    );
    await this.saveConfig({
      ...config,
      banks: [...config.banks, { bankId: bank.bankId, ...created, callbackUrl: bank.callbackUrl }],
    });
    return created;
  }

  async rotateSecret(bankId: string, kind: BankKeyKind) {
    await this.bank(bankId);
    const name = bankSecretName(LOCAL_SECRET_PREFIX, bankId, kind);
    const secrets = await this.readSecrets();
    const old = secrets[name] as { current: string } | undefined;
    const current = kind === 'admin' ? newAdminKey() : newWebhookSecret();
    secrets[name] = { current, ...(old !== undefined && { previous: old.current }) };
    await this.writeSecrets(secrets);
    const keys: Partial<BankKeys> =
      kind === 'admin'
        ? { adminKey: current, adminKeyId: adminKeyId(current) }
        : kind === 'events'
          ? { signingSecret: current }
          : { callbackSecret: current };
    const config = await this.config();
    await this.saveConfig({
      ...config,
      banks: config.banks.map((bank) => (bank.bankId === bankId ? { ...bank, ...keys } : bank)),
    });
    return keys;
  }

  async finishRotation(bankId: string, kind: BankKeyKind) {
    await this.bank(bankId);
    const name = bankSecretName(LOCAL_SECRET_PREFIX, bankId, kind);
    const secrets = await this.readSecrets();
    const value = secrets[name] as { current: string; previous?: string } | undefined;
    if (value?.previous === undefined) return false;
    secrets[name] = { current: value.current };
    await this.writeSecrets(secrets);
    return true;
  }

  private async readSecrets(): Promise<Record<string, unknown>> {
    return JSON.parse(await readFile(join(this.home, 'secrets.json'), 'utf8')) as Record<string, unknown>;
  }

  private async writeSecrets(secrets: Record<string, unknown>): Promise<void> {
    await writeFile(join(this.home, 'secrets.json'), `${JSON.stringify(secrets, null, 2)}\n`, {
      mode: 0o600,
    });
  }

  async updateBank(bankId: string, changes: BankChanges): Promise<BankView> {
    const { client, banks } = await this.tables();
    const updated = await new DynamoDbBankRegistry(client, banks).update(bankId, changes);
    if (updated === undefined) throw new CliError(`Unknown bank ${bankId} in local mode.`);
    if (changes.callbackUrl !== undefined) {
      const config = await this.config();
      await this.saveConfig({
        ...config,
        banks: config.banks.map((bank) =>
          bank.bankId === bankId ? { ...bank, callbackUrl: changes.callbackUrl ?? bank.callbackUrl } : bank,
        ),
      });
    }
    return updated;
  }

  async showBank(bankId: string): Promise<BankView> {
    const { client, banks } = await this.tables();
    const bank = await new DynamoDbBankRegistry(client, banks).read(bankId);
    if (bank === undefined) throw new CliError(`Unknown bank ${bankId} in local mode.`);
    return bank;
  }

  async channelWebhook(channel: ChannelName): Promise<ChannelWebhook> {
    const config = await this.config();
    return { callbackUrl: `${config.apiUrl}/${channel}/webhook`, verifyToken: config[channel].verifyToken };
  }

  async setChannelSecrets(channel: ChannelName): Promise<never> {
    throw new CliError(
      `Local mode's ${channelTitle[channel]} secrets are made by npm start and shared with the emulator; set-secrets is for a deployed stage: add --stage NAME.`,
      2,
    );
  }

  async deadLetters(): Promise<FileDeadLetters> {
    await this.config();
    return new FileDeadLetters(join(this.home, 'dead-letters.jsonl'));
  }

  async tables(): Promise<TargetTables> {
    const runtime = await this.read<{ dynamoDbEndpoint: string; tables: TableNames }>('runtime.json');
    const client = documentClientFor(new DynamoDBClient(localAwsConfig(runtime.dynamoDbEndpoint)));
    const { banks, events, alerts, callbacks, thresholds, activity } = runtime.tables;
    return { client, banks, events, alerts, callbacks, thresholds, activity };
  }

  private config(): Promise<LocalConfig> {
    return this.read<LocalConfig>('local.json');
  }

  private async saveConfig(config: LocalConfig): Promise<void> {
    await writeFile(join(this.home, 'local.json'), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  }

  private async read<T>(file: string): Promise<T> {
    try {
      return JSON.parse(await readFile(join(this.home, file), 'utf8')) as T;
    } catch {
      throw new CliError(
        `Cannot read ${join(this.home, file)}. Is Vigil running? Start it with: npm start`,
        2,
      );
    }
  }
}

function withoutUndefined(value: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined));
}

const channelTitle: Readonly<Record<ChannelName, string>> = { messenger: 'Messenger', whatsapp: 'WhatsApp' };
