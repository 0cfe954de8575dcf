import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { PLACEHOLDER_PAGE_ID } from '../../cdk/stage-config.ts';
import { httpRoutes } from '../../shared/runtime/http-routes.ts';
import { notifyStream, scoringStream } from '../../shared/runtime/stream-settings.ts';
import { type TableDefinition, tableDefinitions, tableKeys } from '../../shared/runtime/table-definitions.ts';
import { synthesize } from './synth.ts';

const { template } = synthesize();
/** A stage other than dev must name its own page and an alarm e-mail. */
const PROD = { stage: 'prod', messengerPageId: '123456789012345', alarmEmail: 'ops@bank.example' };
const resourcesOf = (type: string) => template.findResources(type);

/** The REST API's methods as "METHOD /path", their path rebuilt from the resources' parts. */
function methods(from = template) {
  const resources = from.findResources('AWS::ApiGateway::Resource');
  const pathOf = (ref: unknown): string => {
    const id = (ref as { Ref?: string }).Ref;
    const resource = id === undefined ? undefined : resources[id];
    if (resource === undefined) return '';
    return `${pathOf(resource.Properties.ParentId)}/${resource.Properties.PathPart}`;
  };
  return Object.values(from.findResources('AWS::ApiGateway::Method'))
    .filter((method) => method.Properties.HttpMethod !== 'OPTIONS')
    .map((method) => ({
      key: `${method.Properties.HttpMethod} ${pathOf(method.Properties.ResourceId)}`,
      integration: method.Properties.Integration?.Uri,
      integrationType: method.Properties.Integration?.Type,
    }));
}

