import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ACTIVITY_RETENTION_MS, type ActivityEntry, DAY_MS, inLedgerWindow } from '../domain/activity.ts';
import {
  addSighting,
  type CustomerProfile,
  emptyProfile,
  type ProfileSettings,
  type Sighting,
} from '../domain/customer-profile.ts';
import { coveredByErasure, type ErasableRecord } from '../domain/erasure.ts';
import type { StoredEvent } from '../domain/stored-event.ts';
import type {
  CustomerHistory,
  CustomerHistoryRecord,
  Decide,
  LedgerEntry,
  RecordedDecision,
} from '../ports/customer-history.ts';
import { conditionalWrite } from './conditional-write.ts';

/**
 * The customer's item in the activity table, keyed by their erasure ref: the key of the erasure
 * marker, which an erasure writes over the history (docs/decisions/0015-history-keyed-by-erasure-ref.md),
 * so that every write of the history can be conditional on the erasure and no key holds a
 * customer id in clear.
 */
export function historyKeyOf(erasureRef: string): { counterKey: string; bucket: string } {
  return { counterKey: `erased#${erasureRef}`, bucket: 'erasure' };
}
/**
 * The bucket of the history items of before, keyed `<bankId>#<customerId>`: no longer read or
 * written for an event that carries an erasure ref; still deleted by erasure until they expire.
 */
export const LEGACY_HISTORY_BUCKET = 'profile';
/** The bucket of the ledger items of before, still deleted by erasure until they expire. */
export const LEGACY_LEDGER_BUCKET = 'ledger';
const ENTRY_PREFIX = 'tx:';
/** The packed profile's attribute, and the map the profile was stored as before. */
const PACKED_PROFILE = 'packedProfile';
const LEGACY_PROFILE = 'profile';
/** Stale entries removed per write; more wait for the next write. */
const MAX_REMOVALS = 50;
/**
 * The most entries a ledger keeps (above the highest velocity count a bank may set): at about
 * 70 bytes each, far below DynamoDB's 400 KB item limit. Each write adds one entry and removes up
 * to 50, so a ledger never grows past it for long.
 */
export const MAX_LEDGER_ENTRIES = 2000;
/**
 * Conditional write attempts before giving up (the stream then retries the event): enough for
 * dozens of one customer's events written at the same moment, each losing at most one race to
 * every other.
 */
export const MAX_HISTORY_ATTEMPTS = 50;
/** The longest pause, with jitter, after a lost race (ms): racing records spread out. */
const MAX_PAUSE_MS = 50;

interface StoredEntry {
  readonly amount: number;
  readonly currency: string;
  readonly authorized: boolean;
  /** The decision's score. */
  readonly s?: number;
  /** The reasons, as JSON, when any rule fired. */
  readonly r?: string;
  /** Present, true, when the decision was to alert. */
  readonly a?: boolean;
}

/**
 * One item per customer holds their last 48 h of transactions (one attribute per transaction,
 * `tx:<epoch ms>:<event id>`), their profile (packed: `packedProfile`) and a version number. A record reads the item
 * (eventually consistent), adds the entry and the sighting, and writes both back with ONE
 * UpdateItem conditional on the version it read; a concurrent record (or a stale read) fails
 * the condition, and the record reads again, strongly consistently, and tries again after a short
 * random pause. So each
 * event sees exactly the transactions recorded before it, as DynamoDB applies the writes to one
 * item one at a time, and none is lost. A redelivered event whose entry and sighting are already
 * there writes nothing. Stale entries (older than 48 hours, or dated too far ahead) are removed
 * by the same write. The item is keyed by the erasure ref (`historyKeyOf`), and an erasure
 * replaces it by its marker (`erasedAt`): a record finds the erasure with its read, and its write
 * is conditional on the erasure it read too, so an erasure that lands between the two fails the
 * write and the next, consistent read finds it. Either way the record writes nothing and returns
 * `erased`, with no read of its own (docs/security.md, "Erasure").
 *
 * Cost per card transaction: one eventually consistent read (0.5 RCU per started 4 KB of the
 * item) and one write (1 WCU per started KB of the item, before or after the write, whichever is
 * larger); one more of each, the read consistent, per conflict.
 */
