import { Match } from 'aws-cdk-lib/assertions';
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

  it('uses one KMS key with yearly rotation, kept when the stack goes', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
    });
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
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /v1/banks/{bankId}/events',
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          EVENTS_TABLE: { Ref: Match.stringLikeRegexp('^TablesEvents') },
          SUBSCRIBERS_TABLE: { Ref: Match.stringLikeRegexp('^TablesSubscribers') },
          SECRET_PREFIX: 'vigil/dev',
          POWERTOOLS_LOG_LEVEL: 'INFO',
        }),
      },
    });
  });

  it('throttles the API from context and writes JSON access logs without bodies', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      RouteSettings: {
        'POST /v1/banks/{bankId}/events': { ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 },
        'POST /messenger/webhook': { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 },
        'GET /messenger/webhook': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
      },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
    const throttled = synthesize({ apiThrottle: '{"rateLimit":5,"burstLimit":10}' }).template;
    throttled.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
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
      ]),
    );
    expect(names.filter((name) => name.endsWith('ErrorRate'))).toHaveLength(functions);
    expect(names.filter((name) => name.endsWith('Throttles'))).toHaveLength(functions);
    expect(names.filter((name) => name.endsWith('IteratorAge'))).toHaveLength(4);
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

  it('feeds score-transaction from the events stream with the settings local mode uses too', () => {
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
    const routeKeys = Object.values(resourcesOf('AWS::ApiGatewayV2::Route')).map(
      (route) => route.Properties.RouteKey,
    );
    expect(routeKeys.sort()).toEqual(httpRoutes.map((route) => `${route.method} ${route.path}`).sort());
  });

  it('feeds notify-customer from the alerts stream (inserts)', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TablesAlerts'), 'StreamArn'] },
      FunctionName: { Ref: Match.stringLikeRegexp('^MessengerNotifyCustomer') },
      MaximumRetryAttempts: notifyStream.retryAttempts,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      FilterCriteria: { Filters: [{ Pattern: '{"eventName":["INSERT"]}' }] },
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

  it('turns alert and subscription changes into callbacks, and sends them at once from the outbox', () => {
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
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TablesCallbacks'), 'StreamArn'] },
      FunctionName: { Ref: Match.stringLikeRegexp('^CallbacksDeliverCallbacks') },
    });
  });

  it('keeps the Messenger secret encrypted with the stack key, the verify token generated', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'vigil/dev/messenger',
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EncryptionKey'), 'Arn'] },
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'verifyToken' }),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          GRAPH_API_BASE_URL: 'https://graph.facebook.com',
          GRAPH_API_VERSION: 'v23.0',
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

  it('outputs the API URL, the Messenger webhook URL and where secrets live', () => {
    template.hasOutput('ApiUrl', {});
    template.hasOutput('MessengerWebhookUrl', {});
    template.hasOutput('MessengerSecretName', {});
    template.hasOutput('BankSecretNames', {});
  });
});