describe('the Vigil stack', () => {
  it('passes the AwsSolutions checks, and fails synth on a new finding', () => {
    expect(() => synthesize()).not.toThrow();
    expect(() => synthesize({}, (stack) => new Queue(stack, 'Unacknowledged'))).toThrow(/AwsSolutions-SQS4/);
  });

  it('creates every table of the shared definitions, on demand, encrypted with the stack key, with PITR', () => {
    const tables = Object.values(resourcesOf('AWS::DynamoDB::GlobalTable'));
    expect(tables).toHaveLength(tableKeys.length);
    for (const table of tables) {
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: [
          {
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            SSESpecification: {
              KMSMasterKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^EncryptionKey/), 'Arn'] },
            },
          },
        ],
      });
    }
  });

  it.each(tableKeys)('gives the %s table the keys, TTL, stream and indexes of its definition', (key) => {
    const definition: TableDefinition = tableDefinitions[key];
    const [table] = Object.values(template.findResources('AWS::DynamoDB::GlobalTable')).filter(
      (resource) =>
        JSON.stringify(resource.Properties.KeySchema).includes(`"${definition.partitionKey.name}"`) &&
        (definition.sortKey === undefined
          ? resource.Properties.KeySchema.length === 1
          : JSON.stringify(resource.Properties.KeySchema).includes(`"${definition.sortKey.name}"`)) &&
        JSON.stringify(resource.Properties.TimeToLiveSpecification ?? null).includes(
          definition.timeToLiveAttribute ?? 'null',
        ) &&
        (resource.Properties.StreamSpecification?.StreamViewType ?? null) ===
          ('stream' in definition ? definition.stream : null),
    );
    expect(table).toBeDefined();
    const indexes = definition.globalIndexes ?? [];
    expect(
      (table?.Properties.GlobalSecondaryIndexes ?? []).map((index: { IndexName: string }) => index.IndexName),
    ).toEqual(indexes.map((index) => index.indexName));
  });

  it('uses a data key and a secrets key, each rotated yearly and kept when the stack goes', () => {
    template.resourceCountIs('AWS::KMS::Key', 2);
    for (const key of Object.values(resourcesOf('AWS::KMS::Key'))) {
      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(key.DeletionPolicy).toBe('Retain');
    }
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/vigil-dev' });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/vigil-dev-secrets' });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EncryptionSecretsKey'), 'Arn'] },
    });
  });

  it('lets CloudWatch Logs and CloudWatch use the data key only for this account, with the encryption context', () => {
    const keys = resourcesOf('AWS::KMS::Key');
    const dataKey = Object.entries(keys).find(([id]) => /^EncryptionKey[0-9A-F]{8}$/.test(id))?.[1];
    const statements = dataKey?.Properties.KeyPolicy.Statement as {
      Principal: { Service?: unknown };
      Condition?: Record<string, Record<string, unknown>>;
    }[];
    const services = statements.filter((statement) => statement.Principal.Service !== undefined);
    // Exactly the two service statements, none of them unconditioned.
    expect(services.map((statement) => JSON.stringify(statement.Principal.Service))).toEqual([
      '"logs.eu-west-1.amazonaws.com"',
      '"cloudwatch.amazonaws.com"',
    ]);
    const [logs, cloudWatch] = services;
    const account = { Ref: 'AWS::AccountId' };
    expect(logs?.Condition).toEqual({
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:', account, ':log-group:*']],
        },
      },
      StringEquals: { 'aws:SourceAccount': account },
    });
    expect(cloudWatch?.Condition?.StringEquals).toEqual({ 'aws:SourceAccount': account });
    expect(JSON.stringify(cloudWatch?.Condition?.ArnLike)).toMatch(/kms:EncryptionContext:aws:sns:topicArn/);
    expect(JSON.stringify(cloudWatch?.Condition?.ArnLike)).toMatch(/"aws:SourceArn".*:alarm:vigil-dev-\*/);
    // The whole template, as the issue measured it: no service statement without its conditions.
    const text = JSON.stringify(template.toJSON());
    expect(text.match(/kms:EncryptionContext:aws:logs:arn/g)).toHaveLength(1);
    expect(text.match(/aws:SourceAccount/g)?.length).toBeGreaterThanOrEqual(2);
    // The secrets key has no service principal at all: Secrets Manager uses it through the callers' grants.
    const secretsKey = Object.entries(keys).find(([id]) => id.startsWith('EncryptionSecretsKey'))?.[1];
    expect(JSON.stringify(secretsKey?.Properties.KeyPolicy)).not.toMatch(/"Service"/);
  });

  it('lets functions decrypt secrets only through Secrets Manager, with the secrets key', () => {
    const grants = Object.values(resourcesOf('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as { Resource: unknown; Condition?: unknown }[],
    );
    const onSecretsKey = grants.filter((statement) =>
      JSON.stringify(statement.Resource).includes('EncryptionSecretsKey'),
    );
    expect(onSecretsKey.length).toBeGreaterThan(0);
    for (const statement of onSecretsKey) {
      expect(statement.Condition).toEqual({
        StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' },
      });
    }
  });

  it('retains and protects the durable tables in prod only', () => {
    const prod = synthesize(PROD).template;
    for (const [key, definition] of Object.entries(tableDefinitions)) {
      const tables = Object.entries(prod.findResources('AWS::DynamoDB::GlobalTable')).filter(([id]) =>
        id.toLowerCase().startsWith(`tables${key}`),
      );
      expect(tables).toHaveLength(1);
      const [, table] = tables[0] ?? [];
      expect(table?.DeletionPolicy).toBe(definition.durable ? 'Retain' : 'Delete');
      expect(table?.Properties.Replicas[0].DeletionProtectionEnabled).toBe(definition.durable);
    }
    for (const table of Object.values(resourcesOf('AWS::DynamoDB::GlobalTable'))) {
      expect(table.DeletionPolicy).toBe('Delete');
    }
  });

  it('runs functions on Node.js 24, arm64, traced, with bounded log retention', () => {
    for (const fn of Object.values(resourcesOf('AWS::Lambda::Function'))) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      });
    }
    for (const group of Object.values(resourcesOf('AWS::Logs::LogGroup'))) {
      expect(group.Properties.RetentionInDays).toBe(30);
      expect(group.Properties.KmsKeyId).toBeDefined();
    }
    expect(
      Object.values(synthesize(PROD).template.findResources('AWS::Logs::LogGroup')).map(
        (group) => group.Properties.RetentionInDays,
      ),
    ).toEqual(expect.arrayContaining([365]));
  });

  it('routes POST /v1/banks/{bankId}/events to receive-bank-event, with its configuration', () => {
    const [post] = methods().filter((method) => method.key === 'POST /v1/banks/{bankId}/events');
    expect(JSON.stringify(post?.integration)).toMatch(/BankReceiveBankEventFunction/);
    expect(post?.integrationType).toBe('AWS_PROXY');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          EVENTS_TABLE: { Ref: Match.stringLikeRegexp('^TablesEvents') },
          SUBSCRIBERS_TABLE: { Ref: Match.stringLikeRegexp('^TablesSubscribers') },
          BANKS_TABLE: { Ref: Match.stringLikeRegexp('^TablesBanks') },
          SECRET_PREFIX: 'vigil/dev',
          POWERTOOLS_LOG_LEVEL: 'INFO',
        }),
      },
    });
  });

  it('is a regional REST API that passes bodies as bytes, throttled from context, with JSON access logs without bodies', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
      BinaryMediaTypes: ['*/*'],
      DisableExecuteApiEndpoint: false,
    });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'dev',
      TracingEnabled: true,
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
        }),
        Match.objectLike({
          HttpMethod: 'POST',
          ResourcePath: '/~1v1~1banks~1{bankId}~1events',
          ThrottlingRateLimit: 1000,
          ThrottlingBurstLimit: 2000,
        }),
        Match.objectLike({
          HttpMethod: 'POST',
          ResourcePath: '/~1messenger~1webhook',
          ThrottlingRateLimit: 200,
          ThrottlingBurstLimit: 400,
        }),
      ]),
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
    const [stage] = Object.values(resourcesOf('AWS::ApiGateway::Stage'));
    const format = String(stage?.Properties.AccessLogSetting.Format);
    expect(format).not.toMatch(/body|requestOverride|querystring|header/i);
    for (const setting of stage?.Properties.MethodSettings ?? [])
      expect(setting.DataTraceEnabled).not.toBe(true);
    const throttled = synthesize({ apiThrottle: '{"rateLimit":5,"burstLimit":10}' }).template;
    throttled.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 5,
          ThrottlingBurstLimit: 10,
        }),
      ]),
    });
    expect(() => synthesize({ routeThrottle: '{"POST /nowhere":{"rateLimit":1,"burstLimit":1}}' })).toThrow(
      /unknown route: POST \/nowhere/,
    );
  });

  it('alarms on dead letters, errors, throttles, iterator age and the callback backlog, to an encrypted topic', () => {
    const alarms = Object.values(resourcesOf('AWS::CloudWatch::Alarm'));
    const names = alarms.map((alarm) => String(alarm.Properties.AlarmName));
    const functions = Object.keys(resourcesOf('AWS::Lambda::Function')).length;
    expect(names).toEqual(
      expect.arrayContaining([
        'vigil-dev-DeadLetters',
        'vigil-dev-CallbacksDead',
        'vigil-dev-CallbackBacklog',
        'vigil-dev-MessengerNotConfigured',
        'vigil-dev-WhatsAppNotConfigured',
      ]),
    );
    expect(names.filter((name) => name.endsWith('ErrorRate'))).toHaveLength(functions);
    expect(names.filter((name) => name.endsWith('Throttles'))).toHaveLength(functions);
    // The stream consumers: scoring, customer alerts, bank callbacks (deliver-callbacks only retries, on a schedule).
    expect(names.filter((name) => name.endsWith('IteratorAge'))).toHaveLength(3);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^ObservabilityAlarms/) }]);
      expect(alarm.Properties.AlarmDescription).toMatch(/Runbook: docs\/operator-guide.md#/);
    }
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EncryptionKey'), 'Arn'] },
    });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    synthesize({ alarmEmail: 'ops@bank.example' }).template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@bank.example',
    });
  });

  it('draws the operators’ dashboard', () => {
    const [dashboard] = Object.values(resourcesOf('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    for (const title of [
      'Bank events refused, by reason',
      'Alerts notified, by outcome',
      'Customers’ answers and commands, by outcome',
      'Send API errors, by code',
      'Bank callbacks',
      'Dead letters',
      'p99 duration per function (ms)',
      'Stream iterator age (ms)',
    ]) {
      expect(body).toContain(title);
    }
    template.hasOutput('DashboardUrl', {});
  });

  it('feeds score-bank-event from the events stream with the settings local mode uses too', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TablesEvents'), 'StreamArn'] },
      FunctionName: { Ref: Match.stringLikeRegexp('^ScoringScoreTransaction') },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: scoringStream.batchSize,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: scoringStream.retryAttempts,
      MaximumRecordAgeInSeconds: scoringStream.maxRecordAgeSeconds,
      ParallelizationFactor: scoringStream.parallelizationFactor,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      FilterCriteria: { Filters: [{ Pattern: '{"eventName":["INSERT"]}' }] },
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeadLetters'), 'Arn'] } },
      },
    });
  });

  it('keeps dead letters in a KMS-encrypted, TLS-only queue', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EncryptionKey'), 'Arn'] },
      MessageRetentionPeriod: 14 * 24 * 60 * 60,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('exposes exactly the routes local mode serves', () => {
    expect(
      methods()
        .map((method) => method.key)
        .sort(),
    ).toEqual(httpRoutes.map((route) => `${route.method} ${route.path}`).sort());
  });

  it('feeds notify-customer from the alerts stream (inserts, and modifications for follow-ups)', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TablesAlerts'), 'StreamArn'] },
      FunctionName: { Ref: Match.stringLikeRegexp('^MessengerNotifyCustomer') },
      MaximumRetryAttempts: notifyStream.retryAttempts,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      FilterCriteria: { Filters: [{ Pattern: '{"eventName":["INSERT","MODIFY"]}' }] },
    });
  });

  it('runs the callback retrier and the alert expiry every minute', () => {
    const schedules = Object.values(resourcesOf('AWS::Scheduler::Schedule'));
    expect(schedules.map((schedule) => schedule.Properties.ScheduleExpression)).toEqual([
      'rate(1 minute)',
      'rate(1 minute)',
    ]);
    const targets = JSON.stringify(schedules.map((schedule) => schedule.Properties.Target.Arn));
    expect(targets).toMatch(/CallbacksDeliverCallbacksFunction/);
    expect(targets).toMatch(/CallbacksExpireAlertsFunction/);
  });

  it('turns alert and subscription changes into callbacks sent at once, the outbox only for retries', () => {
    for (const [table, events] of [
      ['TablesAlerts', ['INSERT', 'MODIFY']],
      ['TablesSubscribers', ['INSERT', 'MODIFY', 'REMOVE']],
    ] as const) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${table}`), 'StreamArn'] },
        FunctionName: { Ref: Match.stringLikeRegexp('^CallbacksNotifyBank') },
        FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: events }) }] },
      });
    }
    // notify-bank sends each callback itself; the outbox has no stream, and deliver-callbacks no
    // mapping: it only retries, on its schedule (decision 16).
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'));
    expect(JSON.stringify(mappings)).not.toMatch(/CallbacksDeliverCallbacks|TablesCallbacks/);
    expect(JSON.stringify(template.findResources('AWS::DynamoDB::GlobalTable'))).toMatch(/Callbacks/);
    for (const [id, table] of Object.entries(template.findResources('AWS::DynamoDB::GlobalTable'))) {
      if (id.startsWith('TablesCallbacks')) expect(table.Properties.StreamSpecification).toBeUndefined();
    }
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 60,
      Environment: {
        Variables: Match.objectLike({ BANKS_TABLE: Match.anyValue(), CALLBACKS_TABLE: Match.anyValue() }),
      },
    });
  });

  it('keeps the Messenger secret encrypted with the secrets key, the verify token generated', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'vigil/dev/messenger',
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EncryptionSecretsKey'), 'Arn'] },
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'verifyToken' }),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          GRAPH_API_BASE_URL: 'https://graph.facebook.com',
          GRAPH_API_VERSION: 'v27.0',
          MESSENGER_PAGE_ID: '100000000000001',
        }),
      },
    });
  });

  it('refuses invalid context with a clear message', () => {
    expect(() => synthesize({ stage: 'Prod!' })).toThrow(/Invalid cdk.json context: stage/);
  });

  it('refuses, outside dev, the placeholder page id and a missing alarm e-mail', () => {
    expect(() => synthesize({ ...PROD, messengerPageId: PLACEHOLDER_PAGE_ID })).toThrow(
      /messengerPageId: still the placeholder 100000000000001 of cdk.json; set the id of your Facebook page for stage prod/,
    );
    const { alarmEmail: _, ...withoutEmail } = PROD;
    expect(() => synthesize(withoutEmail)).toThrow(/alarmEmail: required for stage prod/);
    expect(() => synthesize({ stage: 'staging' })).toThrow(/messengerPageId: .*; alarmEmail: /);
    expect(() => synthesize({ stage: 'dev' })).not.toThrow();
  });

  it('outputs the API URL, the Messenger and WhatsApp webhook URLs and where secrets live', () => {
    template.hasOutput('ApiUrl', {});
    template.hasOutput('MessengerWebhookUrl', {});
    template.hasOutput('MessengerSecretName', {});
    template.hasOutput('WhatsAppSecretName', {});
    expect(JSON.stringify(template.toJSON().Outputs.WhatsAppWebhookUrl.Value)).toMatch(
      /\/whatsapp\/webhook"/,
    );
    template.hasOutput('BankSecretNames', {});
  });

  it('warns at synth and deploy when the Messenger page id is cdk.json’s placeholder', () => {
    const warnings = (context: Record<string, unknown>) =>
      Annotations.fromStack(synthesize(context).stack).findWarning(
        '*',
        Match.stringLikeRegexp('messengerPageId'),
      );
    expect(warnings({})).toHaveLength(1);
    expect(warnings({ messengerPageId: '123456789012345' })).toHaveLength(0);
  });
});
