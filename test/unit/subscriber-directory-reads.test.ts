import type { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbSubscriberDirectory } from '../../shared/adapters/dynamodb-subscriber-directory.ts';

/**
 * A subscribers table whose eventually consistent reads lag: they answer `stale` while strongly
 * consistent reads answer `current`. Records every read's consistency.
 */
function laggingTable(stale: string | undefined, current: string | undefined) {
  const reads: boolean[] = [];
  const client = {
    send: async (command: GetCommand) => {
      const consistent = command.input.ConsistentRead === true;
      reads.push(consistent);
      const status = consistent ? current : stale;
      return { Item: status === undefined ? undefined : { status } };
    },
  } as unknown as DynamoDBDocumentClient;
  return { directory: new DynamoDbSubscriberDirectory(client, 'subscribers'), reads };
}

describe('DynamoDbSubscriberDirectory reads', () => {
  it('answers an active subscription from one eventually consistent read', async () => {
    const { directory, reads } = laggingTable('active', 'active');
    expect(await directory.isSubscribed('acme', 'cus_1')).toBe(true);
    expect(reads).toEqual([false]);
  });

  it('does not ignore a customer who has just agreed: a stale "absent" is read again consistently', async () => {
    const { directory, reads } = laggingTable(undefined, 'active');
    expect(await directory.isSubscribed('acme', 'cus_1')).toBe(true);
    expect(reads).toEqual([false, true]);
  });

  it('does not ignore a customer whose consent the stale copy still shows pending', async () => {
    const { directory, reads } = laggingTable('pending_consent', 'active');
    expect(await directory.isSubscribed('acme', 'cus_1')).toBe(true);
    expect(reads).toEqual([false, true]);
  });

  it('answers "not subscribed" only from a consistent read', async () => {
    const absent = laggingTable(undefined, undefined);
    expect(await absent.directory.isSubscribed('acme', 'cus_1')).toBe(false);
    expect(absent.reads).toEqual([false, true]);
    const revoked = laggingTable('revoked', 'revoked');
    expect(await revoked.directory.isSubscribed('acme', 'cus_1')).toBe(false);
    expect(revoked.reads).toEqual([false, true]);
  });

  it('fails when a read fails, rather than answering', async () => {
    const client = {
      send: async () => {
        throw new Error('ProvisionedThroughputExceededException');
      },
    } as unknown as DynamoDBDocumentClient;
    await expect(
      new DynamoDbSubscriberDirectory(client, 'subscribers').isSubscribed('acme', 'c'),
    ).rejects.toThrow('ProvisionedThroughputExceededException');
  });
});
