import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/**
 * One failed stream batch, as Lambda's on-failure destination (or local mode's poller) describes
 * it: which function, which shard and sequence range, never the records themselves.
 */
export interface DeadLetter {
  readonly id: string;
  readonly functionName: string;
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly batchSize: number;
  readonly condition: string;
  readonly error?: string;
  /** When the batch gave up: what it holds was written before. */
  readonly failedAt: string;
}

/** Where a target keeps its dead letters: the stack's SQS queue, or local mode's file. */
export interface DeadLetterBox {
  readonly location: string;
  /** Every dead letter, held back from other readers until removed or released. */
  list(): Promise<DeadLetter[]>;
  /** Removes listed dead letters; returns how many. */
  remove(ids: readonly string[]): Promise<number>;
  /** Makes listed dead letters that were not removed visible again. */
  release(): Promise<void>;
}

/** Local mode: `.vigil/dead-letters.jsonl`, one JSON line per failed batch (local/stream-poller.ts). */
export class FileDeadLetters implements DeadLetterBox {
  constructor(readonly location: string) {}

  async list(): Promise<DeadLetter[]> {
    return (await this.lines()).map(({ id, letter }) => ({
      id,
      functionName: String(letter.functionName ?? ''),
      shardId: String(letter.shardId ?? ''),
      startSequenceNumber: String(letter.startSequenceNumber ?? ''),
      endSequenceNumber: String(letter.endSequenceNumber ?? ''),
      batchSize: Number(letter.batchSize ?? 0),
      condition: String(letter.condition ?? ''),
      ...(typeof letter.error === 'string' && { error: letter.error }),
      failedAt: String(letter.timestamp ?? ''),
    }));
  }

  async remove(ids: readonly string[]): Promise<number> {
    const lines = await this.lines();
    const kept = lines.filter((line) => !ids.includes(line.id));
    await writeFile(this.location, kept.map((line) => `${line.text}\n`).join(''));
    return lines.length - kept.length;
  }

  async release(): Promise<void> {
    // A file has no visibility: nothing to release.
  }

  private async lines() {
    const text = await readFile(this.location, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line, index) => ({
        // The same line twice (identical batches) still gets two ids.
        id: `dl_${createHash('sha256').update(`${index}:${line}`).digest('hex').slice(0, 16)}`,
        text: line,
        letter: JSON.parse(line) as Record<string, unknown>,
      }));
  }
}

/** At most this many dead letters are read at once (SQS gives 10 a call). */
const MAX_LETTERS = 1000;
/** Long enough to redrive what was listed before the messages show again. */
const HOLD_SECONDS = 300;

/** A deployed stage: the stack's dead-letter queue (output DeadLetterQueueUrl). */
export class SqsDeadLetters implements DeadLetterBox {
  private readonly held = new Map<string, string>();

  constructor(
    private readonly sqs: SQSClient,
    readonly location: string,
  ) {}

  async list(): Promise<DeadLetter[]> {
    const letters: DeadLetter[] = [];
    // Short polls sample the queue's servers: stop after two empty answers in a row.
    for (let empty = 0; empty < 2 && letters.length < MAX_LETTERS; ) {
      const { Messages = [] } = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.location,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: HOLD_SECONDS,
          WaitTimeSeconds: 0,
        }),
      );
      empty = Messages.length === 0 ? empty + 1 : 0;
      for (const message of Messages) {
        if (message.MessageId === undefined || message.ReceiptHandle === undefined) continue;
        this.held.set(message.MessageId, message.ReceiptHandle);
        letters.push(fromLambdaDestination(message.MessageId, message.Body ?? '{}'));
      }
    }
    return letters;
  }

  async remove(ids: readonly string[]): Promise<number> {
    let removed = 0;
    for (const id of ids) {
      const handle = this.held.get(id);
      if (handle === undefined) continue;
      await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.location, ReceiptHandle: handle }));
      this.held.delete(id);
      removed++;
    }
    return removed;
  }

  async release(): Promise<void> {
    for (const handle of this.held.values()) {
      await this.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.location,
          ReceiptHandle: handle,
          VisibilityTimeout: 0,
        }),
      );
    }
    this.held.clear();
  }
}

/** Lambda's on-failure record for a stream batch: requestContext, responseContext, DDBStreamBatchInfo. */
function fromLambdaDestination(id: string, body: string): DeadLetter {
  let record: {
    timestamp?: string;
    requestContext?: { functionArn?: string; condition?: string };
    responseContext?: { functionError?: string };
    DDBStreamBatchInfo?: {
      shardId?: string;
      startSequenceNumber?: string;
      endSequenceNumber?: string;
      batchSize?: number;
    };
  } = {};
  try {
    record = JSON.parse(body);
  } catch {
    // Not a Lambda record: shown with what is known.
  }
  const batch = record.DDBStreamBatchInfo ?? {};
  const error = record.responseContext?.functionError;
  return {
    id,
    functionName: functionNameOf(record.requestContext?.functionArn ?? ''),
    shardId: batch.shardId ?? '',
    startSequenceNumber: batch.startSequenceNumber ?? '',
    endSequenceNumber: batch.endSequenceNumber ?? '',
    batchSize: batch.batchSize ?? 0,
    condition: record.requestContext?.condition ?? '',
    ...(error !== undefined && { error }),
    failedAt: record.timestamp ?? '',
  };
}

/** `arn:aws:lambda:eu-west-1:123:function:name[:qualifier]` → `name`. */
function functionNameOf(arn: string): string {
  const parts = arn.split(':');
  const at = parts.indexOf('function');
  return at === -1 ? arn : (parts[at + 1] ?? '');
}
