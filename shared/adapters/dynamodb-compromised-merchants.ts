import { createHash } from 'node:crypto';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CompromisedMerchants } from '../ports/compromised-merchants.ts';
import { conditionalWrite } from './conditional-write.ts';

const MARK_BUCKET = 'compromised';
const REPORTS_BUCKET = 'reports';
const SET_BUCKET = 'marked';
const REPORTER_PREFIX = 'r:';
const ENTRY_PREFIX = 'm:';
/** Characters of the merchant's digest an entry of the set keeps: a collision only costs a read. */
const ENTRY_DIGEST_LENGTH = 8;
/** Stale reporters removed per mark; more wait for the next one. */
const MAX_REMOVALS = 50;

/** How long a scorer uses a bank's set of marked merchants before reading it again. */
export const MARKED_SET_MAX_AGE_MS = 60_000;
/** Entries a bank's set holds (about 20 bytes each); past that, the soonest-ending go to `overflowUntil`. */
export const MAX_MARKED_ENTRIES = 1_000;

/** A bank's set as read: entry → until when (ms) some mark counts; and the overflow's end. */
interface MarkedSet {
  readonly entries: ReadonlyMap<string, number>;
  readonly overflowUntil: number;
}

/**
 * The sets read, shared by every instance of the process and keyed by table and bank: a mark made
 * in this process (local mode runs every function in one) makes the next read fresh, through the
 * key's generation; other processes (Lambda containers) see it when their copy is older than the
 * maximum age.
 */
const sets = new Map<
  string,
  { readonly set: MarkedSet; readonly readAt: number; readonly generation: number }
>();
const generations = new Map<string, number>();
const MAX_CACHED_SETS = 10_000;

/** A merchant as the table keys it: a digest of its key, so that no merchant name is stored. */
function merchantDigest(merchantKey: string): string {
  return createHash('sha256').update(merchantKey).digest('base64url');
}

const entryOf = (digest: string) => `${ENTRY_PREFIX}${digest.slice(0, ENTRY_DIGEST_LENGTH)}`;

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
 *
 * A third, one per bank (`<bankId>#marked#merchants`, bucket `marked`), is the set of merchants
 * marked now: an attribute per merchant (`m:` and 8 characters of its digest) holding until when
 * (seconds, rounded up) its latest report counts, updated by every mark, entries pruned once
 * ended, at most MAX_MARKED_ENTRIES of them (past that the soonest-ending leave, and
 * `overflowUntil` keeps the latest end among them: until then every merchant is read as before).
 * A scorer reads the set once a minute (MARKED_SET_MAX_AGE_MS) and a merchant's item only when the
 * set holds it, so a payment at an unmarked merchant reads nothing: a new report counts for other
 * scorers within about a minute (docs/scoring.md, "Confirmed fraud").
 */
