import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, describe, expect, it } from 'vitest';
import { StageTarget } from '../../cli/stage-target.ts';
import { runCli } from '../../cli/vigil.ts';
import { newWebhookSecret } from '../../local/local-secrets.ts';
import { synthesize } from './synth.ts';

// The operator policy the stack creates allows exactly the AWS calls `vigil --stage` makes: every
// stage command runs against mocked AWS clients, each call becomes an IAM action on a resource,
// and the policy's grants (the stack key aside) must be that set, no more and no less.

const { template } = synthesize();
const [policyId, policy] = Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))[0] ?? [];

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Effect: string;
  Condition?: unknown;
}
const statements = (policy?.Properties.PolicyDocument.Statement ?? []) as Statement[];

/** What a policy resource is: a table by its key, a secret, the queue, the stack, the key. */
function resourceKind(resource: unknown): string {
  const text = JSON.stringify(resource);
  const table = /"Tables(\w+?)[0-9A-F]{8}","Arn"/.exec(text);
  if (table?.[1]) return `table:${table[1].toLowerCase()}`;
  if (text.includes(':secret:vigil/dev/banks/*')) return 'bank-secrets';
  if (/\{"Ref":"MessengerSecret[0-9A-F]{8}"\}/.test(text)) return 'messenger-secret';
  if (/\{"Ref":"WhatsAppSecret[0-9A-F]{8}"\}/.test(text)) return 'whatsapp-secret';
  if (/"DeadLettersQueue[0-9A-F]{8}","Arn"/.test(text)) return 'dead-letters';
  if (text.includes(':stack/Vigil-dev/*')) return 'stack';
  if (/"Encryption(Secrets)?Key[0-9A-F]{8}","Arn"/.test(text)) return 'key';
  return `unknown ${text}`;
}

const granted = new Set(
  statements.flatMap((statement) =>
    [statement.Action]
      .flat()
      .flatMap((action) =>
        [statement.Resource].flat().map((resource) => `${action} ${resourceKind(resource)}`),
      ),
  ),
);

const tableNames: Record<string, string> = {
  BanksTableName: 'vigil-dev-banks',
  EventsTableName: 'vigil-dev-events',
  AlertsTableName: 'vigil-dev-alerts',
  CallbacksTableName: 'vigil-dev-callbacks',
  ThresholdsTableName: 'vigil-dev-thresholds',
  ActivityTableName: 'vigil-dev-activity',
};
const queueUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/dead-letters';

