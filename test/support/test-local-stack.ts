import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { inject } from 'vitest';
import { findFreePort } from '../../local/dynamodb-local.ts';
import { type LocalStack, localAwsConfig, startLocalStack } from '../../local/local-stack.ts';
import { signAdminRequest } from '../../shared/domain/admin-signature.ts';
import { documentClientFor } from '../../shared/runtime/aws-clients.ts';
import type { TableKey } from '../../shared/runtime/table-definitions.ts';
import { type ScoredItem, scoredEvents } from './scored-events.ts';
import { waitFor } from './wait-for.ts';

export interface SentMessage {
  readonly receivedAt: string;
  /** The version in the Send API path Vigil called. */
  readonly graphApiVersion: string;
  readonly recipient: { readonly id: string };
  readonly messaging_type: string;
  readonly message: {
    readonly text?: string;
    readonly quick_replies?: readonly { readonly title: string; readonly payload: string }[];
    readonly template?: unknown;
  };
}

/** A callback as local mode's bank receiver kept it, signature verified. */
export interface ReceivedBankCallback {
  readonly webhookId: string;
  readonly body: { type: string; id: string; occurredAt: string; data: Record<string, unknown> };
}

/**
 * Local mode, in this process, on the run's DynamoDB Local with tables of its own: the bank API,
 * the Messenger webhook, the emulator and the stream pollers, driven over HTTP like a bank and a
 * Messenger user would.
 */
export async function startTestLocalStack() {
  const prefix = `l${randomUUID().slice(0, 8)}`;
  const stack: LocalStack = await startLocalStack({
    home: await mkdtemp(join(tmpdir(), 'vigil-local-')),
    port: await findFreePort(),
    emulatorPort: await findFreePort(),
    dynamoDbEndpoint: inject('dynamoDbEndpoint'),
    tablePrefix: prefix,
  });
  const { apiUrl, emulatorUrl } = stack.config;
  const bank = stack.config.banks[0];
  if (bank === undefined) throw new Error('no demo bank');
  const documents = documentClientFor(new DynamoDBClient(localAwsConfig(inject('dynamoDbEndpoint'))));

  const post = async (url: string, body: unknown) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await response.json()) as Record<string, unknown>;
  };

  return {
    stack,
    apiUrl,
    emulatorUrl,
    bank,
    /**
     * A bank API call signed as demo-bank: events with its event signing secret (Standard
     * Webhooks, `eventId` as webhook-id), other routes with its administration key (RFC 9421).
     */
    async callBank(method: string, path: string, body?: unknown, eventId = `evt_${randomUUID()}`) {
      const text = body === undefined ? '' : JSON.stringify(body);
      const timestamp = new Date();
      const url = `${apiUrl}/v1/banks/${bank.bankId}${path}`;
      const signature =
        path === '/events'
          ? {
              'webhook-id': eventId,
              'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
              'webhook-signature': new Webhook(bank.signingSecret).sign(eventId, timestamp, text),
            }
          : await signAdminRequest(bank.adminKey, { method, url, body: text });
      const response = await fetch(url, {
        method,
        headers: { ...(text !== '' && { 'content-type': 'application/json' }), ...signature },
        ...(text !== '' && { body: text }),
      });
      const answer = await response.text();
      return {
        status: response.status,
        body: answer === '' ? undefined : (JSON.parse(answer) as Record<string, unknown>),
      };
    },
    /** The callbacks the bank's receiver got, in order of arrival. */
    async callbacks(bankId = bank.bankId): Promise<ReceivedBankCallback[]> {
      return (await (
        await fetch(`${apiUrl}/__local/banks/${bankId}/callbacks`)
      ).json()) as ReceivedBankCallback[];
    },
    /** The demo bank's callbacks about one customer. */
    async callbacksFor(customerId: string): Promise<ReceivedBankCallback[]> {
      return (await this.callbacks()).filter((callback) => callback.body.data.customerId === customerId);
    },
    /** Enrolls the customer as the bank would and has the Messenger user agree. */
    async subscribe(customerId: string, psid: string, locale?: string): Promise<void> {
      const { body } = await this.callBank('POST', '/enrollments', {
        customerId,
        ...(locale !== undefined && { locale }),
      });
      await this.openLink(psid, String(body?.link));
      const [consent] = await this.waitForMessages(psid, 1);
      await this.say(psid, 'Agree', consent?.message.quick_replies?.[0]?.payload);
      await this.waitForMessages(psid, 2);
    },
    /** Every Send API body the emulator received for the user, oldest first. */
    async messages(psid: string): Promise<SentMessage[]> {
      return (await (await fetch(`${emulatorUrl}/__emulator/messages?psid=${psid}`)).json()) as SentMessage[];
    },
    /** Waits until the user has received `count` messages, and returns them. */
    async waitForMessages(psid: string, count: number): Promise<SentMessage[]> {
      return waitFor(
        async () => {
          const messages = await this.messages(psid);
          return messages.length >= count ? messages : undefined;
        },
        10_000,
        `${count} messages for ${psid}`,
      );
    },
    openLink: (psid: string, link: string) =>
      post(`${emulatorUrl}/__emulator/users/${psid}/referral`, {
        ref: new URL(link).searchParams.get('ref'),
      }),
    say: (psid: string, text: string, quickReplyPayload?: string, mid?: string) =>
      post(`${emulatorUrl}/__emulator/users/${psid}/messages`, {
        text,
        ...(quickReplyPayload !== undefined && { quickReplyPayload }),
        ...(mid !== undefined && { mid }),
      }),
    /** A whole webhook payload, signed and posted by the emulator as Meta would. */
    deliver: async (payload: unknown) =>
      (await post(`${emulatorUrl}/__emulator/webhook`, payload)) as { webhookStatus: number },
    faults: (responses: unknown[]) => post(`${emulatorUrl}/__emulator/faults`, { responses }),
    /** Every item of one of this stack's tables. */
    async scan(table: TableKey): Promise<Record<string, unknown>[]> {
      const { Items = [] } = await documents.send(
        new ScanCommand({ TableName: `${prefix}-${table}`, ConsistentRead: true }),
      );
      return Items;
    },
    /** The stored events that are scored, each with its alert's id if it raised one. */
    async scoredEvents(): Promise<ScoredItem[]> {
      const tables = { activity: `${prefix}-activity`, alerts: `${prefix}-alerts` };
      return scoredEvents(documents, tables, await this.scan('events'));
    },
    stop: () => stack.stop(),
  };
}

export type TestLocalStack = Awaited<ReturnType<typeof startTestLocalStack>>;
