import { CfnOutput, Stack, Token, Validations } from 'aws-cdk-lib';
import { Effect, ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Tables } from './tables.ts';

export interface OperatorPolicyProps {
  readonly stage: string;
  readonly key: IKey;
  /** The key of the stack's secrets. */
  readonly secretsKey: IKey;
  readonly tables: Tables;
  readonly messengerSecret: Pick<ISecret, 'secretArn'>;
  readonly whatsappSecret: Pick<ISecret, 'secretArn'>;
  readonly deadLetters: IQueue;
}

/**
 * What `vigil --stage NAME` needs, and nothing more, as one managed policy to attach to the
 * operators' role or group (docs/operator-guide.md): read the stack's outputs; register, update and
 * show banks; create and rotate their secrets; read the verify tokens and set the Messenger and
 * WhatsApp secrets; redrive the tables; migrate stored items after a deploy; list, redrive and purge
 * the dead letters. Bank API calls (thresholds,
 * enrollments, erase, events) are signed with the bank's secret, not authorised by IAM.
 */
export class OperatorPolicy extends Construct {
  readonly policy: ManagedPolicy;

  constructor(
    scope: Construct,
    id: string,
    { stage, key, secretsKey, tables, messengerSecret, whatsappSecret, deadLetters }: OperatorPolicyProps,
  ) {
    super(scope, id);
    const stack = Stack.of(this);
    const { region, account, partition } = stack;
    const bankSecrets = `arn:${partition}:secretsmanager:${region}:${account}:secret:vigil/${stage}/banks/*`;
    const stackArn = `arn:${partition}:cloudformation:${region}:${account}:stack/${stack.stackName}/*`;
    const allow = (actions: string[], resources: string[], conditions?: Record<string, unknown>) =>
      new PolicyStatement({ effect: Effect.ALLOW, actions, resources, ...(conditions && { conditions }) });
    this.policy = new ManagedPolicy(this, 'Policy', {
      description: `Vigil ${stage}: what the vigil CLI needs with --stage ${stage}`,
      statements: [
        allow(
          ['cloudformation:DescribeStacks'],
          [
            stack.formatArn({
              service: 'cloudformation',
              resource: 'stack',
              resourceName: `${stack.stackName}/*`,
            }),
          ],
        ),
        // banks add / update / show
        allow(
          ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          [tables.get('banks').tableArn],
        ),
        // redrive: unscored events and unsent alerts are written again, dead callbacks requeued
        allow(['dynamodb:Scan', 'dynamodb:DeleteItem', 'dynamodb:PutItem'], [tables.get('events').tableArn]),
        // GetItem: marking an unconfirmed send undeliverable reads the alert first, since closing a
        // fraud check also removes the customer's open-check item (docs/scoring.md). Scan and
        // UpdateItem: migrate moves alerts of before to the byCustomerRef index too.
        allow(
          [
            'dynamodb:Scan',
            'dynamodb:GetItem',
            'dynamodb:DeleteItem',
            'dynamodb:PutItem',
            'dynamodb:UpdateItem',
          ],
          [tables.get('alerts').tableArn],
        ),
        allow(['dynamodb:Scan', 'dynamodb:PutItem'], [tables.get('callbacks').tableArn]),
        // migrate: customers' preferences moved next to their override (a transaction of a put and a delete)
        allow(
          ['dynamodb:Scan', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
          [tables.get('thresholds').tableArn],
        ),
        // redrive: whether a card transaction still `received` was scored is in its customer's
        // history; migrate: each bank's set of marked merchants filled from the merchants' marks
        allow(
          ['dynamodb:GetItem', 'dynamodb:Scan', 'dynamodb:UpdateItem'],
          [tables.get('activity').tableArn],
        ),
        // banks add (creates its three secrets), rotate-secret and finish-rotation; events send and
        // the administration commands (thresholds, enroll, customers erase) sign as the bank
        allow(
          ['secretsmanager:CreateSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
          [bankSecrets],
        ),
        // messenger show-verify-token / set-secrets
        allow(
          ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
          [messengerSecret.secretArn],
        ),
        // whatsapp show-verify-token / set-secrets
        allow(['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'], [whatsappSecret.secretArn]),
        // dead-letters list / redrive / purge
        allow(
          ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'],
          [deadLetters.queueArn],
        ),
        // The data key, only through the services above that use it (tables and the queue).
        allow(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], [key.keyArn], {
          StringEquals: {
            'kms:ViaService': ['dynamodb', 'sqs'].map((service) => `${service}.${region}.amazonaws.com`),
          },
        }),
        // The secrets key, only through Secrets Manager.
        allow(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], [secretsKey.keyArn], {
          StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` },
        }),
      ],
    });
    Validations.of(this.policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagArn(stack, bankSecrets)}]`,
      reason:
        "This stage's bank secrets only: banks are registered at run time (vigil banks add), three secrets each (events, administration, callbacks).",
    });
    Validations.of(this.policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagArn(stack, stackArn)}]`,
      reason: 'The stack’s own ARN ends in its id, unknown until it is created: this stack’s name only.',
    });
    new CfnOutput(stack, 'OperatorPolicyArn', {
      value: this.policy.managedPolicyArn,
      description: 'Attach to the operators’ role or group: what vigil --stage needs, nothing more',
    });
  }
}

/** An ARN as cdk-nag names it in a finding: unresolved pseudo parameters as `<AWS::Region>` etc. */
function nagArn(stack: Stack, arn: string): string {
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
