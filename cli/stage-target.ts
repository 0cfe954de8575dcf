import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { newWebhookSecret } from '../local/local-secrets.ts';
import type { BankChanges } from '../shared/adapters/dynamodb-bank-directory.ts';
import { DynamoDbBankRegistry } from '../shared/adapters/dynamodb-bank-registry.ts';
import {
  adminKeyValueSchema,
  type BankKeyKind,
  bankSecretName,
  signingSecretValueSchema,
} from '../shared/adapters/secret-store-bank-secrets.ts';
import { adminKeyId, newAdminKey } from '../shared/domain/admin-signature.ts';
import type { Resolve } from '../shared/domain/callback-url.ts';
import type { ChannelName } from '../shared/ports/channel.ts';
import { documentClientFor } from '../shared/runtime/aws-clients.ts';
import { CliError } from './cli-error.ts';
import { SqsDeadLetters } from './dead-letters.ts';
import type {
  BankKeys,
  BankView,
  ChannelSecretsChange,
  ChannelWebhook,
  NewBank,
  Target,
  TargetTables,
} from './target.ts';

/**
 * A deployed stage: the stack `Vigil-<stage>`'s outputs say where things are; the operator's own
 * AWS credentials (profile, SSO...) give access, as the AWS CLI would use them.
 */
export class StageTarget implements Target {
  readonly description: string;
  private outputs?: Record<string, string>;
  private readonly secrets = new SecretsManagerClient({});
  private readonly cloudFormation = new CloudFormationClient({});

  readonly callbackUrlPolicy: Target['callbackUrlPolicy'];

  constructor(
    private readonly stage: string,
    resolve?: Resolve,
  ) {
    this.description = `stage ${stage}`;
    this.callbackUrlPolicy = { allowLoopback: false, ...(resolve && { resolve }) };
  }

  async apiUrl(): Promise<string> {
    return this.output('ApiUrl');
  }

  async signingSecret(bankId: string): Promise<string> {
    return (await this.readSecret(bankId, 'events')).current;
  }

  async adminKey(bankId: string): Promise<string> {
    return (await this.readSecret(bankId, 'admin')).current;
  }

  async addBank(bank: NewBank): Promise<BankKeys> {
    // Everything that can be refused is checked before anything is created.
    const banks = await this.output('BanksTableName');
    const signingSecret = newWebhookSecret();
    const adminKey = newAdminKey();
    const callbackSecret = newWebhookSecret();
    const prefix = `vigil/${this.stage}`;
    for (const [name, secret] of [
      [bankSecretName(prefix, bank.bankId, 'events'), signingSecret],
      [bankSecretName(prefix, bank.bankId, 'admin'), adminKey],
      [bankSecretName(prefix, bank.bankId, 'callbacks'), callbackSecret],
    ] as const) {
      await this.secrets.send(
        new CreateSecretCommand({
          Name: name,
          KmsKeyId: `alias/vigil-${this.stage}-secrets`,
          SecretString: JSON.stringify({ current: secret }),
          Description: `Vigil ${this.stage}: ${bank.bankId}`,
        }),
      );
    }
    await documentClientFor(new DynamoDBClient({})).send(
      new PutCommand({
        TableName: banks,
        Item: {
          ...Object.fromEntries(Object.entries(bank).filter(([, v]) => v !== undefined)),
          createdAt: new Date().toISOString(),
        },
        ConditionExpression: 'attribute_not_exists(bankId)',
      }),
    );
    return { signingSecret, adminKey, adminKeyId: adminKeyId(adminKey), callbackSecret };
  }

  async rotateSecret(bankId: string, kind: BankKeyKind) {
    const current = kind === 'admin' ? newAdminKey() : newWebhookSecret();
    if (kind === 'admin' && !(await this.hasSecret(bankId, kind))) {
      // A bank registered before administration keys existed gets its first one, once its
      // event signing secret shows that the bank exists.
      await this.readSecret(bankId, 'events');
      await this.secrets.send(
        new CreateSecretCommand({
          Name: bankSecretName(`vigil/${this.stage}`, bankId, kind),
          KmsKeyId: `alias/vigil-${this.stage}-secrets`,
          SecretString: JSON.stringify({ current }),
          Description: `Vigil ${this.stage}: ${bankId}`,
        }),
      );
      return { adminKey: current, adminKeyId: adminKeyId(current) };
    }
    const { current: previous } = await this.readSecret(bankId, kind);
    await this.secrets.send(
      new PutSecretValueCommand({
        SecretId: bankSecretName(`vigil/${this.stage}`, bankId, kind),
        SecretString: JSON.stringify({ current, previous }),
      }),
    );
    if (kind === 'admin') return { adminKey: current, adminKeyId: adminKeyId(current) };
    return kind === 'events' ? { signingSecret: current } : { callbackSecret: current };
  }

  async finishRotation(bankId: string, kind: BankKeyKind) {
    const { current, previous } = await this.readSecret(bankId, kind);
    if (previous === undefined) return false;
    await this.secrets.send(
      new PutSecretValueCommand({
        SecretId: bankSecretName(`vigil/${this.stage}`, bankId, kind),
        SecretString: JSON.stringify({ current }),
      }),
    );
    return true;
  }

