import { beforeAll } from 'vitest';
import { DynamoDbCustomerEraser } from '../../shared/adapters/dynamodb-customer-eraser.ts';
import { historyKeyOf } from '../../shared/adapters/dynamodb-customer-history.ts';
import { DynamoDbEventStore } from '../../shared/adapters/dynamodb-event-store.ts';
import { tableKeys } from '../../shared/runtime/table-definitions.ts';
import { erasureDuringScoringContract } from '../support/contracts/erasure-during-scoring.ts';
import { scoringPorts } from '../support/test-scoring.ts';
import { createTestTables, type TestTables } from '../support/test-tables.ts';

// The erasure as a condition of the customer history's write, on DynamoDB Local: an erasure at
// any point of a card transaction's scoring leaves only its marker (docs/security.md, "Erasure").

let tables: TestTables;

beforeAll(async () => {
  tables = await createTestTables();
});

erasureDuringScoringContract('DynamoDB', async () => {
  const { documentClient: client, names } = tables;
  const events = new DynamoDbEventStore(client, names.events);
  const eraser = new DynamoDbCustomerEraser(client, names);
  return {
    ports: scoringPorts(tables),
    store: async (event) => {
      await events.putIfAbsent(event);
    },
    erase: (bankId, customerId, erasureRef) => eraser.erase(bankId, customerId, erasureRef),
    // Every item of every table that names the customer or one of the events (a "scored" mark
    // that brought back an erased event would hold only its key and status), and anything on the
    // erasure ref's item but its key, the erasure time and the marker's expiry.
    leftovers: async (_bankId, customerId, erasureRef, eventIds) => {
      const left: unknown[] = [];
      for (const table of tableKeys) {
        for (const item of await tables.scan(table)) {
          const text = JSON.stringify(item);
          if (text.includes(customerId) || eventIds.some((id) => text.includes(id)))
            left.push({ table, item });
          if (table === 'activity' && item.counterKey === historyKeyOf(erasureRef).counterKey) {
            const extra = Object.keys(item).filter(
              (name) => !['counterKey', 'bucket', 'erasedAt', 'expiresAt'].includes(name),
            );
            if (extra.length > 0) left.push({ table, marker: extra });
          }
        }
      }
      return left;
    },
  };
});
