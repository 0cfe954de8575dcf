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
import { type BankChanges, DynamoDbBankDirectory } from '../shared/adapters/dynamodb-bank-directory.ts';
import {
  callbackSecretName,
  signingSecretName,
  signingSecretValueSchema,
} from '../shared/adapters/secret-store-bank-secrets.ts';
import type { Resolve } from '../shared/domain/callback-url.ts';
import { documentClientFor } from '../shared/runtime/aws-clients.ts';
import { CliError } from './cli-error.ts';
import { SqsDeadLetters } from './dead-letters.ts';
import type {
  BankView,
  MessengerSecretsChange,
  MessengerWebhook,
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
    return (await this.readSigning(bankId)).current;
  }

  async addBank(bank: NewBank) {
    // Everything that can be refused is checked before anything is created.
    const banks = await this.output('BanksTableName');
    const signingSecret = newWebhookSecret();
    const callbackSecret = newWebhookSecret();
    const prefix = `vigil/${this.stage}`;
    for (const [name, secret] of [
      [signingSecretName(prefix, bank.bankId), signingSecret],
      [callbackSecretName(prefix, bank.bankId), callbackSecret],
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
    return { signingSecret, callbackSecret };
  }

  async rotateSigningSecret(bankId: string) {
    const { current } = await this.readSigning(bankId);
    const signingSecret = newWebhookSecret();
    await this.secrets.send(
      new PutSecretValueCommand({
        SecretId: signingSecretName(`vigil/${this.stage}`, bankId),
        SecretString: JSON.stringify({ current: signingSecret, previous: current }),
      }),
    );
    return { signingSecret };
  }

  async updateBank(bankId: string, changes: BankChanges): Promise<BankView> {
    const directory = new DynamoDbBankDirectory(
      documentClientFor(new DynamoDBClient({})),
      await this.output('BanksTableName'),
    );
    const updated = await directory.update(bankId, changes);
    if (updated === undefined) throw new CliError(`Unknown bank ${bankId} in stage ${this.stage}.`);
    return updated;
  }

  async showBank(bankId: string): Promise<BankView> {
    const directory = new DynamoDbBankDirectory(
      documentClientFor(new DynamoDBClient({})),
      await this.output('BanksTableName'),
    );
    const bank = await directory.read(bankId);
    if (bank === undefined) throw new CliError(`Unknown bank ${bankId} in stage ${this.stage}.`);
    return bank;
  }

  async messengerWebhook(): Promise<MessengerWebhook> {
    const { verifyToken } = await this.readMessengerSecret();
    if (verifyToken === undefined) {
      throw new CliError(
        `The secret ${await this.output('MessengerSecretName')} has no verifyToken; deploy the stack again.`,
      );
    }
    return { callbackUrl: await this.output('MessengerWebhookUrl'), verifyToken };
  }

  async setMessengerSecrets(change: MessengerSecretsChange) {
    const secretName = await this.output('MessengerSecretName');
    const current = await this.readMessengerSecret();
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

  private async readMessengerSecret(): Promise<Record<string, string | undefined>> {
    const secretName = await this.output('MessengerSecretName');
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
    };
  }

  private async readSigning(bankId: string) {
    try {
      const { SecretString } = await this.secrets.send(
        new GetSecretValueCommand({ SecretId: signingSecretName(`vigil/${this.stage}`, bankId) }),
      );
      return signingSecretValueSchema.parse(JSON.parse(SecretString ?? '{}'));
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

function withoutUndefined(value: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined));
}
