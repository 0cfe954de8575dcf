import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * The stack's one customer-managed KMS key, rotated yearly, for tables, secrets, queues and logs.
 * Retained when the stack is deleted, so that retained tables and backups stay readable.
 */
export class EncryptionKey extends Construct {
  readonly key: Key;

  constructor(scope: Construct, id: string, stage: string) {
    super(scope, id);
    const { region, account, partition } = Stack.of(this);
    this.key = new Key(this, 'Key', {
      alias: `alias/vigil-${stage}`,
      description: `Vigil ${stage}: tables, secrets, queues and logs`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch alarms publish to the encrypted alarm topic.
    this.key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey');
    // CloudWatch Logs encrypts the functions' and the API's log groups with this key.
    this.key
      .grantEncryptDecrypt(new ServicePrincipal(`logs.${region}.amazonaws.com`))
      .principalStatement?.addCondition('ArnLike', {
        'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*`,
      });
  }
}
