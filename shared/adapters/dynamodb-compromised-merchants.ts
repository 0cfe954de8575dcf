import { createHash } from 'node:crypto';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CompromisedMerchants } from '../ports/compromised-merchants.ts';
import { conditionalWrite } from './conditional-write.ts';

const MARK_BUCKET = 'compromised';
const REPORTS_BUCKET = 'reports';
const REPORTER_PREFIX = 'r:';
/** Stale reporters removed per mark; more wait for the next one. */
const MAX_REMOVALS = 50;

/** A merchant as the table keys it: a digest of its key, so that no merchant name is stored. */
function merchantDigest(merchantKey: string): string {
  return createHash('sha256').update(merchantKey).digest('base64url');
}

/**
 * One item per reported merchant of a bank in the activity table (`<bankId>#merchant#<digest of
 * the merchant key>`, bucket `compromised`; a customer id never holds `#`, so it cannot collide
 * with a customer's items), one attribute per reporter (`r:<keyed hash>`: until when their report
 * counts). A mark is one UpdateItem, so concurrent marks never overwrite each other; reports that
 * stopped counting are removed on the next mark, and the item expires with its last report. Each
 * scored card-present transaction reads it once (0.5 RCU, eventually consistent).
 *
 * A second item per reporter (`<bankId>#reporter#<keyed hash>`, bucket `reports`) lists the
 * merchants they reported, so that erasing the customer removes their reports (`forget`).
 */
export class DynamoDbCompromisedMerchants implements CompromisedMerchants {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async mark(bankId: string, merchantKey: string, reporter: string, until: Date, now: Date): Promise<void> {
    const digest = merchantDigest(merchantKey);
    const expiresAt = Math.ceil(until.getTime() / 1000);
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.reportsKey(bankId, reporter),
        UpdateExpression: 'ADD merchants :merchant SET expiresAt = :expiresAt',
        ExpressionAttributeValues: { ':merchant': new Set([digest]), ':expiresAt': expiresAt },
      }),
    );
    const key = this.key(bankId, digest);
    const { Attributes = {} } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: 'SET #reporter = :until, expiresAt = :expiresAt',
        ExpressionAttributeNames: { '#reporter': `${REPORTER_PREFIX}${reporter}` },
        ExpressionAttributeValues: { ':until': until.getTime(), ':expiresAt': expiresAt },
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
      new GetCommand({ TableName: this.tableName, Key: this.key(bankId, merchantDigest(merchantKey)) }),
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

  async forget(bankId: string, reporter: string): Promise<void> {
    const reportsKey = this.reportsKey(bankId, reporter);
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: reportsKey, ConsistentRead: true }),
    );
    const merchants = (Item?.merchants as Set<string> | undefined) ?? new Set<string>();
    for (const digest of merchants) {
      // Only on an item that exists: a REMOVE would otherwise create an empty one.
      await conditionalWrite(
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: this.key(bankId, digest),
            UpdateExpression: 'REMOVE #reporter',
            ConditionExpression: 'attribute_exists(counterKey)',
            ExpressionAttributeNames: { '#reporter': `${REPORTER_PREFIX}${reporter}` },
          }),
        ),
      );
    }
    if (Item === undefined) return;
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: reportsKey }));
  }

  private key(bankId: string, digest: string) {
    return { counterKey: `${bankId}#merchant#${digest}`, bucket: MARK_BUCKET };
  }

  private reportsKey(bankId: string, reporter: string) {
    return { counterKey: `${bankId}#reporter#${reporter}`, bucket: REPORTS_BUCKET };
  }
}
