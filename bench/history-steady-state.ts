// npx tsx bench/history-steady-state.ts: DynamoDB units of one customer history record in the
// steady state (the bench's capacity figures are for new customers): 90 days of card transactions
// recorded for a customer, 3 or 10 a day, then the units of ten more records, on DynamoDB Local.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTables, tableNamesWithPrefix } from '../local/create-tables.ts';
import { startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { localAwsConfig } from '../local/local-stack.ts';
import { DynamoDbCustomerHistory } from '../shared/adapters/dynamodb-customer-history.ts';
import { BUILT_IN_THRESHOLDS, historySettings } from '../shared/domain/thresholds.ts';

const DAY = 86_400_000;
const countries = ['FR', 'BE', 'DE', 'ES', 'IT', 'NL', 'PT', 'GB'];
const settings = { currency: 'EUR', ...historySettings(BUILT_IN_THRESHOLDS) };
const end = Date.parse('2026-11-30T00:00:00Z');

const local = await startDynamoDbLocal();
try {
  const client = new DynamoDBClient(localAwsConfig(local.endpoint));
  const names = tableNamesWithPrefix('steady');
  await createTables(client, names);
  const units = { read: 0, write: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity;
      if (/^Get/.test(context.commandName ?? '')) units.read += consumed?.CapacityUnits ?? 0;
      else units.write += consumed?.CapacityUnits ?? 0;
      return result;
    },
    { step: 'initialize', name: 'steadyStateMeter' },
  );
  const history = new DynamoDbCustomerHistory(DynamoDBDocumentClient.from(client), names.activity);
  for (const perDay of [3, 10]) {
    let n = 0;
    const record = async (at: number) => {
      n++;
      const amount = 500 + ((n * 7919) % 9000);
      await history.record(
        'demo-bank',
        `cus_steady_${perDay}`,
        {
          eventId: `evt_${n.toString(36).padStart(8, '0')}a1b2c3d4e5f6`,
          at,
          amount,
          currency: 'EUR',
          authorized: true,
        },
        {
          at,
          amount,
          currency: 'EUR',
          country: countries[n % countries.length] ?? 'FR',
          mcc: String(5000 + (n % 60)),
          authorized: true,
          probe: false,
        },
        settings,
        new Date(at),
        // The decision every entry keeps, as a normal transaction's (a score, no reasons).
        () => ({ score: 0, alert: false, reasons: [] }),
      );
    };
    for (let day = 89; day >= 0; day--)
      for (let i = 0; i < perDay; i++) await record(end - day * DAY - (perDay - i) * 3_600_000);
    units.read = 0;
    units.write = 0;
    for (let k = 0; k < 10; k++) await record(end + k * 60_000);
    process.stdout.write(
      `${JSON.stringify({ perDay, perRecord: { rcu: units.read / 10, wcu: units.write / 10 } })}\n`,
    );
  }
} finally {
  await local.stop();
}
