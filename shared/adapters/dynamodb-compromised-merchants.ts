import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CompromisedMerchants } from '../ports/compromised-merchants.ts';

const MARK_BUCKET = 'compromised';
const REPORTER_PREFIX = 'r:';
/** Stale reporters removed per mark; more wait for the next one. */
const MAX_REMOVALS = 50;

/**
 * One item per reported merchant of a bank in the activity table (`<bankId>#merchant#<key>`,
 * bucket `compromised`; a customer id never holds `#`, so it cannot collide with a customer's
 * items), one attribute per reporter (`r:<hash>`: until when their report counts). A mark is one
 * UpdateItem, so concurrent marks never overwrite each other; reports that stopped counting are
 * removed on the next mark, and the item expires with its last report. Each scored card
 * transaction reads it once (0.5 RCU, eventually consistent).
 */
export class DynamoDbCompromisedMerchants implements CompromisedMerchants {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async mark(bankId: string, merchantKey: string, reporter: string, until: Date, now: Date): Promise<void> {
    const key = this.key(bankId, merchantKey);
    const { Attributes = {} } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: 'SET #reporter = :until, expiresAt = :expiresAt',
        ExpressionAttributeNames: { '#reporter': `${REPORTER_PREFIX}${reporter}` },
        ExpressionAttributeValues: {
          ':until': until.getTime(),
          ':expiresAt': Math.ceil(until.getTime() / 1000),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const stale = Object.entries(Attributes)
      .filter(
        ([name, value]) =>
          name.startsWith(REPORTER_PREFIX) && typeof value === 'number' && value <= now.getTime(),
      )
      .map(([name]) => name)
      .slice(0, MAX_REMOVALS);
    if (stale.length === 0) return;
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: `REMOVE ${stale.map((_, i) => `#s${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(stale.map((name, i) => [`#s${i}`, name])),
      }),
    );
  }

  async reporters(bankId: string, merchantKey: string, self: string, at: Date): Promise<number> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: this.key(bankId, merchantKey) }),
    );
    if (Item === undefined) return 0;
    const own = `${REPORTER_PREFIX}${self}`;
    let count = 0;
    for (const [name, until] of Object.entries(Item))
      if (
        name.startsWith(REPORTER_PREFIX) &&
        name !== own &&
        typeof until === 'number' &&
        until > at.getTime()
      )
        count++;
    return count;
  }

  private key(bankId: string, merchantKey: string) {
    return { counterKey: `${bankId}#merchant#${merchantKey}`, bucket: MARK_BUCKET };
  }
}
