import { CfnOutput, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  messengerSecretName,
  PLACEHOLDER_SECRET_VALUE,
} from '../../shared/adapters/secret-store-messenger-secrets.ts';
import { notifyStream } from '../../shared/runtime/stream-settings.ts';
import { AppFunction, tableAccess } from '../app-function.ts';
import type { StageConfig } from '../stage-config.ts';
import type { Tables } from './tables.ts';

export interface MessengerProps {
  readonly config: StageConfig;
  readonly key: IKey;
  /** Encrypts the secrets this construct reads or creates. */
  readonly secretsKey: IKey;
  readonly tables: Tables;
  readonly deadLetters: IQueue;
}

/**
 * A Meta channel's secret: what Meta issues starts as a placeholder that Vigil refuses to work with
 * (503, alarm) until the operator sets it; the webhook verify token is generated.
 */
export function metaChannelSecret(
  scope: Construct,
  options: {
    readonly stage: string;
    readonly encryptionKey: IKey;
    readonly name: string;
    readonly description: string;
    readonly issuedByMeta: readonly string[];
    /** Why it has no rotation Lambda (cdk-nag AwsSolutions-SMG4). */
    readonly rotation: string;
  },
): Secret {
  const secret = new Secret(scope, 'Secret', {
    secretName: options.name,
    description: options.description,
    encryptionKey: options.encryptionKey,
    generateSecretString: {
      secretStringTemplate: JSON.stringify(
        Object.fromEntries(options.issuedByMeta.map((field) => [field, PLACEHOLDER_SECRET_VALUE])),
      ),
      generateStringKey: 'verifyToken',
      excludePunctuation: true,
      passwordLength: 32,
    },
    removalPolicy: options.stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: options.rotation });
  return secret;
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

  constructor(
    scope: Construct,
    id: string,
    { config, key, secretsKey, tables, deadLetters }: MessengerProps,
  ) {
    super(scope, id);
    const prefix = `vigil/${config.stage}`;
    // The verify token is generated; the page token and app secret come from Meta and are set by
    // the operator (docs/operator-guide.md) after the first deploy.
    this.secret = metaChannelSecret(this, {
      stage: config.stage,
      encryptionKey: secretsKey,
      name: messengerSecretName(prefix),
      description: 'Messenger page access token, app secret and webhook verify token',
      issuedByMeta: ['pageAccessToken', 'appSecret'],
      rotation:
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
    this.webhook = new AppFunction(this, 'MessengerWebhook', {
      ...common,
      entry: 'messenger-webhook',
    }).bindSecret(this.secret, secretsKey);
    bindConversationTables(this.webhook, tables);

    this.notifyCustomer = new AppFunction(this, 'NotifyCustomer', { ...common, entry: 'notify-customer' })
      .bindSecret(this.secret, secretsKey)
      .bindTable('alerts', tables.get('alerts'), [
        ...tableAccess.get,
        ...tableAccess.update,
        ...tableAccess.delete,
      ])
      .bindTable('subscribers', tables.get('subscribers'), tableAccess.get)
      .bindTable('banks', tables.get('banks'), tableAccess.get)
      // The erasure markers (docs/security.md, "Erasure").
      .bindTable('activity', tables.get('activity'), tableAccess.get)
      .consumeStream(tables.get('alerts'), notifyStream, deadLetters, ['INSERT', 'MODIFY']);

    new CfnOutput(Stack.of(this), 'MessengerSecretName', {
      value: this.secret.secretName,
      description: 'Set pageAccessToken and appSecret here; give Meta the verifyToken',
    });
  }
}

/**
 * What a Meta webhook function (Messenger's or WhatsApp's) reads and writes: consent and
 * takeovers, answers, the customer's own controls, each delivery once.
 */
export function bindConversationTables(fn: AppFunction, tables: Tables): AppFunction {
  return (
    fn
      .bindTable('enrollments', tables.get('enrollments'), tableAccess.update)
      .bindTable(
        'subscribers',
        tables.get('subscribers'),
        [...tableAccess.get, ...tableAccess.put, ...tableAccess.update, ...tableAccess.delete],
        ['byPsid', 'byPendingPsid'],
      )
      .bindTable(
        'alerts',
        tables.get('alerts'),
        // Delete: an answer closes the customer's open fraud check item with it. An alert is
        // found by its customer and ref (byRef: alerts written before that index, until migrated).
        [...tableAccess.get, ...tableAccess.update, ...tableAccess.delete],
        ['byCustomerRef', 'byRef'],
      )
      // The customer's own controls: their preferences, the bank's currency, and the callback.
      .bindTable('thresholds', tables.get('thresholds'), [
        ...tableAccess.get,
        ...tableAccess.put,
        ...tableAccess.delete,
      ])
      .bindTable('callbacks', tables.get('callbacks'), tableAccess.put)
      .bindTable('inbound', tables.get('inbound'), [...tableAccess.put, ...tableAccess.delete])
      .bindTable('banks', tables.get('banks'), tableAccess.get)
  );
}
