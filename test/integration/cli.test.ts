import { createServer } from 'node:http';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LocalTarget } from '../../cli/local-target.ts';
import { StageTarget } from '../../cli/stage-target.ts';
import { runCli } from '../../cli/vigil.ts';
import { findFreePort } from '../../local/dynamodb-local.ts';
import { newWebhookSecret } from '../../local/local-secrets.ts';
import { startTestLocalStack, type TestLocalStack } from '../support/test-local-stack.ts';

const root = join(import.meta.dirname, '..', '..');
const example = join(root, 'examples', 'card-transaction.json');

describe('vigil against a deployed stage (SDK mocked at the client boundary)', () => {
  const cloudFormation = mockClient(CloudFormationClient);
  const secretsManager = mockClient(SecretsManagerClient);
  const dynamoDb = mockClient(DynamoDBDocumentClient);
  const secret = newWebhookSecret();
  const received: { signatureValid: boolean; path: string }[] = [];
  const api = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let signatureValid = true;
      try {
        new Webhook(secret).verify(
          Buffer.concat(chunks).toString(),
          request.headers as Record<string, string>,
        );
      } catch {
        signatureValid = false;
      }
      received.push({ signatureValid, path: request.url ?? '' });
      response.writeHead(202, { 'content-type': 'application/json' }).end('{"id":"evt","status":"accepted"}');
    });
  });
  let apiUrl = '';

  beforeAll(async () => {
    const port = await findFreePort();
    await new Promise<void>((resolve) => api.listen(port, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${port}`;
  });
  afterAll(() => {
    api.close();
    cloudFormation.restore();
    secretsManager.restore();
    dynamoDb.restore();
  });
  afterEach(() => {
    cloudFormation.reset();
    secretsManager.reset();
    dynamoDb.reset();
  });

  const outputs = () =>
    cloudFormation.on(DescribeStacksCommand, { StackName: 'Vigil-prod' }).resolves({
      Stacks: [
        {
          StackName: 'Vigil-prod',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [
            { OutputKey: 'ApiUrl', OutputValue: apiUrl },
            { OutputKey: 'BanksTableName', OutputValue: 'vigil-prod-banks' },
          ],
        },
      ],
    });
  const stage = (argv: string[]) =>
    runCli([...argv, '--stage', 'prod', '--json'], (name) => new StageTarget(name ?? ''));

  it('banks add creates both secrets under the stage key and the bank item', async () => {
    outputs();
    const result = await stage([
      'banks',
      'add',
      'acme-bank',
      '--name',
      'ACME Bank',
      '--callback-url',
      'https://acme.example/vigil',
    ]);
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout).body;
    expect(body).toMatchObject({
      bankId: 'acme-bank',
      signingSecret: expect.stringMatching(/^whsec_/),
      adminKey: expect.stringMatching(/^vadm_/),
      adminKeyId: expect.stringMatching(/^adm_[0-9a-f]{16}$/),
      callbackSecret: expect.stringMatching(/^whsec_/),
    });
    expect(body.adminKey).not.toContain(body.signingSecret.slice(6));
    const created = secretsManager.commandCalls(CreateSecretCommand).map((call) => call.args[0].input);
    expect(created.map((input) => [input.Name, input.KmsKeyId])).toEqual([
      ['vigil/prod/banks/acme-bank/signing', 'alias/vigil-prod'],
      ['vigil/prod/banks/acme-bank/admin', 'alias/vigil-prod'],
      ['vigil/prod/banks/acme-bank/callback', 'alias/vigil-prod'],
    ]);
    expect(JSON.parse(created[0]?.SecretString ?? '{}')).toEqual({ current: body.signingSecret });
    expect(JSON.parse(created[1]?.SecretString ?? '{}')).toEqual({ current: body.adminKey });
    expect(JSON.parse(created[2]?.SecretString ?? '{}')).toEqual({ current: body.callbackSecret });
    const [put] = dynamoDb.commandCalls(PutCommand).map((call) => call.args[0].input);
    expect(put?.TableName).toBe('vigil-prod-banks');
    expect(put?.Item).toMatchObject({
      bankId: 'acme-bank',
      name: 'ACME Bank',
      callbackUrl: 'https://acme.example/vigil',
    });
    expect(put?.ConditionExpression).toBe('attribute_not_exists(bankId)');
  });

  it('events send signs with the bank secret from Secrets Manager and posts to the stack’s API', async () => {
    outputs();
    secretsManager
      .on(GetSecretValueCommand, { SecretId: 'vigil/prod/banks/acme-bank/signing' })
      .resolves({ SecretString: JSON.stringify({ current: secret }) });
    const result = await stage(['events', 'send', 'acme-bank', '--file', example]);
    expect(JSON.parse(result.stdout)).toEqual({ status: 202, body: { id: 'evt', status: 'accepted' } });
    expect(received.at(-1)).toEqual({ signatureValid: true, path: '/v1/banks/acme-bank/events' });
  });

  it('banks rotate-secret keeps the old secret as previous', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ current: secret }) });
    const result = await stage(['banks', 'rotate-secret', 'acme-bank']);
    const { signingSecret } = JSON.parse(result.stdout).body;
    const [put] = secretsManager.commandCalls(PutSecretValueCommand).map((call) => call.args[0].input);
    expect(put?.SecretId).toBe('vigil/prod/banks/acme-bank/signing');
    expect(JSON.parse(put?.SecretString ?? '{}')).toEqual({ current: signingSecret, previous: secret });
  });

  it.each([
    ['admin', 'vigil/prod/banks/acme-bank/admin', 'adminKey'],
    ['callbacks', 'vigil/prod/banks/acme-bank/callback', 'callbackSecret'],
  ])(
    'banks rotate-secret --key %s rotates that secret only, and finish-rotation drops the old one',
    async (kind, secretId, field) => {
      const old = kind === 'admin' ? `vadm_${Buffer.alloc(32, 7).toString('base64')}` : secret;
      secretsManager
        .on(GetSecretValueCommand, { SecretId: secretId })
        .resolves({ SecretString: JSON.stringify({ current: old }) });
      const rotated = JSON.parse(
        (await stage(['banks', 'rotate-secret', 'acme-bank', '--key', kind])).stdout,
      ).body;
      const [put] = secretsManager.commandCalls(PutSecretValueCommand).map((call) => call.args[0].input);
      expect(put?.SecretId).toBe(secretId);
      expect(JSON.parse(put?.SecretString ?? '{}')).toEqual({ current: rotated[field], previous: old });
      expect(rotated[field]).not.toBe(old);

      secretsManager.reset();
      secretsManager
        .on(GetSecretValueCommand, { SecretId: secretId })
        .resolves({ SecretString: put?.SecretString ?? '' });
      const finished = JSON.parse(
        (await stage(['banks', 'finish-rotation', 'acme-bank', '--key', kind])).stdout,
      ).body;
      expect(finished).toEqual({ bankId: 'acme-bank', key: kind, previousKeyDropped: true });
      const [last] = secretsManager.commandCalls(PutSecretValueCommand).map((call) => call.args[0].input);
      expect(last?.SecretId).toBe(secretId);
      expect(JSON.parse(last?.SecretString ?? '{}')).toEqual({ current: rotated[field] });
    },
  );

  it('gives a bank registered before administration keys existed its first one', async () => {
    secretsManager
      .on(GetSecretValueCommand, { SecretId: 'vigil/prod/banks/acme-bank/signing' })
      .resolves({ SecretString: JSON.stringify({ current: secret }) });
    secretsManager
      .on(GetSecretValueCommand, { SecretId: 'vigil/prod/banks/acme-bank/admin' })
      .rejects(Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' }));
    const rotated = JSON.parse(
      (await stage(['banks', 'rotate-secret', 'acme-bank', '--key', 'admin'])).stdout,
    ).body;
    const [created] = secretsManager.commandCalls(CreateSecretCommand).map((call) => call.args[0].input);
    expect(created?.Name).toBe('vigil/prod/banks/acme-bank/admin');
    expect(created?.KmsKeyId).toBe('alias/vigil-prod');
    expect(JSON.parse(created?.SecretString ?? '{}')).toEqual({ current: rotated.adminKey });
    expect(secretsManager.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('refuses an unknown --key with exit code 2', async () => {
    await expect(stage(['banks', 'rotate-secret', 'acme-bank', '--key', 'signing'])).rejects.toThrow(
      /--key is events, admin or callbacks/,
    );
  });

  it('says clearly when the stack does not exist', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(new Error('Stack with id Vigil-prod does not exist'));
    await expect(stage(['events', 'send', 'acme-bank', '--file', example])).rejects.toThrow(
      /Cannot read the stack Vigil-prod: Stack with id Vigil-prod does not exist/,
    );
  });
});

describe('vigil against local mode', () => {
  let local: TestLocalStack;
  beforeAll(async () => {
    local = await startTestLocalStack();
  });
  afterAll(() => local.stop());
  const cli = (argv: string[]) =>
    runCli([...argv, '--json'], () => new LocalTarget(join(local.stack.configPath, '..')));

  it('adds a bank whose events are then accepted, and rotates its secret without a gap', async () => {
    const added = await cli([
      'banks',
      'add',
      'new-bank',
      '--name',
      'New Bank',
      '--callback-url',
      'http://127.0.0.1:9/cb',
    ]);
    expect(added.code).toBe(0);
    expect(
      JSON.parse((await cli(['events', 'send', 'new-bank', '--file', example])).stdout).body,
    ).toMatchObject({
      status: 'ignored',
    });
    const { signingSecret: old, adminKey } = JSON.parse(added.stdout).body;
    expect(adminKey).toMatch(/^vadm_/);
    // Its administration key signs its administration requests at once.
    expect(JSON.parse((await cli(['thresholds', 'get', 'new-bank'])).stdout).status).toBe(200);
    await cli(['banks', 'rotate-secret', 'new-bank']);
    const event = JSON.stringify({
      ...JSON.parse(await (await import('node:fs/promises')).readFile(example, 'utf8')),
    });
    const timestamp = new Date();
    const response = await fetch(`${local.apiUrl}/v1/banks/new-bank/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'evt_old_secret',
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': new Webhook(old).sign('evt_old_secret', timestamp, event),
      },
      body: event,
    });
    expect(response.status).toBe(202);
    expect(JSON.parse((await cli(['events', 'send', 'new-bank', '--file', example])).stdout).status).toBe(
      202,
    );
  });

  it('refuses bad usage with exit code 2 and a clear message', async () => {
    await expect(
      cli(['banks', 'add', 'Bad_Id', '--name', 'x', '--callback-url', 'https://x']),
    ).rejects.toThrow(/lower-case letters/);
    await expect(cli(['events', 'send', 'demo-bank'])).rejects.toThrow(/--file is required/);
    await expect(cli(['no', 'such'])).rejects.toThrow(/Unknown command: no such/);
    expect((await cli(['enroll', '--help'])).stdout).toMatch(/^Usage: vigil enroll <bankId> <customerId>/);
  });
});
