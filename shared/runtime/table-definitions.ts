// The one description of Vigil's DynamoDB tables, read by the CDK stack and by local mode's
// bootstrap, so that the tables in AWS and on a developer's machine never drift apart.

export type KeyType = 'S' | 'N';

export interface KeyAttribute {
  readonly name: string;
  readonly type: KeyType;
}

export interface GlobalIndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  /** ALL unless said: KEYS_ONLY for indexes that only find items to delete. */
  readonly projection?: 'ALL' | 'KEYS_ONLY';
}

export interface TableDefinition {
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  /** Attribute holding the expiry time in epoch seconds. */
  readonly timeToLiveAttribute?: string;
  readonly stream?: 'NEW_IMAGE' | 'NEW_AND_OLD_IMAGES';
  readonly globalIndexes?: readonly GlobalIndexDefinition[];
  /** Holds data a bank would need to recover: retained and deletion-protected in production. */
  readonly durable: boolean;
}

const S = (name: string): KeyAttribute => ({ name, type: 'S' });

export const tableDefinitions = {
  /**
   * Display name, callback URL, time zone, utility template, alert expiry, source IP
   * allow-list, client certificate subject: one item per bank.
   */
  banks: { partitionKey: S('bankId'), durable: true },
  /**
   * Bank defaults (`scope = default`), per-customer overrides (`scope = customer#<id>`) and
   * preferences (`scope = customer#<id>#preferences`, read with the override by one Query).
   */
  thresholds: { partitionKey: S('bankId'), sortKey: S('scope'), durable: true },
  /** Messenger subscriptions and consent; the stream tells banks of subscription changes. */
  subscribers: {
    partitionKey: S('bankId'),
    sortKey: S('customerId'),
    stream: 'NEW_AND_OLD_IMAGES',
    globalIndexes: [
      { indexName: 'byPsid', partitionKey: S('psid') },
      // Sparse: the few subscriptions another person was offered to take over (until they agree).
      { indexName: 'byPendingPsid', partitionKey: S('pendingPsid'), projection: 'KEYS_ONLY' },
    ],
    durable: true,
  },
  /** Single-use enrollment tokens, stored only as hashes. */
  enrollments: {
    partitionKey: S('tokenHash'),
    timeToLiveAttribute: 'expiresAt',
    globalIndexes: [{ indexName: 'byCustomer', partitionKey: S('customerKey'), projection: 'KEYS_ONLY' }],
    durable: false,
  },
  /**
   * Minimised bank events; the stream (inserts) is the scoring queue. The key is one attribute,
   * `<bankId>#<eventId>`, so that a bank's events spread over partitions and stream shards and
   * are scored in parallel (a `bankId` partition key would serialise each bank's stream).
   */
  events: {
    partitionKey: S('eventKey'),
    timeToLiveAttribute: 'expiresAt',
    stream: 'NEW_IMAGE',
    globalIndexes: [{ indexName: 'byCustomer', partitionKey: S('customerKey'), projection: 'KEYS_ONLY' }],
    durable: false,
  },
  /**
   * Per customer: the 48-hour ledger (velocity, daily spend), the low-balance state and the profile
   * of the history rules; per bank and merchant, confirmed-fraud marks; per erased customer, an
   * erasure marker. Told apart by `counterKey` and `bucket` (docs/data-inventory.md).
   */
  activity: {
    partitionKey: S('counterKey'),
    sortKey: S('bucket'),
    timeToLiveAttribute: 'expiresAt',
    durable: false,
  },
  /** One item per alert; the stream drives customer messages and bank callbacks. */
  alerts: {
    partitionKey: S('alertId'),
    timeToLiveAttribute: 'expiresAt',
    stream: 'NEW_AND_OLD_IMAGES',
    globalIndexes: [
      { indexName: 'openByDeadline', partitionKey: S('openBankId'), sortKey: S('deadline') },
      // Every alert (a check's members too) by its customer and its opaque ref: erasure and the
      // lookups of answers and delivery statuses (docs/decisions/0017-one-alerts-index-by-customer-and-ref.md).
      {
        indexName: 'byCustomerRef',
        partitionKey: S('ownerKey'),
        sortKey: S('alertRef'),
        projection: 'KEYS_ONLY',
      },
      // Legacy: alerts written before byCustomerRef, until `vigil migrate` has moved them. New
      // items no longer enter them. The release after this one removes byRef, the one after it
      // byCustomer (CloudFormation changes one index per update); docs/operator-guide.md.
      { indexName: 'byRef', partitionKey: S('ref'), projection: 'KEYS_ONLY' },
      { indexName: 'byCustomer', partitionKey: S('customerKey'), projection: 'KEYS_ONLY' },
    ],
    durable: true,
  },
  /**
   * The outbox of bank callbacks: one item per callback whose first attempt (notify-bank's) failed
   * or was not made, with its next attempt time while it is undelivered (the sparse `dueByBank`
   * index the retrier reads). A callback delivered at the first attempt is never stored.
   */
  callbacks: {
    partitionKey: S('deliveryId'),
    timeToLiveAttribute: 'expiresAt',
    globalIndexes: [{ indexName: 'dueByBank', partitionKey: S('dueBankId'), sortKey: S('nextAttemptAt') }],
    durable: false,
  },
  /**
   * Administration request nonces (`<bankId>#<nonce>`): each used once; the request's fingerprint
   * and first answer, for a bank's retry, kept an hour.
   */
  nonces: { partitionKey: S('nonceKey'), timeToLiveAttribute: 'expiresAt', durable: false },
  /** Messenger message ids already handled, to drop duplicate webhook deliveries. */
  inbound: { partitionKey: S('mid'), timeToLiveAttribute: 'expiresAt', durable: false },
} as const satisfies Record<string, TableDefinition>;

export type TableKey = keyof typeof tableDefinitions;

export const tableKeys = Object.keys(tableDefinitions) as TableKey[];

/** The environment variable that carries a table's name to a function: `EVENTS_TABLE`. */
export function tableEnvironmentVariable(table: TableKey): string {
  return `${table.toUpperCase()}_TABLE`;
}
