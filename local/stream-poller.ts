import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { StreamSettings } from '../shared/runtime/stream-settings.ts';
import { lambdaContext } from './lambda-http-server.ts';

// Local mode's event source mapping: reads a table's stream from DynamoDB Local and feeds the
// same handler Lambda runs, with the same event shape and the same failure semantics: partial
// batch failures retry from the first failed record, a function error bisects the batch, and a
// batch that still fails after the retries goes to the dead letters (its metadata only, as
// Lambda's on-failure destination receives it) while the shard moves on; and with the
// parallelization factor, batches of different keys run side by side, each key's in order.

export type StreamHandler = (
  event: DynamoDBStreamEvent,
  context: Context,
) => Promise<DynamoDBBatchResponse | undefined>;

/** What Lambda sends to an on-failure destination: where the batch was, not what it held. */
export interface DeadLetter {
  readonly functionName: string;
  readonly streamArn: string;
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly batchSize: number;
  readonly condition: 'RetryAttemptsExhausted';
  readonly error: string;
  readonly timestamp: string;
}

export interface StreamPollerOptions {
  readonly dynamoDb: DynamoDBClient;
  readonly streams: DynamoDBStreamsClient;
  readonly tableName: string;
  readonly functionName: string;
  readonly handler: StreamHandler;
  readonly settings: StreamSettings;
  readonly onDeadLetter: (letter: DeadLetter) => Promise<void> | void;
  readonly pollIntervalMs?: number;
}

export interface StreamPoller {
  stop(): Promise<void>;
}

