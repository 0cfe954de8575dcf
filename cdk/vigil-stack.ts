import { Annotations, Stack, type StackProps } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { Api } from './constructs/api.ts';
import { BankFunctions } from './constructs/bank-functions.ts';
import { Callbacks } from './constructs/callbacks.ts';
import { DeadLetters } from './constructs/dead-letters.ts';
import { Edge } from './constructs/edge.ts';
import { EncryptionKey } from './constructs/encryption-key.ts';
import { Messenger } from './constructs/messenger.ts';
import { Observability } from './constructs/observability.ts';
import { OperatorPolicy } from './constructs/operator-policy.ts';
import { Scoring } from './constructs/scoring.ts';
import { Tables } from './constructs/tables.ts';
import { WhatsApp } from './constructs/whatsapp.ts';
import { PLACEHOLDER_PAGE_ID, type StageConfig } from './stage-config.ts';

export interface VigilStackProps extends StackProps {
  readonly config: StageConfig;
}

/** Vigil in one stack: it composes the constructs and holds no logic of its own. */
export class VigilStack extends Stack {
  constructor(scope: Construct, id: string, props: VigilStackProps) {
    super(scope, id, props);
    const { config } = props;
    if (config.messengerPageId === PLACEHOLDER_PAGE_ID) {
      // Said at every synth and deploy: alerts would go out for a page that is not yours.
      Annotations.of(this).addWarningV2(
        'vigil:placeholder-page-id',
        `messengerPageId is cdk.json's placeholder ${PLACEHOLDER_PAGE_ID}: deploy with -c messengerPageId=<your page id> (docs/operator-guide.md).`,
      );
    }
    const { key, secretsKey } = new EncryptionKey(this, 'Encryption', config.stage);
    const tables = new Tables(this, 'Tables', { stage: config.stage, key });
    tables.outputNames(['banks', 'events', 'alerts', 'callbacks', 'thresholds', 'activity']);
    const deadLetters = new DeadLetters(this, 'DeadLetters', key).queue;
    const bank = new BankFunctions(this, 'Bank', { config, key, secretsKey, tables });
    const messenger = new Messenger(this, 'Messenger', { config, key, secretsKey, tables, deadLetters });
    const whatsapp = new WhatsApp(this, 'WhatsApp', { config, key, secretsKey, tables });
    // Both send on either channel: alerts, and the notice to a subscription's previous person.
    messenger.notifyCustomer.bindSecret(whatsapp.secret, secretsKey);
    messenger.webhook.bindSecret(whatsapp.secret, secretsKey);
    const { reporterKey } = bank;
    const scoring = new Scoring(this, 'Scoring', {
      config,
      key,
      secretsKey,
      reporterKey,
      tables,
      deadLetters,
    });
    const callbacks = new Callbacks(this, 'Callbacks', {
      config,
      key,
      secretsKey,
      reporterKey,
      tables,
      deadLetters,
    });
    const { api } = new Api(this, 'Api', {
      config,
      key,
      functions: {
        'receive-bank-event': bank.receiveBankEvent,
        'bank-admin': bank.bankAdmin,
        'messenger-webhook': messenger.webhook,
        'whatsapp-webhook': whatsapp.webhook,
      },
    });
    const edge = new Edge(this, 'Edge', { config, api });
    const streamConsumers = [scoring.scoreTransaction, messenger.notifyCustomer, callbacks.notifyBank];
    // Kept for the stream consumers and the callbacks' retrier whatever the API's functions use: an
    // ingest flood cannot starve scoring, alerts or callbacks.
    for (const consumer of [...streamConsumers, callbacks.deliverCallbacks]) {
      const id = consumer.node.id as keyof StageConfig['reservedConcurrency'];
      (consumer.function.node.defaultChild as CfnFunction).reservedConcurrentExecutions =
        config.reservedConcurrency[id];
    }
    new OperatorPolicy(this, 'Operator', {
      stage: config.stage,
      key,
      secretsKey,
      tables,
      messengerSecret: messenger.secret,
      whatsappSecret: whatsapp.secret,
      deadLetters,
    });
    new Observability(this, 'Observability', {
      config,
      key,
      functions: [
        bank.receiveBankEvent,
        bank.bankAdmin,
        messenger.webhook,
        whatsapp.webhook,
        ...streamConsumers,
        callbacks.deliverCallbacks,
        callbacks.expireAlerts,
      ],
      streamConsumers,
      deadLetters,
      edge,
    });
  }
}