  async updateBank(bankId: string, changes: BankChanges): Promise<BankView> {
    const directory = new DynamoDbBankRegistry(
      documentClientFor(new DynamoDBClient({})),
      await this.output('BanksTableName'),
    );
    const updated = await directory.update(bankId, changes);
    if (updated === undefined) throw new CliError(`Unknown bank ${bankId} in stage ${this.stage}.`);
    return updated;
  }

  async showBank(bankId: string): Promise<BankView> {
    const directory = new DynamoDbBankRegistry(
      documentClientFor(new DynamoDBClient({})),
      await this.output('BanksTableName'),
    );
    const bank = await directory.read(bankId);
    if (bank === undefined) throw new CliError(`Unknown bank ${bankId} in stage ${this.stage}.`);
    return bank;
  }

  async channelWebhook(channel: ChannelName): Promise<ChannelWebhook> {
    const { verifyToken } = await this.readChannelSecret(channel);
    if (verifyToken === undefined) {
      throw new CliError(
        `The secret ${await this.output(channelOutputs[channel].secretName)} has no verifyToken; deploy the stack again.`,
      );
    }
    return { callbackUrl: await this.output(channelOutputs[channel].webhookUrl), verifyToken };
  }

  async setChannelSecrets(channel: ChannelName, change: ChannelSecretsChange) {
    const secretName = await this.output(channelOutputs[channel].secretName);
    const current = await this.readChannelSecret(channel);
    const changed = Object.entries(change)
      .filter(([, value]) => value !== undefined)
      .map(([name]) => name);
    await this.secrets.send(
      new PutSecretValueCommand({
        SecretId: secretName,
        SecretString: JSON.stringify({ ...current, ...withoutUndefined(change) }),
      }),
    );
    return { secretName, changed };
  }

  async deadLetters(): Promise<SqsDeadLetters> {
    return new SqsDeadLetters(new SQSClient({}), await this.output('DeadLetterQueueUrl'));
  }

  private async readChannelSecret(channel: ChannelName): Promise<Record<string, string | undefined>> {
    const secretName = await this.output(channelOutputs[channel].secretName);
    const { SecretString } = await this.secrets.send(new GetSecretValueCommand({ SecretId: secretName }));
    return JSON.parse(SecretString ?? '{}') as Record<string, string | undefined>;
  }

  async tables(): Promise<TargetTables> {
    return {
      client: documentClientFor(new DynamoDBClient({})),
      banks: await this.output('BanksTableName'),
      events: await this.output('EventsTableName'),
      alerts: await this.output('AlertsTableName'),
      callbacks: await this.output('CallbacksTableName'),
      thresholds: await this.output('ThresholdsTableName'),
      activity: await this.output('ActivityTableName'),
    };
  }

  private async hasSecret(bankId: string, kind: BankKeyKind): Promise<boolean> {
    try {
      await this.readSecret(bankId, kind);
      return true;
    } catch (error) {
      if (error instanceof CliError) return false;
      throw error;
    }
  }

  /** A bank secret's value: `{current, previous?}` (the schema checks the shape, not the prefix). */
  private async readSecret(
    bankId: string,
    kind: BankKeyKind,
  ): Promise<{ current: string; previous?: string | undefined }> {
    try {
      const { SecretString } = await this.secrets.send(
        new GetSecretValueCommand({ SecretId: bankSecretName(`vigil/${this.stage}`, bankId, kind) }),
      );
      const value = JSON.parse(SecretString ?? '{}') as unknown;
      return kind === 'admin' ? adminKeyValueSchema.parse(value) : signingSecretValueSchema.parse(value);
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') {
        throw new CliError(`Unknown bank ${bankId} in stage ${this.stage}.`);
      }
      throw error;
    }
  }

  private async output(key: string): Promise<string> {
    if (this.outputs === undefined) {
      const stackName = `Vigil-${this.stage}`;
      try {
        const { Stacks = [] } = await this.cloudFormation.send(
          new DescribeStacksCommand({ StackName: stackName }),
        );
        this.outputs = Object.fromEntries(
          (Stacks[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
        );
      } catch (error) {
        throw new CliError(`Cannot read the stack ${stackName}: ${(error as Error).message}`, 2);
      }
    }
    const value = this.outputs[key];
    if (value === undefined)
      throw new CliError(`The stack Vigil-${this.stage} has no output ${key}; deploy it again.`);
    return value;
  }
}

/** The stack outputs that name each channel's secret and webhook URL. */
const channelOutputs: Readonly<Record<ChannelName, { secretName: string; webhookUrl: string }>> = {
  messenger: { secretName: 'MessengerSecretName', webhookUrl: 'MessengerWebhookUrl' },
  whatsapp: { secretName: 'WhatsAppSecretName', webhookUrl: 'WhatsAppWebhookUrl' },
};

function withoutUndefined(value: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined));
}
