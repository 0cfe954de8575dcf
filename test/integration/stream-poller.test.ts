import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { localAwsConfig } from '../../local/local-stack.ts';
import {
  type DeadLetter,
  type StreamHandler,
  type StreamPoller,
  startStreamPoller,
} from '../../local/stream-poller.ts';
import { createTestTables, type TestTables } from '../support/test-tables.ts';
import { waitFor } from '../support/wait-for.ts';

// Local mode's poller must fail the way Lambda's DynamoDB event source mapping does.

let tables: TestTables;
let poller: StreamPoller | undefined;
let deadLetters: DeadLetter[];
let deliveries: string[][];

beforeEach(async () => {
  tables = await createTestTables();
  deadLetters = [];
  deliveries = [];
});
afterEach(() => poller?.stop());

const keyOf = (record: DynamoDBStreamEvent['Records'][number]) => record.dynamodb?.Keys?.eventKey?.S ?? '';

async function start(handler: StreamHandler, batchSize = 10, parallelizationFactor = 1) {
  poller = await startStreamPoller({
    dynamoDb: tables.client,
    streams: new DynamoDBStreamsClient(localAwsConfig(inject('dynamoDbEndpoint'))),
    tableName: tables.names.events,
    functionName: 'test',
    handler: async (event, context) => {
      deliveries.push(event.Records.map(keyOf));
      return handler(event, context);
    },
    settings: {
      batchSize,
      bisectBatchOnFunctionError: true,
      retryAttempts: 2,
      maxRecordAgeSeconds: 60,
      parallelizationFactor,
    },
    onDeadLetter: (letter) => {
      deadLetters.push(letter);
    },
    pollIntervalMs: 20,
  });
}

async function put(...keys: string[]) {
  for (const eventKey of keys) {
    await tables.documentClient.send(new PutCommand({ TableName: tables.names.events, Item: { eventKey } }));
  }
}

describe('local stream poller', () => {
  it('runs batches side by side with a parallelization factor, each key in order, each record once', async () => {
    const seen = new Map<string, number[]>();
    let inFlight = 0;
    let mostInFlight = 0;
    await start(
      async (event) => {
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 40));
        for (const record of event.Records) {
          const key = keyOf(record);
          seen.set(key, [...(seen.get(key) ?? []), Number(record.dynamodb?.NewImage?.version?.N)]);
        }
        inFlight--;
        return { batchItemFailures: [] };
      },
      2,
      4,
    );
    const keys = Array.from({ length: 12 }, (_, i) => `k${i}`);
    for (let version = 0; version < 3; version++)
      for (const eventKey of keys)
        await tables.documentClient.send(
          new PutCommand({ TableName: tables.names.events, Item: { eventKey, version } }),
        );
    await waitFor(async () => ([...seen.values()].flat().length >= 36 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(mostInFlight).toBeGreaterThan(1);
    expect(mostInFlight).toBeLessThanOrEqual(4);
    for (const key of keys) expect(seen.get(key)).toEqual([0, 1, 2]);
  });

  it('delivers inserts in order, in Lambda’s event shape', async () => {
    const seen: DynamoDBStreamEvent['Records'] = [];
    await start(async (event) => {
      seen.push(...event.Records);
      return { batchItemFailures: [] };
    });
    await put('a', 'b', 'c');
    await waitFor(async () => (seen.length === 3 ? true : undefined));
    expect(seen.map(keyOf)).toEqual(['a', 'b', 'c']);
    expect(seen[0]).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventSourceARN: expect.stringContaining(tables.names.events),
      dynamodb: {
        Keys: { eventKey: { S: 'a' } },
        NewImage: { eventKey: { S: 'a' } },
        SequenceNumber: expect.any(String),
        ApproximateCreationDateTime: expect.any(Number),
      },
    });
  });

  it('retries a partial failure from the failed record, then dead-letters it and moves on', async () => {
    // Written before the poller starts, so that the batches are [one, bad, two] and [after].
    await put('one', 'bad', 'two', 'after');
    const done: string[] = [];
    await start(async (event) => {
      const failed = event.Records.filter((record) => keyOf(record) === 'bad');
      for (const record of event.Records) if (keyOf(record) !== 'bad') done.push(keyOf(record));
      return {
        batchItemFailures: failed.map((record) => ({
          itemIdentifier: record.dynamodb?.SequenceNumber ?? '',
        })),
      };
    }, 3);
    await waitFor(async () => (done.includes('after') && deadLetters.length === 1 ? true : undefined));
    // First delivery, then two retries from the failed record: three attempts in all.
    expect(deliveries.slice(0, 3)).toEqual([
      ['one', 'bad', 'two'],
      ['bad', 'two'],
      ['bad', 'two'],
    ]);
    expect(deadLetters[0]).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      batchSize: 2,
      functionName: 'test',
    });
    expect(new Set(done)).toEqual(new Set(['one', 'two', 'after']));
  });

  it('bisects a batch whose invocation fails until the bad record stands alone', async () => {
    await put('w', 'x', 'poison', 'y');
    const done: string[] = [];
    await start(async (event) => {
      if (event.Records.some((record) => keyOf(record) === 'poison')) throw new Error('boom');
      done.push(...event.Records.map(keyOf));
      return { batchItemFailures: [] };
    }, 4);
    await waitFor(async () => (deadLetters.length === 1 && done.length === 3 ? true : undefined));
    expect(deadLetters[0]).toMatchObject({ batchSize: 1, error: 'Error' });
    expect(done.sort()).toEqual(['w', 'x', 'y']);
    expect(deliveries.slice(0, 3)).toEqual([
      ['w', 'x', 'poison', 'y'],
      ['w', 'x'],
      ['poison', 'y'],
    ]);
    expect(deliveries.filter((batch) => batch.length === 1 && batch[0] === 'poison')).toHaveLength(3);
  });
});
