import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CliError } from '../../cli/cli-error.ts';
import { LocalTarget } from '../../cli/local-target.ts';
import { StageTarget } from '../../cli/stage-target.ts';
import { runCli } from '../../cli/vigil.ts';
import { findFreePort } from '../../local/dynamodb-local.ts';
import { newWebhookSecret } from '../../local/local-secrets.ts';
import type { LocalConfig } from '../../local/local-stack.ts';
import { toStoredEvent } from '../../shared/domain/stored-event.ts';
import { cardTransaction } from '../fixtures/bank-events.ts';
import { startTestLocalStack, type TestLocalStack } from '../support/test-local-stack.ts';

const root = join(import.meta.dirname, '..', '..');
const example = join(root, 'examples', 'card-transaction.json');

describe('vigil against a deployed stage (SDK mocked at the client boundary)', () => {
  // Mocked from this block's beforeAll to its afterAll only: never while local mode's functions
  // run (its block below), even when a filter skips every test here and with them the afterAll.
  let cloudFormation: AwsClientStub<CloudFormationClient>;
  let secretsManager: AwsClientStub<SecretsManagerClient>;
  let dynamoDb: AwsClientStub<DynamoDBDocumentClient>;
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
    cloudFormation = mockClient(CloudFormationClient);
    secretsManager = mockClient(SecretsManagerClient);
    dynamoDb = mockClient(DynamoDBDocumentClient);
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
      ['vigil/prod/banks/acme-bank/signing', 'alias/vigil-prod-secrets'],
      ['vigil/prod/banks/acme-bank/admin', 'alias/vigil-prod-secrets'],
      ['vigil/prod/banks/acme-bank/callback', 'alias/vigil-prod-secrets'],
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

  it('banks update changes only the given settings, on an existing bank only', async () => {
    outputs();
    dynamoDb.on(UpdateCommand).resolves({
      Attributes: { bankId: 'acme-bank', name: 'ACME', callbackUrl: 'https://acme.example/v2' },
    });
    const result = await stage([
      'banks',
      'update',
      'acme-bank',
      '--callback-url',
      'https://acme.example/v2',
      '--alert-expiry-minutes',
      '30',
    ]);
    expect(result.code).toBe(0);
    const [update] = dynamoDb.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    expect(update?.TableName).toBe('vigil-prod-banks');
    expect(update?.Key).toEqual({ bankId: 'acme-bank' });
    expect(update?.ConditionExpression).toBe('attribute_exists(#bankId)');
    expect(update?.ExpressionAttributeValues).toMatchObject({
      ':callbackUrl': 'https://acme.example/v2',
      ':alertExpiryMinutes': 30,
    });
    expect(Object.keys(update?.ExpressionAttributeValues ?? {}).sort()).toEqual([
      ':alertExpiryMinutes',
      ':callbackUrl',
      ':updatedAt',
    ]);
    expect(secretsManager.calls()).toHaveLength(0);
  });

  it('banks update and banks show say when the stage has no such bank', async () => {
    outputs();
    dynamoDb
      .on(UpdateCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));
    dynamoDb.on(GetCommand).resolves({});
    await expect(stage(['banks', 'update', 'ghost-bank', '--name', 'Ghost'])).rejects.toThrow(
      'Unknown bank ghost-bank in stage prod.',
    );
    await expect(stage(['banks', 'show', 'ghost-bank'])).rejects.toThrow(
      'Unknown bank ghost-bank in stage prod.',
    );
  });

  it('messenger set-secrets keeps the verify token, stores what is given, prints no secret', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Vigil-prod',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [{ OutputKey: 'MessengerSecretName', OutputValue: 'vigil/prod/messenger' }],
        },
      ],
    });
    secretsManager.on(GetSecretValueCommand, { SecretId: 'vigil/prod/messenger' }).resolves({
      SecretString: JSON.stringify({ pageAccessToken: 'set-me', appSecret: 'set-me', verifyToken: 'vt_1' }),
    });
    const appSecret = '0123456789abcdef0123456789abcdef';
    const pageAccessToken = `EAAG${'x'.repeat(40)}`;
    const result = await stage([
      'messenger',
      'set-secrets',
      '--app-secret',
      appSecret,
      '--page-access-token',
      pageAccessToken,
    ]);
    expect(JSON.parse(result.stdout).body).toMatchObject({
      secretName: 'vigil/prod/messenger',
      changed: ['pageAccessToken', 'appSecret'],
    });
    expect(result.stdout).not.toContain(appSecret);
    expect(result.stdout).not.toContain(pageAccessToken);
    const [put] = secretsManager.commandCalls(PutSecretValueCommand).map((call) => call.args[0].input);
    expect(JSON.parse(put?.SecretString ?? '{}')).toEqual({
      pageAccessToken,
      appSecret,
      verifyToken: 'vt_1',
    });
    await expect(stage(['messenger', 'set-secrets', '--app-secret', 'not-hex'])).rejects.toThrow(
      /32 hexadecimal/,
    );
    await expect(stage(['messenger', 'set-secrets', '--page-access-token', 'abc def'])).rejects.toThrow(
      /starting with EA/,
    );
    expect(secretsManager.commandCalls(PutSecretValueCommand)).toHaveLength(1);
  });

  describe('whatsapp show-verify-token and set-secrets', () => {
    const whatsappOutputs = () =>
      cloudFormation.on(DescribeStacksCommand).resolves({
        Stacks: [
          {
            StackName: 'Vigil-prod',
            CreationTime: new Date(),
            StackStatus: 'CREATE_COMPLETE',
            Outputs: [
              { OutputKey: 'MessengerSecretName', OutputValue: 'vigil/prod/messenger' },
              { OutputKey: 'MessengerWebhookUrl', OutputValue: 'https://api.example/messenger/webhook' },
              { OutputKey: 'WhatsAppSecretName', OutputValue: 'vigil/prod/whatsapp' },
              { OutputKey: 'WhatsAppWebhookUrl', OutputValue: 'https://api.example/whatsapp/webhook' },
            ],
          },
        ],
      });
    const stored = { accessToken: 'set-me', appSecret: 'set-me', verifyToken: 'wa_vt_1' };
    const secrets = () =>
      secretsManager
        .on(GetSecretValueCommand, { SecretId: 'vigil/prod/whatsapp' })
        .resolves({ SecretString: JSON.stringify(stored) })
        .on(GetSecretValueCommand, { SecretId: 'vigil/prod/messenger' })
        .resolves({
          SecretString: JSON.stringify({
            pageAccessToken: 'set-me',
            appSecret: 'set-me',
            verifyToken: 'm_vt',
          }),
        });
    const accessToken = `EAAJ${'Zz9'.repeat(20)}`;
    const appSecret = 'fedcba9876543210fedcba9876543210';
    afterEach(() => {
      vi.unstubAllEnvs();
    });

    it('show-verify-token gives the WhatsApp webhook URL and verify token, not Messenger’s', async () => {
      whatsappOutputs();
      secrets();
      const shown = JSON.parse((await stage(['whatsapp', 'show-verify-token'])).stdout).body;
      expect(shown).toEqual({ callbackUrl: 'https://api.example/whatsapp/webhook', verifyToken: 'wa_vt_1' });
      expect(secretsManager.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    });

    it('set-secrets keeps the verify token, writes the WhatsApp secret only, prints no secret', async () => {
      whatsappOutputs();
      secrets();
      const result = await stage([
        'whatsapp',
        'set-secrets',
        '--access-token',
        accessToken,
        '--app-secret',
        appSecret,
      ]);
      expect(JSON.parse(result.stdout).body).toMatchObject({
        secretName: 'vigil/prod/whatsapp',
        changed: ['accessToken', 'appSecret'],
      });
      expect(result.stdout).not.toContain(accessToken);
      expect(result.stdout).not.toContain(appSecret);
      const puts = secretsManager.commandCalls(PutSecretValueCommand).map((call) => call.args[0].input);
      expect(puts).toHaveLength(1);
      expect(puts[0]?.SecretId).toBe('vigil/prod/whatsapp');
      expect(JSON.parse(puts[0]?.SecretString ?? '{}')).toEqual({
        accessToken,
        appSecret,
        verifyToken: 'wa_vt_1',
      });
    });

    it('set-secrets takes $WHATSAPP_ACCESS_TOKEN and $WHATSAPP_APP_SECRET; an option beats its variable', async () => {
      whatsappOutputs();
      secrets();
      vi.stubEnv('WHATSAPP_ACCESS_TOKEN', accessToken);
      vi.stubEnv('WHATSAPP_APP_SECRET', 'not-the-one-used');
      // Messenger's variables are not WhatsApp's.
      vi.stubEnv('MESSENGER_APP_SECRET', '00000000000000000000000000000000');
      const result = await stage(['whatsapp', 'set-secrets', '--app-secret', appSecret]);
      expect(JSON.parse(result.stdout).body.changed).toEqual(['accessToken', 'appSecret']);
      const [put] = secretsManager.commandCalls(PutSecretValueCommand).map((call) => call.args[0].input);
      expect(JSON.parse(put?.SecretString ?? '{}')).toEqual({
        accessToken,
        appSecret,
        verifyToken: 'wa_vt_1',
      });

      vi.unstubAllEnvs();
      vi.stubEnv('WHATSAPP_APP_SECRET', appSecret);
      const fromVariable = await stage(['whatsapp', 'set-secrets']);
      expect(JSON.parse(fromVariable.stdout).body.changed).toEqual(['appSecret']);
      const last = secretsManager.commandCalls(PutSecretValueCommand).at(-1)?.args[0].input;
      expect(JSON.parse(last?.SecretString ?? '{}')).toEqual({ ...stored, appSecret });
    });

    it.each([
      [['--app-secret', 'not-hex'], /app secret is 32 hexadecimal/],
      [['--app-secret', 'FEDCBA9876543210FEDCBA9876543210'], /app secret is 32 hexadecimal/],
      [['--app-secret', `${appSecret}\n`], /app secret is 32 hexadecimal/],
      [['--access-token', 'abc def'], /access token is .*starting with EA/],
      [['--access-token', 'EAAshort'], /access token is .*starting with EA/],
      [['--access-token', `${accessToken}"}`], /access token is .*starting with EA/],
      [['--access-token', accessToken, '--app-secret', 'zz-secret-zz'], /app secret is 32 hexadecimal/],
      [
        [],
        /Nothing to set: give --access-token and\/or --app-secret \(or WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET\)/,
      ],
      // Messenger's option sets nothing on WhatsApp.
      [['--page-access-token', accessToken], /Nothing to set/],
    ])('set-secrets %j is refused (exit 2), printing no value and writing nothing', async (argv, message) => {
      whatsappOutputs();
      secrets();
      const error = await stage(['whatsapp', 'set-secrets', ...argv]).catch((caught: CliError) => caught);
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).exitCode).toBe(2);
      expect((error as CliError).message).toMatch(message);
      for (const value of argv.filter((item) => !item.startsWith('--'))) {
        expect((error as CliError).message).not.toContain(value);
      }
      expect(secretsManager.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    });
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
    expect(created?.KmsKeyId).toBe('alias/vigil-prod-secrets');
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

  it('banks show prints the settings and never a secret', async () => {
    const shown = await cli(['banks', 'show', 'demo-bank']);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout).body).toMatchObject({
      bankId: 'demo-bank',
      name: 'Demo Bank',
      callbackUrl: local.bank.callbackUrl,
      alertExpiryMinutes: 60,
    });
    expect(shown.stdout).not.toContain(local.bank.signingSecret);
    expect(shown.stdout).not.toContain(local.bank.callbackSecret);
    expect(shown.stdout).not.toMatch(/whsec_|secret/i);
  });

  it('banks update changes the given settings and keeps the rest', async () => {
    await cli(['banks', 'add', 'upd-bank', '--name', 'Upd Bank', '--callback-url', 'http://127.0.0.1:9/a']);
    const template = join(await mkdtemp(join(tmpdir(), 'vigil-template-')), 'template.json');
    await writeFile(
      template,
      JSON.stringify({ name: 'fraud_alert', language: 'fr_FR', parameters: ['bankName', 'amount'] }),
    );
    const updated = await cli([
      'banks',
      'update',
      'upd-bank',
      '--callback-url',
      'http://127.0.0.1:9/vigil',
      '--alert-expiry-minutes',
      '15',
      '--time-zone',
      'Europe/Paris',
      '--utility-template',
      template,
    ]);
    expect(updated.code).toBe(0);
    const bank = JSON.parse((await cli(['banks', 'show', 'upd-bank'])).stdout).body;
    expect(bank).toMatchObject({
      bankId: 'upd-bank',
      name: 'Upd Bank',
      callbackUrl: 'http://127.0.0.1:9/vigil',
      alertExpiryMinutes: 15,
      timeZone: 'Europe/Paris',
      utilityTemplate: { name: 'fraud_alert', language: 'fr_FR', parameters: ['bankName', 'amount'] },
      updatedAt: expect.any(String),
    });
    const config = JSON.parse(await readFile(local.stack.configPath, 'utf8')) as LocalConfig;
    expect(config.banks.find((item) => item.bankId === 'upd-bank')?.callbackUrl).toBe(
      'http://127.0.0.1:9/vigil',
    );
    await cli(['banks', 'update', 'upd-bank', '--utility-template', 'none', '--name', 'Upd 2']);
    const after = JSON.parse((await cli(['banks', 'show', 'upd-bank'])).stdout).body;
    expect(after.utilityTemplate).toBeUndefined();
    expect(after).toMatchObject({ name: 'Upd 2', alertExpiryMinutes: 15, timeZone: 'Europe/Paris' });
  });

  it('banks update sets the channels a bank offers and its WhatsApp number, checked, and the links follow', async () => {
    await cli(['banks', 'add', 'wa-bank', '--name', 'WA Bank', '--callback-url', 'http://127.0.0.1:9/a']);
    const dir = await mkdtemp(join(tmpdir(), 'vigil-whatsapp-'));
    const file = join(dir, 'whatsapp.json');
    const settings = {
      phoneNumberId: '106540352242922',
      displayNumber: '33612345678',
      template: { name: 'fraud_check', language: 'fr', parameters: ['bankName', 'amount'] },
    };
    await writeFile(file, JSON.stringify(settings));
    const refused: [string[], RegExp][] = [
      [['--channels', 'whatsapp'], /offer WhatsApp without a WhatsApp number: give --whatsapp FILE/],
      [['--channels', 'sms'], /--channels is a comma-separated list of messenger, whatsapp/],
      [['--channels', 'messenger,messenger'], /each at most once/],
      [['--whatsapp', '/no/such.json'], /Cannot read/],
    ];
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ ...settings, displayNumber: '+33 6 12 34 56 78' }));
    refused.push([['--whatsapp', bad], /wrong: displayNumber/]);
    for (const [options, message] of refused) {
      const failure = await cli(['banks', 'update', 'wa-bank', ...options]).catch((error: CliError) => error);
      expect(failure).toBeInstanceOf(CliError);
      expect((failure as CliError).message).toMatch(message);
    }
    expect(JSON.parse((await cli(['banks', 'show', 'wa-bank'])).stdout).body.channels).toBeUndefined();

    expect(
      (await cli(['banks', 'update', 'wa-bank', '--channels', 'whatsapp,messenger', '--whatsapp', file]))
        .code,
    ).toBe(0);
    expect(JSON.parse((await cli(['banks', 'show', 'wa-bank'])).stdout).body).toMatchObject({
      channels: ['whatsapp', 'messenger'],
      whatsapp: settings,
    });
    // Removing the number while WhatsApp is offered is refused too.
    await expect(cli(['banks', 'update', 'wa-bank', '--whatsapp', 'none'])).rejects.toThrow(
      /without a WhatsApp number/,
    );
  });

  it('banks update sets the hourly ceiling of messages per customer', async () => {
    const updated = await cli(['banks', 'update', 'demo-bank', '--max-messages-per-hour', '25']);
    expect(updated.code).toBe(0);
    const bank = JSON.parse((await cli(['banks', 'show', 'demo-bank'])).stdout).body;
    expect(bank).toMatchObject({ bankId: 'demo-bank', maxMessagesPerHour: 25 });
  });

  it('banks update refuses bad values and unknown banks, and changes nothing', async () => {
    const before = await local.scan('banks');
    const bad: [string[], RegExp][] = [
      [['--alert-expiry-minutes', '0'], /whole number of minutes from 1 to 1440/],
      [['--alert-expiry-minutes', '2.5'], /whole number of minutes/],
      [['--alert-expiry-minutes', '1441'], /from 1 to 1440/],
      [['--max-messages-per-hour', '0'], /--max-messages-per-hour must be a whole number from 1 to 100/],
      [['--max-messages-per-hour', '101'], /from 1 to 100/],
      [['--max-messages-per-hour', 'ten'], /whole number/],
      [['--time-zone', 'Mars/Olympus'], /IANA time zone such as Europe\/Paris/],
      [['--callback-url', 'ftp://x.example'], /https:\/\/ URL/],
      [['--callback-url', 'not a url'], /https:\/\/ URL/],
      [['--name', '  '], /--name is the name customers see/],
      [['--utility-template', '/no/such/file.json'], /Cannot read \/no\/such\/file\.json/],
      [[], /Nothing to change/],
    ];
    for (const [options, message] of bad) {
      const failure = await cli(['banks', 'update', 'demo-bank', ...options]).catch(
        (error: CliError) => error,
      );
      expect(failure).toBeInstanceOf(CliError);
      expect((failure as CliError).message).toMatch(message);
      expect((failure as CliError).exitCode).toBe(2);
    }
    await expect(cli(['banks', 'update', 'ghost-bank', '--name', 'Ghost'])).rejects.toThrow(
      'Unknown bank ghost-bank in local mode.',
    );
    await expect(cli(['banks', 'show', 'ghost-bank'])).rejects.toThrow('Unknown bank ghost-bank');
    await expect(cli(['banks', 'show', 'Bad_Id'])).rejects.toThrow(/lower-case letters/);
    const after = await local.scan('banks');
    expect(after.filter((item) => item.bankId !== 'upd-bank' && item.bankId !== 'new-bank')).toEqual(
      before.filter((item) => item.bankId !== 'upd-bank' && item.bankId !== 'new-bank'),
    );
    expect(after.some((item) => item.bankId === 'ghost-bank')).toBe(false);
  });

  it('banks add checks its settings as banks update does', async () => {
    await expect(
      cli([
        'banks',
        'add',
        'tz-bank',
        '--name',
        'TZ',
        '--callback-url',
        'https://x.example',
        '--time-zone',
        'Paris',
      ]),
    ).rejects.toThrow(/IANA time zone/);
    await expect(
      cli([
        'banks',
        'add',
        'tz-bank',
        '--name',
        'TZ',
        '--callback-url',
        'https://x.example',
        '--template',
        'A:en:foo',
      ]),
    ).rejects.toThrow(/--template is name:language:params/);
    expect((await local.scan('banks')).some((item) => item.bankId === 'tz-bank')).toBe(false);
  });

  it('messenger show-verify-token gives Meta’s two values; set-secrets is for a stage', async () => {
    const shown = JSON.parse((await cli(['messenger', 'show-verify-token'])).stdout).body;
    expect(shown).toEqual({
      callbackUrl: `${local.apiUrl}/messenger/webhook`,
      verifyToken: local.stack.config.messenger.verifyToken,
    });
    const refused = await cli(['messenger', 'set-secrets', '--app-secret', 'a'.repeat(32)]).catch(
      (error: CliError) => error,
    );
    expect(refused).toBeInstanceOf(CliError);
    expect((refused as CliError).exitCode).toBe(2);
    expect((refused as CliError).message).toMatch(/--stage NAME/);
  });

  it('whatsapp show-verify-token gives Meta’s two values; set-secrets is for a stage', async () => {
    const shown = JSON.parse((await cli(['whatsapp', 'show-verify-token'])).stdout).body;
    expect(shown).toEqual({
      callbackUrl: `${local.apiUrl}/whatsapp/webhook`,
      verifyToken: local.stack.config.whatsapp.verifyToken,
    });
    expect(shown.verifyToken).not.toBe(local.stack.config.messenger.verifyToken);
    const refused = await cli(['whatsapp', 'set-secrets', '--app-secret', 'a'.repeat(32)]).catch(
      (error: CliError) => error,
    );
    expect(refused).toBeInstanceOf(CliError);
    expect((refused as CliError).exitCode).toBe(2);
    expect((refused as CliError).message).toMatch(/^Local mode's WhatsApp secrets .*--stage NAME/);
  });

  it('redrive leaves a card transaction past the ledger’s 48 hours alone unless forced, and counts it', async () => {
    const { client, events } = await new LocalTarget(join(local.stack.configPath, '..')).tables();
    const hours = (n: number) => new Date(Date.now() - n * 3_600_000).toISOString();
    // Arrived when it was 30 minutes old, 49 hours old now: scored or stuck, it cannot be told.
    const aged = toStoredEvent(
      'demo-bank',
      'evt_cli_aged',
      cardTransaction({
        customerId: 'cus_cli_aged',
        occurredAt: hours(49),
        transaction: { id: 'txn_cli_aged' },
      }),
      new Date(hours(48.5)),
    );
    await client.send(new PutCommand({ TableName: events, Item: aged }));
    // Local mode's stream scores the insert (a transaction dated outside the ledger's window is
    // marked scored); once it has, the mark is taken back by an update, which the scorer does not
    // consume: a stuck event, whatever the stream's pace on a busy machine.
    const key = { eventKey: aged.eventKey };
    await vi.waitFor(
      async () => {
        const { Item } = await client.send(new GetCommand({ TableName: events, Key: key }));
        expect(Item?.status).toBe('scored');
      },
      { timeout: 30_000, interval: 100 },
    );
    await client.send(
      new UpdateCommand({
        TableName: events,
        Key: key,
        UpdateExpression: 'SET #status = :received',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':received': 'received' },
      }),
    );
    const left = JSON.parse((await cli(['redrive'])).stdout).body;
    expect(left).toMatchObject({ eventsRescored: 0, eventsPastLedgerWindow: 1 });
    const forced = JSON.parse((await cli(['redrive', '--force-past-ledger-window'])).stdout).body;
    expect(forced).toMatchObject({ eventsRescored: 1, eventsPastLedgerWindow: 1 });
    const again = await client.send(new GetCommand({ TableName: events, Key: { eventKey: aged.eventKey } }));
    expect(again.Item?.eventId).toBe('evt_cli_aged');
  });

  it('dead-letters list, redrive and purge act on local mode’s dead-letter file', async () => {
    const home = join(local.stack.configPath, '..');
    expect(JSON.parse((await cli(['dead-letters', 'list'])).stdout).body).toMatchObject({ count: 0 });
    const letter = (functionName: string, timestamp: string) =>
      JSON.stringify({
        functionName,
        streamArn: 'arn:local',
        shardId: 'shard-1',
        startSequenceNumber: '100',
        endSequenceNumber: '105',
        batchSize: 6,
        condition: 'RetryAttemptsExhausted',
        error: 'TypeError',
        timestamp,
      });
    const old = new Date(Date.now() - 3_600_000).toISOString();
    const recent = new Date().toISOString();
    await writeFile(
      join(home, 'dead-letters.jsonl'),
      `${letter('score-transaction', old)}\n${letter('notify-bank', recent)}\n`,
    );
    const listed = JSON.parse((await cli(['dead-letters', 'list'])).stdout).body;
    expect(listed.count).toBe(2);
    expect(listed.deadLetters[0]).toMatchObject({
      functionName: 'score-transaction',
      shardId: 'shard-1',
      startSequenceNumber: '100',
      endSequenceNumber: '105',
      batchSize: 6,
      error: 'TypeError',
      failedAt: old,
    });
    const redriven = JSON.parse((await cli(['dead-letters', 'redrive', '--older-than', '10'])).stdout).body;
    expect(redriven).toMatchObject({
      redriven: { eventsRescored: expect.any(Number) },
      deadLettersRemoved: 1,
      deadLettersKept: 1,
    });
    const left = JSON.parse((await cli(['dead-letters', 'list'])).stdout).body;
    expect(left.deadLetters.map((item: { functionName: string }) => item.functionName)).toEqual([
      'notify-bank',
    ]);
    expect(JSON.parse((await cli(['dead-letters', 'purge'])).stdout).body).toEqual({ purged: 1 });
    expect(JSON.parse((await cli(['dead-letters', 'list'])).stdout).body.count).toBe(0);
    await expect(cli(['dead-letters', 'redrive', '--older-than', 'soon'])).rejects.toThrow(
      /--older-than is a whole number of minutes/,
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
