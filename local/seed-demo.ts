import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Thresholds } from '../shared/domain/thresholds.ts';
import type { TableNames } from './create-tables.ts';

export const DEMO_BANK_ID = 'demo-bank';
/** A customer seeded as subscribed, so that events for it are accepted before enrollment exists. */
export const DEMO_CUSTOMER_ID = 'cus_demo';

export interface DemoBank {
  readonly bankId: string;
  readonly callbackUrl: string;
}

/**
 * The demo bank's default thresholds, the example of SPEC §1.3: a French bank whose customers
 * rarely spend over €500 at once or €1,500 a day, pay mostly in France, and seldom online.
 */
export const DEMO_THRESHOLDS: Thresholds = {
  currency: 'EUR',
  singleTransactionAmount: 50_000,
  dailySpendAmount: 150_000,
  velocity: { count: 5, windowMinutes: 10 },
  homeCountries: ['FR'],
  riskyMerchantCategories: ['7995', '6051', '4829'],
  cardNotPresentAmount: 20_000,
  lowBalanceAmount: 10_000,
  alertScore: 50,
  weights: {
    singleTransaction: 50,
    dailySpend: 30,
    velocity: 40,
    foreignCountry: 30,
    riskyMerchant: 50,
    cardNotPresent: 20,
    declined: 10,
  },
};

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
        callbackUrl: bank.callbackUrl,
        locale: 'en_US',
        alertExpiryMinutes: 60,
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
