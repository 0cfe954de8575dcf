import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

export interface HashingKeySecretProps {
  readonly secretName: string;
  readonly description: string;
  readonly stage: string;
  readonly encryptionKey: IKey;
  /** Why the key is never rotated (cdk-nag AwsSolutions-SMG4). */
  readonly noRotationReason: string;
}

/**
 * A generated key for a keyed hash (`{"key": "<64 characters>"}`), made once by the stack and
 * never shown: rotating it would change every hash made with it. Kept in prod on stack deletion.
 */
export function hashingKeySecret(scope: Construct, id: string, props: HashingKeySecretProps): Secret {
  const secret = new Secret(scope, id, {
    secretName: props.secretName,
    description: props.description,
    encryptionKey: props.encryptionKey,
    generateSecretString: {
      secretStringTemplate: '{}',
      generateStringKey: 'key',
      excludePunctuation: true,
      passwordLength: 64,
    },
    removalPolicy: props.stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: props.noRotationReason });
  return secret;
}
