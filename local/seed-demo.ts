import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { parseCallbackUrl } from '../shared/domain/callback-url.ts';
import { BUILT_IN_THRESHOLDS, type Thresholds } from '../shared/domain/thresholds.ts';
import type { TableNames } from './create-tables.ts';

export const DEMO_BANK_ID = 'demo-bank';
/** A customer seeded as subscribed, so that events for it are accepted before enrollment exists. */
export const DEMO_CUSTOMER_ID = 'cus_demo';

export interface DemoBank {
  readonly bankId: string;
  readonly callbackUrl: string;
  /** The demo bank offers WhatsApp too, from this number (docs/channels.md). */
  readonly whatsapp?: { readonly phoneNumberId: string; readonly displayNumber: string };
}

/** The demo bank's approved WhatsApp utility template (the emulator accepts any name). */
export const DEMO_WHATSAPP_TEMPLATE = {
  name: 'vigil_fraud_check',
  language: 'en_US',
  parameters: ['bankName', 'cardLast4', 'amount', 'merchant', 'time'],
} as const;

/**
 * The demo bank's default thresholds, the example of docs/contract.md#thresholds: Vigil's defaults for a French
 * bank, whose customers pay mostly in France.
 */
export const DEMO_THRESHOLDS: Thresholds = { ...BUILT_IN_THRESHOLDS, homeCountries: ['FR'] };

/** Seeds `demo-bank`, its thresholds and one subscribed demo customer into local mode's tables. */
export async function seedDemo(
  client: DynamoDBDocumentClient,
  tables: TableNames,
  bank: DemoBank,
): Promise<void> {
  const now = new Date().toISOString();
  await client.send(
    new PutCommand({
      TableName: tables.banks,
      Item: {
        bankId: bank.bankId,
        name: 'Demo Bank',
        // Local mode: loopback allowed, and only that (shared/domain/callback-url.ts).
        callbackUrl: parseCallbackUrl(bank.callbackUrl, { allowLoopback: true }).toString(),
        locale: 'en_US',
        alertExpiryMinutes: 60,
        ...(bank.whatsapp !== undefined && {
          channels: ['messenger', 'whatsapp'],
          whatsapp: { ...bank.whatsapp, template: DEMO_WHATSAPP_TEMPLATE },
        }),
        createdAt: now,
      },
    }),
  );
  await client.send(
    new PutCommand({
      TableName: tables.thresholds,
      Item: { bankId: bank.bankId, scope: 'default', thresholds: DEMO_THRESHOLDS, updatedAt: now },
    }),
  );
  await client.send(
    new PutCommand({
      TableName: tables.subscribers,
      Item: {
        bankId: bank.bankId,
        customerId: DEMO_CUSTOMER_ID,
        psid: 'psid_demo',
        status: 'active',
        locale: 'en_US',
        consentedAt: now,
        consentVersion: 'local-seed',
        enrollmentId: 'enr_local_seed',
        // As if the demo customer had just written to the page: alerts go out as normal messages.
        lastInboundAt: now,
        updatedAt: now,
      },
    }),
  );
}
