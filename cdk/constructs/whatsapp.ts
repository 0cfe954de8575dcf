import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { whatsappSecretName } from '../../shared/adapters/secret-store-whatsapp-secrets.ts';
import { AppFunction } from '../app-function.ts';
import type { StageConfig } from '../stage-config.ts';
import { bindConversationTables, metaChannelSecret } from './messenger.ts';
import type { Tables } from './tables.ts';

export interface WhatsAppProps {
  readonly config: StageConfig;
  readonly key: IKey;
  readonly secretsKey: IKey;
  readonly tables: Tables;
}

/**
 * The WhatsApp channel (docs/channels.md, "WhatsApp"): its webhook for customers' messages and
 * message statuses, and its secret (Cloud API access token, app secret, webhook verify token),
 * which the functions that send (notify-customer, the Messenger webhook's replies to a moved
 * subscription) read too. The banks' phone numbers are bank settings, not stack settings.
 */
export class WhatsApp extends Construct {
  readonly secret: Secret;
  readonly webhook: AppFunction;

  constructor(scope: Construct, id: string, { config, key, secretsKey, tables }: WhatsAppProps) {
    super(scope, id);
    const prefix = `vigil/${config.stage}`;
    this.secret = metaChannelSecret(this, {
      stage: config.stage,
      encryptionKey: secretsKey,
      name: whatsappSecretName(prefix),
      description: 'WhatsApp Cloud API access token, app secret and webhook verify token',
      issuedByMeta: ['accessToken', 'appSecret'],
      rotation:
        'Meta issues the access token and app secret; they are rotated in Meta’s console, not by a Lambda.',
    });

    this.webhook = new AppFunction(this, 'WhatsAppWebhook', {
      stage: config.stage,
      key,
      logLevel: config.logLevel,
      entry: 'whatsapp-webhook',
      environment: {
        SECRET_PREFIX: prefix,
        GRAPH_API_BASE_URL: 'https://graph.facebook.com',
        GRAPH_API_VERSION: config.graphApiVersion,
        MESSENGER_PAGE_ID: config.messengerPageId,
      },
    }).bindSecret(this.secret, secretsKey);
    bindConversationTables(this.webhook, tables);

    new CfnOutput(Stack.of(this), 'WhatsAppSecretName', {
      value: this.secret.secretName,
      description: 'Set accessToken and appSecret here; give Meta the verifyToken',
    });
  }
}