export class DynamoDbCustomerHistory implements CustomerHistory {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(
    bankId: string,
    customerId: string,
    entry: ActivityEntry,
    sighting: Sighting,
    settings: ProfileSettings,
    now: Date,
    decide?: Decide,
    erasable?: ErasableRecord,
  ): Promise<CustomerHistoryRecord> {
    const key = historyItemKey(bankId, customerId, erasable?.erasureRef);
    const entryName = entryNameOf(entry.at, entry.eventId);
    const fresh = inLedgerWindow(entry.at, now);
    for (let attempt = 1; ; attempt++) {
      const { Item = {} } = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: attempt > 1 }),
      );
      const erasedAt = typeof Item.erasedAt === 'string' ? Item.erasedAt : undefined;
      // The customer was erased after this event was received: nothing of it is kept.
      if (erasable !== undefined && coveredByErasure(erasedAt, erasable)) return erased();
      const version = typeof Item.version === 'number' ? Item.version : 0;
      const profile = profileOf(Item);
      let entries: (ActivityEntry & { name: string })[] = [];
      const stale: string[] = [];
      for (const [name, value] of Object.entries(Item)) {
        const parsed = parseEntry(name, value);
        if (parsed === undefined || name === entryName) continue;
        // Too old, or dated so far ahead that it would never age out.
        if (!inLedgerWindow(parsed.at, now)) stale.push(name);
        else entries.push({ ...parsed, name });
      }
      const recorded = Item[entryName] !== undefined;
      const kept = recorded ? decisionOf(Item[entryName] as StoredEntry) : undefined;
      // Over the cap, the oldest entries go, never the one being recorded (its decision is kept).
      if (entries.length + (fresh ? 1 : 0) > MAX_LEDGER_ENTRIES) {
        entries.sort((a, b) => a.at - b.at);
        const excess = entries.length + (fresh ? 1 : 0) - MAX_LEDGER_ENTRIES;
        stale.push(...entries.slice(0, excess).map((old) => old.name));
        entries = entries.slice(excess);
      }
      if (fresh) entries.push({ ...entry, name: entryName });
      else if (recorded) stale.push(entryName);
      const sighted = addSighting(profile, sighting, settings);
      const update = { entries: entries.map(({ name: _, ...old }) => old), profile };
      const addsEntry = fresh && !recorded;
      // Decided on the history this write leaves, and kept with the entry by the same write.
      const decision = addsEntry && decide !== undefined ? await decide(update) : kept;
      const result: CustomerHistoryRecord = {
        ...update,
        recordedBefore: recorded,
        ...(decision !== undefined && { decision }),
      };
      // A redelivery: its entry and its sighting are there already, and nothing is to be removed.
      if (!sighted && stale.length === 0 && !addsEntry) return result;
      const removed = stale.slice(0, MAX_REMOVALS);
      const names: Record<string, string> = {
        '#packed': PACKED_PROFILE,
        '#version': 'version',
        ...Object.fromEntries(removed.map((name, i) => [`#s${i}`, name])),
      };
      const expiresAt = Math.floor(
        (now.getTime() + Math.max(ACTIVITY_RETENTION_MS, settings.baseline.windowDays * DAY_MS)) / 1000,
      );
      const values: Record<string, unknown> = {
        ':packed': packProfile(profile),
        ':next': version + 1,
        // A history written after an erasure keeps its marker at least as long as the marker's own.
        ':expiresAt': typeof Item.expiresAt === 'number' ? Math.max(expiresAt, Item.expiresAt) : expiresAt,
      };
      let expression = 'SET #packed = :packed, #version = :next, expiresAt = :expiresAt';
      if (addsEntry) {
        names['#entry'] = entryName;
        values[':entry'] = {
          amount: entry.amount,
          currency: entry.currency,
          authorized: entry.authorized,
          ...(decision !== undefined && storedDecision(decision)),
        } satisfies StoredEntry;
        expression += ', #entry = :entry';
      }
      // The profile as a map, as it was stored before it was packed, goes with this write.
      if (Item[LEGACY_PROFILE] !== undefined) names['#legacy'] = LEGACY_PROFILE;
      const removals = [...removed.map((_, i) => `#s${i}`), ...(names['#legacy'] ? ['#legacy'] : [])];
      if (removals.length > 0) expression += ` REMOVE ${removals.join(', ')}`;
      if (version !== 0) values[':version'] = version;
      let condition = version === 0 ? 'attribute_not_exists(#version)' : '#version = :version';
      // The erasure read (none, or one before the event was received) is still the item's: an
      // erasure since then (it replaces the item, and only ever moves its time later) fails the
      // write, and the consistent read of the next attempt finds it.
      if (erasable?.erasureRef !== undefined) {
        names['#erasedAt'] = 'erasedAt';
        if (erasedAt === undefined) condition += ' AND attribute_not_exists(#erasedAt)';
        else {
          condition += ' AND #erasedAt = :erasedAt';
          values[':erasedAt'] = erasedAt;
        }
      }
      const written = await conditionalWrite(
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: expression,
            ConditionExpression: condition,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        ),
      );
      if (written) return result;
      if (attempt >= MAX_HISTORY_ATTEMPTS) throw new Error('The customer history kept changing: try again.');
      await new Promise((resolve) =>
        setTimeout(resolve, Math.random() * Math.min(MAX_PAUSE_MS, 2 ** attempt)),
      );
    }
  }

  /** One consistent read of the entry's attribute only (the units are the whole item's, though). */
  async entryOf(event: StoredEvent): Promise<LedgerEntry | undefined> {
    if (event.transaction === undefined) return undefined;
    // The item and attribute `record` writes the event's entry to.
    const key = historyItemKey(event.bankId, event.customerId, event.erasureRef);
    const entryName = entryNameOf(Date.parse(event.occurredAt), event.eventId);
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: key,
        ProjectionExpression: '#entry',
        ExpressionAttributeNames: { '#entry': entryName },
        ConsistentRead: true,
      }),
    );
    const stored = Item?.[entryName] as StoredEntry | undefined;
    if (stored === undefined) return undefined;
    const decision = decisionOf(stored);
    return decision === undefined ? {} : { decision };
  }
}

