import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * The stack's customer-managed KMS keys, rotated yearly and retained when the stack is deleted
 * (so that retained tables, backups and secrets stay readable):
 * - `key` for data: tables, the dead-letter queue, log groups and the alarm topic;
 * - `secretsKey` for Secrets Manager only: the Messenger secret and every bank's secrets. A role
 *   that reads tables cannot decrypt a secret with it, and the reverse.
 *
 * The service principals that use the data key do so only for this account's resources: every
 * statement carries `aws:SourceAccount` and the service's encryption context.
 */
export class EncryptionKey extends Construct {
  readonly key: Key;
  readonly secretsKey: Key;

  constructor(scope: Construct, id: string, stage: string) {
    super(scope, id);
    const { region, account, partition } = Stack.of(this);
    this.key = new Key(this, 'Key', {
      alias: `alias/vigil-${stage}`,
      description: `Vigil ${stage}: tables, queues, logs and the alarm topic`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.secretsKey = new Key(this, 'SecretsKey', {
      alias: `alias/vigil-${stage}-secrets`,
      description: `Vigil ${stage}: the Messenger secret and the banks' secrets`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // CloudWatch Logs encrypts the functions' and the API's log groups with the data key: only
    // for log groups of this account and region. (grantEncryptDecrypt would put the condition on
    // nothing: a service principal has no principal statement, so it is written out here.)
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchLogsOfThisAccount',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*`,
          },
          StringEquals: { 'aws:SourceAccount': account },
        },
      }),
    );
    // CloudWatch alarms publish to the encrypted alarm topic: only alarms of this account, only
    // through SNS topics of this account.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccount',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:sns:topicArn': `arn:${partition}:sns:${region}:${account}:*`,
            'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:vigil-${stage}-*`,
          },
          StringEquals: { 'aws:SourceAccount': account },
        },
      }),
    );
  }
}
