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
  // No DNS in tests: the names the cases use, and what they resolve to.
  const dns: Record<string, string[]> = {
    'acme.example': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
    'inside.example': ['93.184.215.14', '10.0.0.5'],
    'metadata.example': ['169.254.169.254'],
  };
  const resolve = async (host: string) => dns[host] ?? [];
  const stage = (argv: string[]) =>
    runCli([...argv, '--stage', 'prod', '--json'], (name) => new StageTarget(name ?? '', resolve));

  it('banks add refuses an allow-list entry that is not an address, creating nothing', async () => {
    outputs();
    await expect(
      stage([
        'banks',
        'add',
        'acme-bank',
        '--name',
        'ACME Bank',
        '--callback-url',
        'https://acme.example/vigil',
        '--allowed-ips',
        '203.0.113.0/24,bank.example',
      ]),
    ).rejects.toThrow(/--allowed-ips: "bank.example" is not an IP address/);
    expect(secretsManager.commandCalls(CreateSecretCommand)).toHaveLength(0);
  });

  it.each([
    ['http://acme.example/vigil', /must use https/],
    ['https://user:pw@acme.example/vigil', /credentials/],
    ['https://169.254.169.254/latest', /link-local/],
    ['https://2852039166/latest', /link-local/],
    ['https://[::ffff:a9fe:a9fe]/latest', /link-local/],
    ['https://10.1.2.3/cb', /private/],
    ['https://localhost/cb', /loopback/],
    ['https://127.0.0.1/cb', /loopback/],
    ['https://inside.example/cb', /resolves to a private address/],
    ['https://metadata.example/cb', /resolves to a link-local/],
    ['https://nowhere.example/cb', /does not resolve/],
  ])('banks add refuses the callback URL %s, creating nothing', async (url, reason) => {
    outputs();
    await expect(
      stage(['banks', 'add', 'acme-bank', '--name', 'ACME Bank', '--callback-url', url]),
    ).rejects.toThrow(reason);
    expect(secretsManager.commandCalls(CreateSecretCommand)).toHaveLength(0);
    expect(dynamoDb.commandCalls(PutCommand)).toHaveLength(0);
  });

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
      '--allowed-ips',
      '203.0.113.0/24,2001:db8::1',
      '--client-cert-subject',
      'CN=acme-vigil,O=ACME Bank',
    ]);
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout).body;
    expect(body).toMatchObject({ bankId: 'acme-bank', signingSecret: expect.stringMatching(/^whsec_/) });
    const created = secretsManager.commandCalls(CreateSecretCommand).map((call) => call.args[0].input);
    expect(created.map((input) => [input.Name, input.KmsKeyId])).toEqual([
      ['vigil/prod/banks/acme-bank/signing', 'alias/vigil-prod-secrets'],
      ['vigil/prod/banks/acme-bank/callback', 'alias/vigil-prod-secrets'],
    ]);
    expect(JSON.parse(created[0]?.SecretString ?? '{}')).toEqual({ current: body.signingSecret });
    const [put] = dynamoDb.commandCalls(PutCommand).map((call) => call.args[0].input);
    expect(put?.TableName).toBe('vigil-prod-banks');
    expect(put?.Item).toMatchObject({
      bankId: 'acme-bank',
      name: 'ACME Bank',
      callbackUrl: 'https://acme.example/vigil',
      allowedSourceIps: ['203.0.113.0/24', '2001:db8::1/128'],
      clientCertificateSubject: 'CN=acme-vigil,O=ACME Bank',
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
    const { signingSecret: old } = JSON.parse(added.stdout).body;
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
    // Local mode relaxes loopback only: a private address is refused there too.
    await expect(
      cli(['banks', 'add', 'lan-bank', '--name', 'x', '--callback-url', 'http://192.168.1.10/cb']),
    ).rejects.toThrow(/must use https/);
    await expect(
      cli(['banks', 'add', 'lan-bank', '--name', 'x', '--callback-url', 'https://192.168.1.10/cb']),
    ).rejects.toThrow(/private/);
    await expect(cli(['no', 'such'])).rejects.toThrow(/Unknown command: no such/);
    expect((await cli(['enroll', '--help'])).stdout).toMatch(/^Usage: vigil enroll <bankId> <customerId>/);
  });
});
