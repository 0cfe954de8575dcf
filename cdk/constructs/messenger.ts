import { CfnOutput, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { messengerSecretName } from '../../shared/adapters/secret-store-messenger-secrets.ts';
import { notifyStream } from '../../shared/runtime/stream-settings.ts';
import { AppFunction, tableAccess } from '../app-function.ts';
import type { StageConfig } from '../stage-config.ts';
import type { Tables } from './tables.ts';

export interface MessengerProps {
  readonly config: StageConfig;
  readonly key: IKey;
  readonly tables: Tables;
  readonly deadLetters: IQueue;
}

const GRAPH_API_BASE_URL = 'https://graph.facebook.com';

/**
 * Everything that talks to Messenger: the webhook for customers' messages, notify-customer on
 * new alerts, and the Messenger secret (page access token, app secret, webhook verify token).
 */
export class Messenger extends Construct {
  readonly secret: Secret;
  readonly webhook: AppFunction;
  readonly notifyCustomer: AppFunction;

  constructor(scope: Construct, id: string, { config, key, tables, deadLetters }: MessengerProps) {
    super(scope, id);
    const prefix = `vigil/${config.stage}`;
    // The verify token is generated; the page token and app secret come from Meta and are set by
    // the operator (docs/operator-guide.md) after the first deploy.
    this.secret = new Secret(this, 'Secret', {
      secretName: messengerSecretName(prefix),
      description: 'Messenger page access token, app secret and webhook verify token',
      encryptionKey: key,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ pageAccessToken: 'set-me', appSecret: 'set-me' }),
        generateStringKey: 'verifyToken',
        excludePunctuation: true,
        passwordLength: 32,
      },
      removalPolicy: config.stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Meta issues the page token and app secret; they are rotated in Meta’s console (operator guide), not by a Lambda.',
    });

    const common = {
      stage: config.stage,
      key,
      logLevel: config.logLevel,
      environment: {
        SECRET_PREFIX: prefix,
        GRAPH_API_BASE_URL,
        GRAPH_API_VERSION: config.graphApiVersion,
        MESSENGER_PAGE_ID: config.messengerPageId,
      },
    };
    this.webhook = new AppFunction(this, 'MessengerWebhook', { ...common, entry: 'messenger-webhook' })
      .bindSecret(this.secret, key)
      .bindTable('enrollments', tables.get('enrollments'), tableAccess.update)
      .bindTable(
        'subscribers',
        tables.get('subscribers'),
        [...tableAccess.get, ...tableAccess.put, ...tableAccess.update, ...tableAccess.delete],
        ['byPsid', 'byPendingPsid'],
      )
      .bindTable('alerts', tables.get('alerts'), [...tableAccess.get, ...tableAccess.update], ['byRef'])
      .bindTable('inbound', tables.get('inbound'), [...tableAccess.put, ...tableAccess.delete])
      .bindTable('banks', tables.get('banks'), tableAccess.get);

    this.notifyCustomer = new AppFunction(this, 'NotifyCustomer', { ...common, entry: 'notify-customer' })
      .bindSecret(this.secret, key)
      .bindTable('alerts', tables.get('alerts'), tableAccess.update)
      .bindTable('subscribers', tables.get('subscribers'), tableAccess.get)
      .bindTable('banks', tables.get('banks'), tableAccess.get)
      .consumeStream(tables.get('alerts'), notifyStream, deadLetters, ['INSERT']);

    new CfnOutput(Stack.of(this), 'MessengerSecretName', {
      value: this.secret.secretName,
      description: 'Set pageAccessToken and appSecret here; give Meta the verifyToken',
    });
  }
}
