import { CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * Where stream consumers send what they could not process after their retries: Lambda writes
 * the failed batch's shard and sequence range (not the records), which `vigil redrive` and the
 * runbook use. Encrypted with the stack key, TLS only, kept 14 days.
 */
export class DeadLetters extends Construct {
  readonly queue: Queue;

  constructor(scope: Construct, id: string, key: IKey) {
    super(scope, id);
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the on-failure destination of the stream mappings; nothing reads it automatically.',
    });
    // The stack's one dead-letter queue: vigil dead-letters list|redrive|purge reads it from here.
    new CfnOutput(Stack.of(this), 'DeadLetterQueueUrl', {
      value: this.queue.queueUrl,
      description: 'Where failed stream batches are described: vigil dead-letters list --stage <stage>',
    });
    new CfnOutput(Stack.of(this), 'DeadLetterQueueArn', {
      value: this.queue.queueArn,
      description: 'The dead-letter queue of every stream consumer (alarm DeadLetters)',
    });
  }
}
