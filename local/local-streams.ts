import { appendFile } from 'node:fs/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { callbackStream, notifyStream, scoringStream } from '../shared/runtime/stream-settings.ts';
import type { TableNames } from './create-tables.ts';
import { type StreamPoller, startStreamPoller } from './stream-poller.ts';

export interface LocalStreamsOptions {
  readonly dynamoDb: DynamoDBClient;
  readonly streams: DynamoDBStreamsClient;
  readonly tables: TableNames;
  /** Dead letters are appended here as JSON lines, and announced on stderr. */
  readonly deadLetterFile: string;
}

/**
 * The event source mappings of the stack, in local mode: each table stream feeds the function
 * module Lambda runs. Imported lazily, after local mode has set the functions' environment.
 */
export async function startLocalStreams(options: LocalStreamsOptions): Promise<StreamPoller[]> {
  const scoreTransaction = await import('../functions/score-transaction.ts');
  const notifyCustomer = await import('../functions/notify-customer.ts');
  const notifyBank = await import('../functions/notify-bank.ts');
  const deliverCallbacks = await import('../functions/deliver-callbacks.ts');
  const onDeadLetter = async (letter: object) => {
    process.stderr.write(`dead letter: ${JSON.stringify(letter)}\n`);
    await appendFile(options.deadLetterFile, `${JSON.stringify(letter)}\n`);
  };
  return Promise.all([
    startStreamPoller({
      dynamoDb: options.dynamoDb,
      streams: options.streams,
      tableName: options.tables.events,
      functionName: 'score-transaction',
      handler: scoreTransaction.handler,
      settings: scoringStream,
      onDeadLetter,
    }),
    startStreamPoller({
      dynamoDb: options.dynamoDb,
      streams: options.streams,
      tableName: options.tables.alerts,
      functionName: 'notify-customer',
      handler: notifyCustomer.handler,
      settings: notifyStream,
      onDeadLetter,
    }),
    ...(['alerts', 'subscribers'] as const).map((table) =>
      startStreamPoller({
        dynamoDb: options.dynamoDb,
        streams: options.streams,
        tableName: options.tables[table],
        functionName: 'notify-bank',
        handler: notifyBank.handler,
        settings: callbackStream,
        onDeadLetter,
      }),
    ),
    startStreamPoller({
      dynamoDb: options.dynamoDb,
      streams: options.streams,
      tableName: options.tables.callbacks,
      functionName: 'deliver-callbacks',
      handler: deliverCallbacks.handler as never,
      settings: callbackStream,
      onDeadLetter,
    }),
  ]);
}
