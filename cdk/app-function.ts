import { join } from 'node:path';
import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import type { ITable, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  Architecture,
  FilterCriteria,
  FilterRule,
  Runtime,
  StartingPosition,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type CfnLogGroup, LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StreamSettings } from '../shared/runtime/stream-settings.ts';
import { type TableKey, tableEnvironmentVariable } from '../shared/runtime/table-definitions.ts';
import {
  LAMBDA_BANNER,
  LAMBDA_CHARSET,
  LAMBDA_LEGAL_COMMENTS,
  LAMBDA_MAIN_FIELDS,
  LAMBDA_NODE_OPTIONS,
  LAMBDA_TARGET,
} from './lambda-bundling.ts';

const functionsDirectory = join(import.meta.dirname, '..', 'functions');

export interface AppFunctionProps {
  /** The file in `functions/` without extension, e.g. `receive-bank-event`. */
  readonly entry: string;
  readonly stage: string;
  readonly key: IKey;
  readonly logLevel: string;
  readonly memorySize?: number;
  readonly timeout?: Duration;
  readonly environment?: Record<string, string>;
}

/** The DynamoDB actions a function may be granted, by intent. */
export const tableAccess = {
  get: ['dynamodb:GetItem'],
  read: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'],
  put: ['dynamodb:PutItem'],
  update: ['dynamodb:UpdateItem'],
  delete: ['dynamodb:DeleteItem'],
  /** A transaction's condition on an item it does not write. */
  conditionCheck: ['dynamodb:ConditionCheckItem'],
  batchWrite: ['dynamodb:BatchWriteItem'],
  scan: ['dynamodb:Scan'],
} as const;

/**
 * A Vigil Lambda function with the house defaults: Node.js 24 on arm64, ESM bundle with source
 * maps, X-Ray tracing, an encrypted log group with bounded retention, and `bind*` helpers that
 * grant exactly the listed actions and set the matching environment variable in one call.
 */
