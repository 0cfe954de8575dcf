import { appendFile } from 'node:fs/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import * as notifyBank from '../functions/notify-bank.ts';
import * as notifyCustomer from '../functions/notify-customer.ts';
import * as scoreBankEvent from '../functions/score-bank-event.ts';
import { callbackStream, notifyStream, scoringStream } from '../shared/runtime/stream-settings.ts';
import type { TableNames } from './create-tables.ts';
import { type LocalEnvironment, localHandler } from './local-functions.ts';
import { type StreamPoller, startStreamPoller } from './stream-poller.ts';

export interface LocalStreamsOptions {
  readonly dynamoDb: DynamoDBClient;
  readonly streams: DynamoDBStreamsClient;
  readonly tables: TableNames;
  /** Dead letters are appended here as JSON lines, and announced on stderr. */
  readonly deadLetterFile: string;
  /** The functions' environment in local mode. */
  readonly env: LocalEnvironment;
}

/**
 * The event source mappings of the stack, in local mode: each table stream feeds the function
 * module Lambda runs, built with local mode's environment.
 */
export async function startLocalStreams(options: LocalStreamsOptions): Promise<StreamPoller[]> {
  const notifyBankHandler = localHandler(notifyBank, options.env);
  const onDeadLetter = async (letter: object) => {
    process.stderr.write(`dead letter: ${JSON.stringify(letter)}\n`);
    await appendFile(options.deadLetterFile, `${JSON.stringify(letter)}\n`);
  };
  return Promise.all([
    startStreamPoller({
      dynamoDb: options.dynamoDb,
      streams: options.streams,
      tableName: options.tables.events,
      functionName: 'score-bank-event',
      handler: localHandler(scoreBankEvent, options.env),
      settings: scoringStream,
      onDeadLetter,
    }),
    startStreamPoller({
      dynamoDb: options.dynamoDb,
      streams: options.streams,
      tableName: options.tables.alerts,
      functionName: 'notify-customer',
      handler: localHandler(notifyCustomer, options.env),
      settings: notifyStream,
      onDeadLetter,
    }),
    ...(['alerts', 'subscribers'] as const).map((table) =>
      startStreamPoller({
        dynamoDb: options.dynamoDb,
        streams: options.streams,
        tableName: options.tables[table],
        functionName: 'notify-bank',
        handler: notifyBankHandler,
        settings: callbackStream,
        onDeadLetter,
      }),
    ),
  ]);
}