/** The customer's history item: the erasure ref's; for an event without one (none is stored any more), the key of before. */
function historyItemKey(bankId: string, customerId: string, erasureRef: string | undefined) {
  return erasureRef === undefined
    ? { counterKey: `${bankId}#${customerId}`, bucket: LEGACY_HISTORY_BUCKET }
    : historyKeyOf(erasureRef);
}

/** What a record covered by an erasure returns: nothing was written. */
function erased(): CustomerHistoryRecord {
  return { entries: [], profile: emptyProfile(), recordedBefore: false, erased: true };
}

/** The decision as the entry keeps it: short names, the reasons only when a rule fired. */
function storedDecision(decision: RecordedDecision): Pick<StoredEntry, 's' | 'r' | 'a'> {
  return {
    s: decision.score,
    ...(decision.reasons.length > 0 && { r: JSON.stringify(decision.reasons) }),
    ...(decision.alert && { a: true }),
  };
}

/** The decision an entry keeps; none for an entry recorded before decisions were kept. */
function decisionOf(stored: StoredEntry): RecordedDecision | undefined {
  if (typeof stored.s !== 'number') return undefined;
  return {
    score: stored.s,
    alert: stored.a === true,
    reasons: stored.r === undefined ? [] : (JSON.parse(stored.r) as RecordedDecision['reasons']),
  };
}

/**
 * The profile, packed: raw DEFLATE of its JSON, in one binary attribute. A 90-day profile of about
 * 2.6 KB as a map packs into about 1 KB, and every write of the item costs 1 WCU per started KB.
 */
function packProfile(profile: CustomerProfile): Uint8Array {
  return deflateRawSync(JSON.stringify(profile));
}

/** The stored profile: packed, or a map as written before profiles were packed, or none yet. */
function profileOf(item: Record<string, unknown>): CustomerProfile {
  const packed = item[PACKED_PROFILE];
  if (packed instanceof Uint8Array)
    return JSON.parse(inflateRawSync(packed).toString('utf8')) as CustomerProfile;
  return (item[LEGACY_PROFILE] as CustomerProfile | undefined) ?? emptyProfile();
}

/** The attribute of a transaction's ledger entry: `tx:<epoch ms>:<event id>` (parseEntry reads it back). */
function entryNameOf(at: number, eventId: string): string {
  return `${ENTRY_PREFIX}${at}:${eventId}`;
}

/**
 * The decisions a stored history item keeps, by event id: for the bench, which tells scored card
 * transactions from one scan of the activity table instead of a read per event.
 */
export function keptDecisionsOf(
  item: Record<string, unknown>,
): { eventId: string; decision: RecordedDecision }[] {
  const kept: { eventId: string; decision: RecordedDecision }[] = [];
  for (const [name, value] of Object.entries(item)) {
    const entry = parseEntry(name, value);
    const decision = entry && decisionOf(value as StoredEntry);
    if (entry && decision) kept.push({ eventId: entry.eventId, decision });
  }
  return kept;
}

function parseEntry(name: string, value: unknown): ActivityEntry | undefined {
  if (!name.startsWith(ENTRY_PREFIX)) return undefined;
  const separator = name.indexOf(':', ENTRY_PREFIX.length);
  const at = Number(name.slice(ENTRY_PREFIX.length, separator));
  const { amount, currency, authorized } = value as StoredEntry;
  return { eventId: name.slice(separator + 1), at, amount, currency, authorized };
}