describe('the operator policy', () => {
  it('is created by the stack, and its ARN is an output', () => {
    expect(policyId).toBeDefined();
    expect(template.toJSON().Outputs.OperatorPolicyArn.Value).toEqual({ Ref: policyId });
    expect(JSON.stringify(template.toJSON().Outputs.DeadLetterQueueUrl.Value)).toMatch(/DeadLettersQueue/);
  });

  it('uses the data key only through DynamoDB and SQS, the secrets key only through Secrets Manager', () => {
    const keyStatements = statements.filter((statement) =>
      [statement.Resource].flat().some((resource) => resourceKind(resource) === 'key'),
    );
    expect(keyStatements).toHaveLength(2);
    const conditions = keyStatements.map((statement) => JSON.stringify(statement.Condition));
    expect(conditions).toEqual([
      expect.stringMatching(
        /^\{"StringEquals":\{"kms:ViaService":\["dynamodb\.eu-west-1\.amazonaws\.com","sqs\.eu-west-1\.amazonaws\.com"\]\}\}$/,
      ),
      '{"StringEquals":{"kms:ViaService":"secretsmanager.eu-west-1.amazonaws.com"}}',
    ]);
    const keyOf = (statement: Statement | undefined) => JSON.stringify(statement?.Resource);
    expect(keyOf(keyStatements[0])).toMatch(/"EncryptionKey[0-9A-F]{8}"/);
    expect(keyOf(keyStatements[1])).toMatch(/"EncryptionSecretsKey[0-9A-F]{8}"/);
    for (const statement of statements) expect(statement.Effect).toBe('Allow');
    for (const grant of granted) expect(grant).not.toMatch(/^\S*\*|unknown/);
  });

  it('reads and writes the WhatsApp secret, and only that one of the stack’s WhatsApp resources', () => {
    expect([...granted].filter((grant) => grant.includes('whatsapp')).sort()).toEqual([
      'secretsmanager:GetSecretValue whatsapp-secret',
      'secretsmanager:PutSecretValue whatsapp-secret',
    ]);
  });

  describe('against every call of vigil --stage', () => {
    const cloudFormation = mockClient(CloudFormationClient);
    const secretsManager = mockClient(SecretsManagerClient);
    const dynamoDb = mockClient(DynamoDBDocumentClient);
    const sqs = mockClient(SQSClient);
    afterAll(() => {
      for (const mock of [cloudFormation, secretsManager, dynamoDb, sqs]) mock.restore();
    });

    const old = new Date(Date.now() - 3_600_000).toISOString();
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Vigil-dev',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: Object.entries({
            ...tableNames,
            ApiUrl: 'http://127.0.0.1:9',
            MessengerSecretName: 'vigil/dev/messenger',
            MessengerWebhookUrl: 'https://api.example/messenger/webhook',
            WhatsAppSecretName: 'vigil/dev/whatsapp',
            WhatsAppWebhookUrl: 'https://api.example/whatsapp/webhook',
            DeadLetterQueueUrl: queueUrl,
          }).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
        },
      ],
    });
    secretsManager
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ current: newWebhookSecret() }) })
      .on(GetSecretValueCommand, { SecretId: 'vigil/dev/messenger' })
      .resolves({
        SecretString: JSON.stringify({ pageAccessToken: 'set-me', appSecret: 'set-me', verifyToken: 't' }),
      })
      .on(GetSecretValueCommand, { SecretId: 'vigil/dev/whatsapp' })
      .resolves({
        SecretString: JSON.stringify({ accessToken: 'set-me', appSecret: 'set-me', verifyToken: 'w' }),
      });
    secretsManager.on(CreateSecretCommand).resolves({});
    secretsManager.on(PutSecretValueCommand).resolves({});
    dynamoDb.on(GetCommand).resolves({ Item: { bankId: 'acme-bank', name: 'ACME' } });
    dynamoDb.on(UpdateCommand).resolves({ Attributes: { bankId: 'acme-bank', name: 'ACME' } });
    dynamoDb.on(PutCommand).resolves({});
    dynamoDb.on(DeleteCommand).resolves({});
    // One stuck item of each kind, so that redrive makes every write it can make: the event a card
    // transaction of the last 48 hours, which redrive looks up in the customer's history.
    dynamoDb
      .on(ScanCommand, { TableName: 'vigil-dev-events' })
      .resolves({
        Items: [
          {
            eventKey: 'acme-bank#evt_1',
            bankId: 'acme-bank',
            eventId: 'evt_1',
            customerId: 'c1',
            status: 'received',
            receivedAt: old,
            occurredAt: old,
            transaction: { id: 'txn_1' },
          },
        ],
      })
      .on(ScanCommand, { TableName: 'vigil-dev-alerts' })
      .resolves({
        Items: [
          { alertId: 'a1', status: 'pending', createdAt: old },
          { alertId: 'a2', status: 'pending', createdAt: old, sendClaimedAt: old },
        ],
      })
      .on(ScanCommand, { TableName: 'vigil-dev-callbacks' })
      .resolves({ Items: [{ deliveryId: 'd1', bankId: 'acme-bank', status: 'dead' }] })
      // Preferences at their old key, for migrate to move.
      .on(ScanCommand, { TableName: 'vigil-dev-thresholds' })
      .resolves({ Items: [{ bankId: 'acme-bank', scope: 'preferences#c1', preferences: {} }] })
      // A merchant's mark of before the set of marked merchants, for migrate to put in it.
      .on(ScanCommand, { TableName: 'vigil-dev-activity' })
      .resolves({
        Items: [
          {
            counterKey: 'acme-bank#merchant#abcdefghijk',
            bucket: 'compromised',
            'r:reporter': Date.now() + 3_600_000,
          },
        ],
      });
    dynamoDb.on(TransactWriteCommand).resolves({});
    // A queue of one dead letter: received messages are hidden until released or deleted.
    let visible = true;
    let deleted = false;
    sqs.on(ReceiveMessageCommand).callsFake(() => {
      if (!visible || deleted) return {};
      visible = false;
      return {
        Messages: [
          {
            MessageId: 'm1',
            ReceiptHandle: 'h1',
            Body: JSON.stringify({
              timestamp: old,
              requestContext: {
                functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:vigil-dev-score:$LATEST',
                condition: 'RetryAttemptsExhausted',
              },
              responseContext: { functionError: 'Unhandled' },
              DDBStreamBatchInfo: {
                shardId: 's1',
                startSequenceNumber: '1',
                endSequenceNumber: '9',
                batchSize: 3,
              },
            }),
          },
        ],
      };
    });
    sqs.on(ChangeMessageVisibilityCommand).callsFake(() => {
      visible = true;
      return {};
    });
    sqs.on(DeleteMessageCommand).callsFake(() => {
      deleted = true;
      return {};
    });

    const stage = (...argv: string[]) =>
      runCli(
        [...argv, '--stage', 'dev', '--json'],
        (name) => new StageTarget(name ?? '', async () => ['93.184.215.14']),
      ).catch((error: Error) => ({ code: -1, stdout: error.message }));

    it('needs each grant of the policy, and no other', async () => {
      const results = [
        await stage(
          'banks',
          'add',
          'acme-bank',
          '--name',
          'ACME',
          '--callback-url',
          'https://acme.example/cb',
        ),
        await stage('banks', 'update', 'acme-bank', '--name', 'ACME 2'),
        await stage('banks', 'show', 'acme-bank'),
        await stage('banks', 'rotate-secret', 'acme-bank'),
        await stage('redrive', '--older-than', '0'),
        await stage('messenger', 'show-verify-token'),
        await stage('messenger', 'set-secrets', '--app-secret', 'ab'.repeat(16)),
        await stage('whatsapp', 'show-verify-token'),
        await stage('whatsapp', 'set-secrets', '--access-token', `EAA${'w'.repeat(30)}`),
        await stage('dead-letters', 'list'),
        await stage('dead-letters', 'redrive'),
        await stage('dead-letters', 'purge'),
        await stage('migrate'),
      ];
      for (const result of results) expect(result.code, result.stdout).toBe(0);
      const list = JSON.parse(results[9]?.stdout ?? '{}').body;
      expect(list.deadLetters).toEqual([
        {
          id: 'm1',
          functionName: 'vigil-dev-score',
          shardId: 's1',
          startSequenceNumber: '1',
          endSequenceNumber: '9',
          batchSize: 3,
          condition: 'RetryAttemptsExhausted',
          error: 'Unhandled',
          failedAt: old,
        },
      ]);
      expect(JSON.parse(results[10]?.stdout ?? '{}').body).toMatchObject({ deadLettersRemoved: 1 });
      // A bank call: the secret is read through IAM, the request itself is signed.
      await stage('events', 'send', 'acme-bank', '--file', 'examples/card-transaction.json');

      const tableKind = (name: unknown) => `table:${String(name).replace('vigil-dev-', '')}`;
      const secretKind = (name: unknown) =>
        String(name).startsWith('vigil/dev/banks/')
          ? 'bank-secrets'
          : String(name) === 'vigil/dev/messenger'
            ? 'messenger-secret'
            : String(name) === 'vigil/dev/whatsapp'
              ? 'whatsapp-secret'
              : `unknown ${String(name)}`;
      const documentActions: Record<string, string> = {
        GetCommand: 'GetItem',
        PutCommand: 'PutItem',
        UpdateCommand: 'UpdateItem',
        DeleteCommand: 'DeleteItem',
        ScanCommand: 'Scan',
      };
      const made = new Set<string>();
      const action = (command: object) => command.constructor.name.replace(/Command$/, '');
      for (const call of cloudFormation.calls()) made.add(`cloudformation:${action(call.args[0])} stack`);
      for (const call of secretsManager.calls()) {
        const input = call.args[0].input as { SecretId?: string; Name?: string };
        made.add(`secretsmanager:${action(call.args[0])} ${secretKind(input.SecretId ?? input.Name)}`);
      }
      for (const call of dynamoDb.calls()) {
        const command = call.args[0];
        if (command instanceof TransactWriteCommand) {
          // Authorised per item: each item's action on its table.
          for (const item of command.input.TransactItems ?? [])
            for (const [kind, write] of Object.entries(item))
              made.add(`dynamodb:${kind}Item ${tableKind((write as { TableName?: string }).TableName)}`);
          continue;
        }
        made.add(
          `dynamodb:${documentActions[command.constructor.name]} ${tableKind((command.input as { TableName?: string }).TableName)}`,
        );
      }
      for (const call of sqs.calls()) {
        expect((call.args[0].input as { QueueUrl?: string }).QueueUrl).toBe(queueUrl);
        made.add(`sqs:${action(call.args[0])} dead-letters`);
      }
      const grantedWithoutKey = [...granted].filter((grant) => !grant.endsWith(' key')).sort();
      expect(grantedWithoutKey).toEqual([...made].sort());
    });
  });
});