export class AppFunction extends Construct {
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.stage === 'prod' ? RetentionDays.ONE_YEAR : RetentionDays.ONE_MONTH,
      encryptionKey: props.key,
    });
    // A role of its own instead of the AWS managed basic execution policy: it may write to its
    // own log group only.
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn, `${logGroup.logGroupArn}:*`],
      }),
    );
    this.function = new NodejsFunction(this, 'Function', {
      role,
      entry: join(functionsDirectory, `${props.entry}.ts`),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup,
      environment: {
        NODE_OPTIONS: LAMBDA_NODE_OPTIONS,
        POWERTOOLS_SERVICE_NAME: 'vigil',
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        VIGIL_STAGE: props.stage,
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: LAMBDA_TARGET,
        minify: true,
        sourceMap: true,
        mainFields: LAMBDA_MAIN_FIELDS,
        banner: LAMBDA_BANNER,
        // As esbuild arguments: this version of NodejsFunction passes no `charset` to esbuild.
        esbuildArgs: { '--charset': LAMBDA_CHARSET, '--legal-comments': LAMBDA_LEGAL_COMMENTS },
      },
    });
    Validations.of(role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(logGroup.node.defaultChild as CfnLogGroup)}.Arn>:*]`,
        reason: 'Log streams of this function’s own log group, whose names Lambda chooses.',
      },
    );
  }

  /**
   * Grants the actions on the table and sets `<TABLE>_TABLE`. Queries are granted on the named
   * indexes only.
   */
  bindTable(
    key: TableKey,
    table: TableV2,
    actions: readonly string[],
    indexes: readonly string[] = [],
  ): this {
    this.function.addToRolePolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions: [...actions], resources: [table.tableArn] }),
    );
    if (indexes.length > 0) {
      this.function.addToRolePolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['dynamodb:Query'],
          resources: indexes.map((index) => `${table.tableArn}/index/${index}`),
        }),
      );
    }
    const keyActions = isWrite(actions) ? KEY_ACTIONS_TO_WRITE : KEY_ACTIONS_TO_READ;
    table.encryptionKey?.grant(this.function, ...keyActions);
    this.function.addEnvironment(tableEnvironmentVariable(key), table.tableName);
    return this;
  }

  /** Grants reading one secret, and decrypting it through Secrets Manager. */
  bindSecret(secret: Pick<ISecret, 'secretArn'>, key: IKey): this {
    this.function.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['secretsmanager:GetSecretValue'],
        resources: [secret.secretArn],
      }),
    );
    this.grantDecryptThroughSecretsManager(key);
    return this;
  }

  /**
   * Consumes the table's stream with the shared settings (the same local mode's poller uses):
   * partial batch failures, bisection on errors, bounded retries, and an on-failure destination.
   */
  consumeStream(
    table: TableV2,
    settings: StreamSettings,
    deadLetters: IQueue,
    eventNames: readonly ('INSERT' | 'MODIFY' | 'REMOVE')[],
  ): this {
    this.function.addEventSource(
      // TableV2 is a table for event sources; its optional stream ARN only trips the strict typing.
      new DynamoEventSource(table as unknown as ITable, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: settings.batchSize,
        bisectBatchOnError: settings.bisectBatchOnFunctionError,
        retryAttempts: settings.retryAttempts,
        maxRecordAge: Duration.seconds(settings.maxRecordAgeSeconds),
        parallelizationFactor: settings.parallelizationFactor,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(deadLetters),
        filters: [FilterCriteria.filter({ eventName: FilterRule.or(...eventNames) })],
      }),
    );
    for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
      Validations.of(this.function.role ?? this).acknowledge({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason:
          'Granted by the SQS on-failure destination to send to the dead-letter queue; only on the stack key.',
      });
    }
    return this;
  }

  /**
   * Grants read access to the secrets named `<prefix>/banks/<bankId>/<kind>` for every bank, and
   * sets SECRET_PREFIX. Banks are registered at run time, so their secrets cannot be listed here.
   */
  bindBankSecrets(prefix: string, kind: 'signing' | 'admin' | 'callback', key: IKey): this {
    const { partition, region, account } = Stack.of(this);
    const secretArn = `arn:${partition}:secretsmanager:${region}:${account}:secret:${prefix}/banks/*/${kind}-??????`;
    this.function.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['secretsmanager:GetSecretValue'],
        resources: [secretArn],
      }),
    );
    this.grantDecryptThroughSecretsManager(key);
    this.function.addEnvironment('SECRET_PREFIX', prefix);
    Validations.of(this.function.role ?? this).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${this.nagArn(secretArn)}]`,
      reason: `The ${kind} secrets of this stage's banks only: banks are registered at run time, one secret each.`,
    });
    return this;
  }

  private decryptGranted = false;

  private grantDecryptThroughSecretsManager(key: IKey): void {
    if (this.decryptGranted) return;
    this.decryptGranted = true;
    this.function.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['kms:Decrypt'],
        resources: [key.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` },
        },
      }),
    );
  }

  /** An ARN as cdk-nag names it in a finding: unresolved pseudo parameters as `<AWS::Region>` etc. */
  private nagArn(arn: string): string {
    const stack = Stack.of(this);
    const pseudo: [string, string][] = [
      [stack.partition, '<AWS::Partition>'],
      [stack.region, '<AWS::Region>'],
      [stack.account, '<AWS::AccountId>'],
    ];
    return pseudo.reduce(
      (text, [value, name]) => (Token.isUnresolved(value) ? text.replaceAll(value, name) : text),
      arn,
    );
  }
}

// The key actions DynamoDB needs from a caller of a table encrypted with a customer-managed key.
const KEY_ACTIONS_TO_READ = ['kms:Decrypt', 'kms:DescribeKey'];
const KEY_ACTIONS_TO_WRITE = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'];

function isWrite(actions: readonly string[]): boolean {
  return actions.some((action) => /Put|Update|Delete|Write/.test(action));
}