export async function startStreamPoller(options: StreamPollerOptions): Promise<StreamPoller> {
  const { Table } = await options.dynamoDb.send(new DescribeTableCommand({ TableName: options.tableName }));
  const streamArn = Table?.LatestStreamArn;
  if (streamArn === undefined) throw new Error(`Table ${options.tableName} has no stream.`);
  const interval = options.pollIntervalMs ?? 100;
  const readLimit = Math.min(1000, options.settings.batchSize * options.settings.parallelizationFactor);
  const controller = new AbortController();
  const readers = new Map<string, Promise<void>>();

  const discover = async () => {
    while (!controller.signal.aborted) {
      const { StreamDescription } = await options.streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn }),
      );
      for (const shard of StreamDescription?.Shards ?? []) {
        const shardId = shard.ShardId;
        if (shardId === undefined || readers.has(shardId)) continue;
        const parent = shard.ParentShardId === undefined ? undefined : readers.get(shard.ParentShardId);
        // A child shard is read once its parent is finished, to keep each key's records in order.
        readers.set(
          shardId,
          (parent ?? Promise.resolve()).then(() => readShard(shardId)),
        );
      }
      await sleep(1000, undefined, { signal: controller.signal }).catch(() => undefined);
    }
  };

  const readShard = async (shardId: string) => {
    let checkpoint: string | undefined;
    let iterator: string | undefined;
    while (!controller.signal.aborted) {
      try {
        iterator ??= (
          await options.streams.send(
            new GetShardIteratorCommand({
              StreamArn: streamArn,
              ShardId: shardId,
              ...(checkpoint === undefined
                ? { ShardIteratorType: 'TRIM_HORIZON' }
                : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: checkpoint }),
            }),
          )
        ).ShardIterator;
        if (iterator === undefined) return;
        // Up to `parallelizationFactor` batches at once, as Lambda reads a shard.
        const { Records = [], NextShardIterator } = await options.streams.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: readLimit }),
        );
        if (Records.length > 0) {
          await deliverInLanes(shardId, Records);
          checkpoint = Records.at(-1)?.dynamodb?.SequenceNumber ?? checkpoint;
        }
        if (NextShardIterator === undefined) return;
        iterator = NextShardIterator;
        if (Records.length === 0)
          await sleep(interval, undefined, { signal: controller.signal }).catch(() => undefined);
      } catch (error) {
        if (controller.signal.aborted) return;
        iterator = undefined;
        // DynamoDB Local invalidates an iterator taken on an empty shard once records arrive.
        const expected = error instanceof Error && error.name === 'TrimmedDataAccessException';
        // Otherwise reading failed (not the handler: deliver never throws): resume after the checkpoint.
        if (!expected) process.stderr.write(`stream ${options.tableName}: ${String(error)}; retrying\n`);
        await sleep(expected ? interval : 1000, undefined, { signal: controller.signal }).catch(
          () => undefined,
        );
      }
    }
  };

  const invoke = async (records: readonly StreamRecord[]) => {
    const event: DynamoDBStreamEvent = {
      Records: records.map((record) => toLambdaRecord(record, streamArn)),
    };
    return options.handler(event, lambdaContext(options.functionName, 60_000));
  };

  /**
   * Lambda's parallelization factor: the records are spread over `parallelizationFactor` lanes
   * by a hash of their key, so that records of one key keep their order in one lane; each lane
   * delivers its batches one after the other, the lanes side by side. The shard's checkpoint moves
   * once every lane is done.
   */
  const deliverInLanes = async (shardId: string, records: readonly StreamRecord[]) => {
    const lanes = Array.from({ length: options.settings.parallelizationFactor }, (): StreamRecord[] => []);
    for (const record of records) lanes[laneOf(record, lanes.length)]?.push(record);
    await Promise.all(
      lanes.map(async (lane) => {
        // Once stopping, no further batch starts: stop() waits only for the batches in flight.
        for (let i = 0; i < lane.length && !controller.signal.aborted; i += options.settings.batchSize)
          await deliver(shardId, lane.slice(i, i + options.settings.batchSize));
      }),
    );
  };

  /** Delivers a batch until it succeeds, bisecting on errors, or dead-letters what still fails. */
  const deliver = async (shardId: string, batch: readonly StreamRecord[]): Promise<void> => {
    let pending = batch;
    for (let attempt = 0; pending.length > 0 && !controller.signal.aborted; attempt++) {
      let failedFrom: number;
      let error: string;
      try {
        const failures = (await invoke(pending))?.batchItemFailures ?? [];
        if (failures.length === 0) return;
        const failed = new Set(failures.map((failure) => failure.itemIdentifier));
        failedFrom = pending.findIndex((record) => failed.has(record.dynamodb?.SequenceNumber ?? ''));
        if (failedFrom < 0) failedFrom = 0;
        error = 'batch item failures';
      } catch (thrown) {
        if (options.settings.bisectBatchOnFunctionError && pending.length > 1) {
          const half = Math.ceil(pending.length / 2);
          await deliver(shardId, pending.slice(0, half));
          await deliver(shardId, pending.slice(half));
          return;
        }
        failedFrom = 0;
        error = thrown instanceof Error ? thrown.name : 'error';
      }
      pending = pending.slice(failedFrom);
      if (attempt >= options.settings.retryAttempts) {
        await options.onDeadLetter({
          functionName: options.functionName,
          streamArn,
          shardId,
          startSequenceNumber: pending[0]?.dynamodb?.SequenceNumber ?? '',
          endSequenceNumber: pending.at(-1)?.dynamodb?.SequenceNumber ?? '',
          batchSize: pending.length,
          condition: 'RetryAttemptsExhausted',
          error,
          timestamp: new Date().toISOString(),
        });
        return;
      }
      await sleep(Math.min(50 * 2 ** attempt, 1000));
    }
  };

  const discovering = discover();
  return {
    async stop() {
      controller.abort();
      await discovering.catch(() => undefined);
      await Promise.allSettled(readers.values());
    },
  };
}

/** The lane of a record: a hash of its key attributes, stable for one key. */
export function laneOf(record: StreamRecord, lanes: number): number {
  const key = JSON.stringify(record.dynamodb?.Keys ?? {});
  let hash = 2166136261;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 16777619);
  return (hash >>> 0) % lanes;
}

/** The SDK's stream record in the shape of Lambda's DynamoDB stream event. */
function toLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const { ApproximateCreationDateTime, ...dynamodb } = record.dynamodb ?? {};
  return {
    ...(record.eventID !== undefined && { eventID: record.eventID }),
    ...(record.eventName !== undefined && { eventName: record.eventName }),
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion ?? 'local',
    eventSourceARN: streamArn,
    dynamodb: {
      ...(dynamodb as DynamoDBRecord['dynamodb']),
      ...(ApproximateCreationDateTime !== undefined && {
        ApproximateCreationDateTime: Math.floor(ApproximateCreationDateTime.getTime() / 1000),
      }),
    },
  };
}
