import type { Logger } from '@aws-lambda-powertools/logger';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type * as z from '../domain/zod.ts';

/** A table stream record, its images read with the table's schema. */
export interface StreamChange<Item> {
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE' | undefined;
  /** The item before the change (streams with old images). */
  readonly before?: Item;
  /** The item after the change (absent on REMOVE). */
  readonly after?: Item;
}

/** A stream record whose image is not an item of its table: reported as that record's failure. */
export class InvalidStreamRecordError extends Error {
  override readonly name = 'InvalidStreamRecordError';
  constructor(
    readonly image: 'NewImage' | 'OldImage',
    /** Paths and codes only: never the values, which may be personal data. */
    readonly problems: readonly string[],
  ) {
    super(`Invalid ${image} in stream record: ${problems.join('; ')}`);
  }
}

/**
 * Unmarshalls and validates a record's images with the schema of its table. An image that does
 * not match throws InvalidStreamRecordError (logged with the record's id and the failing paths),
 * never a cast.
 */
export function readStreamRecord<Schema extends z.ZodMiniType>(
  record: DynamoDBRecord,
  schema: Schema,
  log?: Logger,
): StreamChange<z.output<Schema>> {
  const read = (name: 'NewImage' | 'OldImage') => {
    const image = record.dynamodb?.[name];
    if (image === undefined) return undefined;
    const result = schema.safeParse(unmarshall(image as Record<string, AttributeValue>));
    if (result.success) return result.data as z.output<Schema>;
    // A path and a code (or, for an item read by its shape, the original code): never a value.
    const problems = result.error.issues.map(
      (issue) =>
        `${issue.path.join('.') || '(item)'}: ${issue.code === 'custom' ? issue.message : issue.code}`,
    );
    log?.error('invalid stream record', { eventId: record.eventID, image: name, problems });
    throw new InvalidStreamRecordError(name, problems);
  };
  const after = read('NewImage');
  const before = read('OldImage');
  return {
    eventName: record.eventName,
    ...(before !== undefined && { before }),
    ...(after !== undefined && { after }),
  };
}