export class DynamoDbCompromisedMerchants implements CompromisedMerchants {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: {
      readonly maxAgeMs?: number;
      readonly maxEntries?: number;
      readonly now?: () => number;
    } = {},
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
    if (stale.length > 0)
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `REMOVE ${stale.map((_, i) => `#s${i}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(stale.map((name, i) => [`#s${i}`, name])),
        }),
      );
    await this.addToSet(bankId, digest, until, now);
  }

  /**
   * Puts the merchant (by its digest) in the bank's set until `until`, unless it is there until
   * then or later already; prunes ended entries and, past the bound, moves the soonest-ending ones
   * to `overflowUntil`. Also what `vigil migrate` fills the set with from the marks of before.
   * True when the set was changed.
   */
  async addToSet(bankId: string, digest: string, until: Date, now: Date): Promise<boolean> {
    const key = this.setKey(bankId);
    let Attributes: Record<string, unknown> = {};
    const untilSeconds = Math.ceil(until.getTime() / 1000);
    const added = await conditionalWrite(
      this.client
        .send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'SET #entry = :until',
            ConditionExpression: 'attribute_not_exists(#entry) OR #entry < :until',
            ExpressionAttributeNames: { '#entry': entryOf(digest) },
            ExpressionAttributeValues: { ':until': untilSeconds },
            ReturnValues: 'ALL_NEW',
          }),
        )
        .then((output) => {
          Attributes = output.Attributes ?? {};
        }),
    );
    if (!added) return false;
    // Written: a set this process read before is stale from now on.
    const cacheKey = this.cacheKey(bankId);
    generations.set(cacheKey, (generations.get(cacheKey) ?? 0) + 1);
    const entries = Object.entries(Attributes).filter(
      (entry): entry is [string, number] => entry[0].startsWith(ENTRY_PREFIX) && typeof entry[1] === 'number',
    );
    const ended = entries.filter(([, end]) => end * 1000 <= now.getTime());
    const live = entries.filter(([, end]) => end * 1000 > now.getTime()).sort(([, a], [, b]) => a - b);
    const evicted = live.slice(0, Math.max(0, live.length - (this.options.maxEntries ?? MAX_MARKED_ENTRIES)));
    if (evicted.length > 0) {
      // First the overflow's end, so that no merchant leaves the set before it covers them.
      const overflowUntil = Math.max(...evicted.map(([, end]) => end));
      await conditionalWrite(
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'SET overflowUntil = :end',
            ConditionExpression: 'attribute_not_exists(overflowUntil) OR overflowUntil < :end',
            ExpressionAttributeValues: { ':end': overflowUntil },
          }),
        ),
      );
    }
    const removed = [...ended.slice(0, MAX_REMOVALS), ...evicted.slice(0, MAX_REMOVALS)];
    if (removed.length === 0) return true;
    // Only entries unchanged since read: one a concurrent mark extended stays (the next mark retries).
    await conditionalWrite(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `REMOVE ${removed.map((_, i) => `#e${i}`).join(', ')}`,
          ConditionExpression: removed.map((_, i) => `#e${i} = :e${i}`).join(' AND '),
          ExpressionAttributeNames: Object.fromEntries(removed.map(([name], i) => [`#e${i}`, name])),
          ExpressionAttributeValues: Object.fromEntries(removed.map(([, end], i) => [`:e${i}`, end])),
        }),
      ),
    );
    return true;
  }

  async reporters(bankId: string, merchantKey: string, self: string, at: Date): Promise<number> {
    const digest = merchantDigest(merchantKey);
    const set = await this.markedSet(bankId);
    // Not in the set, and not covered by its overflow: no report counts there (no read).
    if (
      set.overflowUntil * 1000 <= at.getTime() &&
      (set.entries.get(entryOf(digest)) ?? 0) * 1000 <= at.getTime()
    )
      return 0;
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: this.key(bankId, digest) }),
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

  /** The bank's set, as read at most the maximum age ago (and since the last mark of this process). */
  private async markedSet(bankId: string): Promise<MarkedSet> {
    const cacheKey = this.cacheKey(bankId);
    const now = this.options.now ?? Date.now;
    const generation = generations.get(cacheKey) ?? 0;
    const cached = sets.get(cacheKey);
    if (
      cached !== undefined &&
      cached.generation === generation &&
      now() - cached.readAt < (this.options.maxAgeMs ?? MARKED_SET_MAX_AGE_MS)
    )
      return cached.set;
    const readAt = now();
    const { Item = {} } = await this.client.send(
      // Eventually consistent: a mark shows within about a second, and the cache holds it a minute.
      new GetCommand({ TableName: this.tableName, Key: this.setKey(bankId) }),
    );
    const set: MarkedSet = {
      entries: new Map(
        Object.entries(Item).filter(
          (entry): entry is [string, number] =>
            entry[0].startsWith(ENTRY_PREFIX) && typeof entry[1] === 'number',
        ),
      ),
      overflowUntil: typeof Item.overflowUntil === 'number' ? Item.overflowUntil : 0,
    };
    if (sets.size >= MAX_CACHED_SETS) sets.clear();
    sets.set(cacheKey, { set, readAt, generation });
    return set;
  }

  private cacheKey(bankId: string): string {
    return `${this.tableName}\u0000${bankId}`;
  }

  private setKey(bankId: string) {
    return { counterKey: `${bankId}#marked#merchants`, bucket: SET_BUCKET };
  }

  private key(bankId: string, digest: string) {
    return { counterKey: `${bankId}#merchant#${digest}`, bucket: MARK_BUCKET };
  }

  private reportsKey(bankId: string, reporter: string) {
    return { counterKey: `${bankId}#reporter#${reporter}`, bucket: REPORTS_BUCKET };
  }
}
