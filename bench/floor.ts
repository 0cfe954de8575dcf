import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { createTables, tableNamesWithPrefix } from '../local/create-tables.ts';
import { localAwsConfig, type startLocalStack } from '../local/local-stack.ts';
import { dynamoDbFrom } from '../shared/runtime/aws-clients.ts';
import { scoringStream } from '../shared/runtime/stream-settings.ts';
import { tableDefinitions } from '../shared/runtime/table-definitions.ts';

// DynamoDB Local's own limit for the requests one event needs, with the concurrency local mode
// gives them (docs/capacity-and-cost.md, "How each figure is taken"). The floor of the load
// figure: local mode scoring at this rate would mean Vigil's own code costs nothing.

type Stack = Awaited<ReturnType<typeof startLocalStack>>;
type TableKey = keyof typeof tableDefinitions;

/** One DynamoDB request a function made, and when (ms, this process's clock). */
export interface TracedRequest {
  readonly command: string;
  readonly table: TableKey;
  readonly consistent: boolean;
  readonly startedMs: number;
  readonly endedMs: number;
  /** The command's input as the function gave it (document form), replayed by the floor. */
  readonly input?: Readonly<Record<string, unknown>>;
  /** What a read found (GetItem's item, Query's items): the floor's tables start with copies. */
  readonly items?: readonly Readonly<Record<string, unknown>>[];
}

/** An event's requests as local mode sends them: waves one after the other, each wave's requests side by side. */
export interface EventTrace {
  /** receive-bank-event's waves, before the 202. */
  readonly ingest: readonly (readonly TracedRequest[])[];
  /** The stream consumers' waves, after it. */
  readonly scoring: readonly (readonly TracedRequest[])[];
}

/**
 * Groups requests into waves: a request that starts before every request of the current wave has
 * ended runs beside them (the same `Promise.all`), one that starts later begins the next wave.
 */
export function wavesOf(requests: readonly TracedRequest[]): TracedRequest[][] {
  const waves: TracedRequest[][] = [];
  let wave: TracedRequest[] = [];
  let waveEnd = Number.NEGATIVE_INFINITY;
  for (const request of [...requests].sort((a, b) => a.startedMs - b.startedMs)) {
    if (wave.length > 0 && request.startedMs >= waveEnd) {
      waves.push(wave);
      wave = [];
    }
    wave.push(request);
    waveEnd = Math.max(waveEnd, request.endedMs);
  }
  if (wave.length > 0) waves.push(wave);
  return waves;
}

/**
 * Records the requests of one normal transaction through local mode: `post` sends it and resolves
 * on the 202; the trace ends once no request of the event has started for `quietMs`. Local mode's
 * scheduled functions (callback delivery, alert expiry: a few requests every second, whatever the
 * load) are left out: what they send while nothing is posted, watched for 2.5 s first, is not the
 * event's.
 */
export async function traceEvent(
  stack: Stack,
  post: () => Promise<void>,
  quietMs = 1000,
): Promise<EventTrace> {
  const client = dynamoDbFrom(stack.functionEnvironment);
  const tableOf = new Map(Object.entries(stack.tables).map(([key, name]) => [name, key as TableKey]));
  const requests: TracedRequest[] = [];
  const signature = (command: string, tableName: string, index: string | undefined) =>
    `${command} ${tableName} ${index ?? ''}`;
  const background = new Set<string>();
  let watching = true;
  let inFlight = 0;
  let lastStart = performance.now();
  const name = 'benchFloorTrace';
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { TableName?: string; ConsistentRead?: boolean; IndexName?: string };
      const command = String(context.commandName ?? '').replace(/Command$/, '');
      const table = tableOf.get(input.TableName ?? '');
      const seen = signature(command, input.TableName ?? '', input.IndexName);
      if (watching) background.add(seen);
      if (watching || background.has(seen) || table === undefined) return next(args);
      const startedMs = performance.now();
      lastStart = startedMs;
      inFlight++;
      const copy = structuredClone(args.input) as Record<string, unknown>;
      let items: Record<string, unknown>[] | undefined;
      try {
        const result = await next(args);
        const output = result.output as { Item?: Record<string, unknown>; Items?: Record<string, unknown>[] };
        if (output.Item !== undefined || output.Items !== undefined)
          items = structuredClone(output.Items ?? [output.Item ?? {}]);
        return result;
      } finally {
        inFlight--;
        requests.push({
          command,
          table,
          consistent: input.ConsistentRead === true,
          startedMs,
          endedMs: performance.now(),
          input: copy,
          ...(items && { items }),
        });
      }
    },
    { step: 'initialize', name },
  );
  try {
    await new Promise((resolve) => setTimeout(resolve, 2500));
    watching = false;
    const posted = performance.now();
    await post();
    const accepted = performance.now();
    const deadline = accepted + 30_000;
    while (
      (inFlight > 0 || performance.now() - lastStart < quietMs || requests.length === 0) &&
      performance.now() < deadline
    )
      await new Promise((resolve) => setTimeout(resolve, 50));
    const mine = requests.filter((request) => request.startedMs >= posted);
    return {
      ingest: wavesOf(mine.filter((request) => request.startedMs < accepted)),
      scoring: wavesOf(mine.filter((request) => request.startedMs >= accepted)),
    };
  } finally {
    client.middlewareStack.remove(name);
  }
}

/**
 * Waits until local mode is idle: at most `idleRequests` DynamoDB requests from its functions in
 * the last 2 s (the scheduled functions make a few every second), or `maxMs` have passed. After
 * the load, alerts, messages and bank callbacks still flow for a while: the floor must not share
 * DynamoDB Local with them.
 */
export async function waitUntilIdle(stack: Stack, idleRequests = 20, maxMs = 120_000): Promise<number> {
  const client = dynamoDbFrom(stack.functionEnvironment);
  const starts: number[] = [];
  const name = 'benchFloorIdle';
  client.middlewareStack.add(
    (next) => async (args) => {
      starts.push(performance.now());
      return next(args);
    },
    { step: 'initialize', name },
  );
  const begun = performance.now();
  try {
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const now = performance.now();
      const recent = starts.filter((at) => at > now - 2000).length;
      starts.length = 0;
      if (recent <= idleRequests || now - begun > maxMs) return Math.round(now - begun);
    }
  } finally {
    client.middlewareStack.remove(name);
  }
}

/** Who the traced event was: the strings the floor replaces to give each replayed event its own keys. */
export interface TracedIdentity {
  readonly bankId: string;
  readonly customerId: string;
  /** The event's id and its transaction's: in the event's key, its ledger entry's name, its item. */
  readonly eventIds: readonly string[];
}

/**
 * A traced input or item for replayed event `n` of customer `customer`: every string (attribute
 * names too) that names the traced event names event `n` instead, every one that names the traced
 * customer names customer `customer`. Keys that name neither are spread by `spreadKey`.
 */
export function replayed<T>(value: T, identity: TracedIdentity, n: number, customer: number): T {
  const rename = (text: string) => {
    let out = text;
    for (const id of identity.eventIds) out = out.replaceAll(id, `${id}~${n}`);
    return out.replaceAll(identity.customerId, `${identity.customerId}~${customer}`);
  };
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return rename(node);
    if (Array.isArray(node)) return node.map(walk);
    if (node instanceof Set) return new Set([...node].map(walk));
    if (node !== null && typeof node === 'object')
      return Object.fromEntries(Object.entries(node).map(([name, inner]) => [rename(name), walk(inner)]));
    return node;
  };
  return walk(value) as T;
}

/**
 * A key value that `replayed` left alone (the history item's, derived from a keyed hash of the
 * customer) gets the customer's suffix; the bank's id stays.
 */
function spreadKey(
  key: Record<string, unknown>,
  attributes: readonly string[],
  identity: TracedIdentity,
  customer: number,
): Record<string, unknown> {
  const out = { ...key };
  for (const name of attributes) {
    const value = out[name];
    if (typeof value !== 'string' || value === identity.bankId) continue;
    if (value.includes('~')) continue;
    out[name] = `${value}~${customer}`;
  }
  return out;
}

/** The key attributes of a table and of its indexes. */
function keyAttributesOf(table: TableKey): string[] {
  const definition = tableDefinitions[table] as {
    partitionKey: { name: string };
    sortKey?: { name: string };
    globalIndexes?: readonly { partitionKey: { name: string }; sortKey?: { name: string } }[];
  };
  return [
    definition.partitionKey.name,
    ...(definition.sortKey ? [definition.sortKey.name] : []),
    ...(definition.globalIndexes ?? []).flatMap((index) => [
      index.partitionKey.name,
      ...(index.sortKey ? [index.sortKey.name] : []),
    ]),
  ];
}

/**
 * The input of the traced request for event `n` of customer `customer`, on the floor's copy of
 * its table: `replayed`, with the keys (Key, a put item's key and index attributes, a Query's
 * values) spread as `spreadKey` does.
 */
export function replayInput(
  request: TracedRequest,
  identity: TracedIdentity,
  n: number,
  customer: number,
  tableName: string,
): Record<string, unknown> {
  const input = replayed({ ...request.input }, identity, n, customer) as Record<string, unknown>;
  const attributes = keyAttributesOf(request.table);
  input.TableName = tableName;
  if (input.Key) input.Key = spreadKey(input.Key as Record<string, unknown>, attributes, identity, customer);
  if (input.Item)
    input.Item = spreadKey(input.Item as Record<string, unknown>, attributes, identity, customer);
  if (request.command === 'Query' && input.ExpressionAttributeValues) {
    const values = input.ExpressionAttributeValues as Record<string, unknown>;
    input.ExpressionAttributeValues = spreadKey(values, Object.keys(values), identity, customer);
  }
  return input;
}

/** The item a traced read found, as customer `customer`'s copy on the floor's table. */
export function replayItem(
  table: TableKey,
  item: Readonly<Record<string, unknown>>,
  identity: TracedIdentity,
  customer: number,
): Record<string, unknown> {
  // Items are read before the event: they name no event of the replay (n = -1 is never replayed).
  return spreadKey(replayed({ ...item }, identity, -1, customer), keyAttributesOf(table), identity, customer);
}

const isConditionFailure = (error: unknown) =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

/**
 * Replays an event's waves, as `traceEvent` recorded them, on copies of the tables that no function
 * reads, with the same client as the functions (its socket pool: local mode's limit on requests in
 * flight): the same commands with the same inputs (conditions, expressions, attribute values and
 * sizes), each replayed event on keys of its own (a fresh event key for the conditional put) and
 * of one of `customers` customers, as the load spreads its events; the customers' items the event
 * reads (subscription, history) are copied to the floor's tables first. The history write's
 * version condition holds as in Vigil: the floor keeps each customer's version and, when two
 * events of a customer race, reads it again (consistently) and writes again, as the history store
 * does. Concurrency as local mode's: `clients` senders run the ingest waves, as many as the load's
 * clients; the scoring waves run for up to `parallelizationFactor × batchSize` events at once, as
 * the events stream's consumer scores them. After `warmUpSeconds` untimed, events scored per
 * second over `seconds`, on the same DynamoDB Local.
 */
export async function floorEventsPerSecond(
  stack: Stack,
  trace: EventTrace,
  identity: TracedIdentity,
  options: {
    readonly clients: number;
    readonly customers: number;
    readonly seconds: number;
    readonly warmUpSeconds: number;
  },
) {
  const client = dynamoDbFrom(stack.functionEnvironment);
  const names = tableNamesWithPrefix(`floor${Date.now().toString(36)}`);
  await createTables(new DynamoDBClient(localAwsConfig(stack.dynamoDbEndpoint)), names);

  // The customers' items as the traced event found them (history, subscription, settings).
  // What the read found, or for a read of some attributes only, the whole item it read.
  const seeds: { table: TableKey; item: Readonly<Record<string, unknown>> }[] = [];
  for (const request of [...trace.ingest, ...trace.scoring].flat()) {
    const primary = keyAttributesOf(request.table).slice(
      0,
      'sortKey' in tableDefinitions[request.table] ? 2 : 1,
    );
    for (const item of request.items ?? []) {
      if (primary.every((name) => item[name] !== undefined)) seeds.push({ table: request.table, item });
      else if (request.command === 'GetItem' && request.input?.Key !== undefined) {
        const { Item } = await stack.documents.send(
          new GetCommand({ TableName: stack.tables[request.table], Key: request.input.Key as never }),
        );
        if (Item !== undefined) seeds.push({ table: request.table, item: Item });
      }
    }
  }
  const seedItems = Array.from({ length: options.customers }, (_, customer) =>
    seeds.map(({ table, item }) => ({ table, item: replayItem(table, item, identity, customer) })),
  ).flat();
  const seedWorker = async () => {
    for (let chunk = seedItems.splice(0, 25); chunk.length > 0; chunk = seedItems.splice(0, 25)) {
      let requestItems: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> = {};
      for (const { table, item } of chunk)
        requestItems[names[table]] = [...(requestItems[names[table]] ?? []), { PutRequest: { Item: item } }];
      while (Object.keys(requestItems).length > 0) {
        const result = await client.send(new BatchWriteCommand({ RequestItems: requestItems }));
        requestItems = (result.UnprocessedItems ?? {}) as typeof requestItems;
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, seedWorker));

  // Each customer's history version, as the seeded item and the floor's own writes left it.
  const versions = new Map<string, number>();
  const versionOf = (item: Readonly<Record<string, unknown>>) =>
    typeof item.version === 'number' ? item.version : 0;
  let conflicts = 0;
  const update = async (input: Record<string, unknown>) => {
    const values = input.ExpressionAttributeValues as Record<string, unknown> | undefined;
    const versioned = values !== undefined && typeof values[':next'] === 'number';
    const where = JSON.stringify(input.Key);
    for (let attempt = 1; ; attempt++) {
      if (versioned) {
        const current = versions.get(where) ?? (values[':version'] as number | undefined) ?? 0;
        values[':next'] = current + 1;
        if (current > 0) values[':version'] = current;
      }
      try {
        await client.send(new UpdateCommand(input as never));
        if (versioned) versions.set(where, values[':next'] as number);
        return;
      } catch (error) {
        if (!versioned || !isConditionFailure(error) || attempt >= 5) throw error;
        conflicts++;
        const { Item = {} } = await client.send(
          new GetCommand({
            TableName: input.TableName as string,
            Key: input.Key as never,
            ConsistentRead: true,
          }),
        );
        versions.set(where, versionOf(Item));
      }
    }
  };
  const send = async (request: TracedRequest, n: number) => {
    const customer = n % options.customers;
    const input = replayInput(request, identity, n, customer, names[request.table]);
    if (request.command === 'GetItem') await client.send(new GetCommand(input as never));
    else if (request.command === 'Query') await client.send(new QueryCommand(input as never));
    else if (request.command === 'PutItem') await client.send(new PutCommand(input as never));
    else if (request.command === 'UpdateItem') await update(input);
    else throw new Error(`the floor does not replay ${request.command}`);
  };
  const run = async (waves: EventTrace['ingest'], n: number) => {
    for (const wave of waves) await Promise.all(wave.map((request) => send(request, n)));
  };

  const begun = performance.now();
  const started = begun + options.warmUpSeconds * 1000;
  const deadline = started + options.seconds * 1000;
  let next = 0;
  let scored = 0;
  let ingested = 0;
  // Events scored in each second of the timed window: a slow start would show here.
  const perSecond = Array.from({ length: Math.ceil(options.seconds) }, () => 0);
  let ingesting = options.clients;
  // Events received and not yet taken by the consumer, and the consumer's free places.
  const received: number[] = [];
  const waiting: ((n: number | undefined) => void)[] = [];
  const take = () =>
    new Promise<number | undefined>((resolve) => {
      const n = received.shift();
      if (n !== undefined || ingesting === 0) resolve(n);
      else waiting.push(resolve);
    });
  const ingestWorker = async () => {
    while (performance.now() < deadline) {
      const n = next++;
      await run(trace.ingest, n);
      const now = performance.now();
      if (now >= started && now < deadline) ingested++;
      const consumer = waiting.shift();
      if (consumer) consumer(n);
      else received.push(n);
    }
    ingesting--;
    if (ingesting === 0) for (const consumer of waiting.splice(0)) consumer(undefined);
  };
  const scoringWorker = async () => {
    for (let n = await take(); n !== undefined; n = await take()) {
      if (performance.now() >= deadline) return;
      await run(trace.scoring, n);
      const now = performance.now();
      if (now >= started && now < deadline) {
        scored++;
        const second = Math.floor((now - started) / 1000);
        perSecond[second] = (perSecond[second] ?? 0) + 1;
      }
    }
  };
  const consumers = scoringStream.parallelizationFactor * scoringStream.batchSize;
  await Promise.all([
    ...Array.from({ length: options.clients }, ingestWorker),
    ...Array.from({ length: consumers }, scoringWorker),
  ]);
  // Gone again: the load, or the next floor, does not share DynamoDB Local with these items.
  await Promise.all(
    Object.values(names).map((TableName) => client.send(new DeleteTableCommand({ TableName }))),
  );
  return {
    eventsPerSecond: Math.round(scored / options.seconds),
    perSecond,
    /** Events through ingest's waves in the same window (the ingest senders run ahead of scoring). */
    ingestedPerSecond: Math.round(ingested / options.seconds),
    warmUpSeconds: options.warmUpSeconds,
    clients: options.clients,
    consumers,
    customers: options.customers,
    seededItems: seeds.length * options.customers,
    historyConflicts: conflicts,
    requestsPerEvent: {
      ingest: trace.ingest.flat().length,
      scoring: trace.scoring.flat().length,
    },
    waves: {
      ingest: trace.ingest.map((wave) => wave.map((request) => `${request.command} ${request.table}`)),
      scoring: trace.scoring.map((wave) => wave.map((request) => `${request.command} ${request.table}`)),
    },
  };
}

/**
 * Counts the DynamoDB requests local mode's functions send, by command and table, until `stop`:
 * divided by the events scored, what the load needed per event, beside what the floor replays.
 */
export function countRequests(stack: Stack) {
  const client = dynamoDbFrom(stack.functionEnvironment);
  const tableOf = new Map(Object.entries(stack.tables).map(([key, name]) => [name, key]));
  const counts = new Map<string, number>();
  const name = 'benchLoadRequests';
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { TableName?: string; IndexName?: string };
      const command = String(context.commandName ?? '').replace(/Command$/, '');
      const table = tableOf.get(input.TableName ?? '') ?? 'other';
      const where = `${command} ${table}${input.IndexName ? ` ${input.IndexName}` : ''}`;
      counts.set(where, (counts.get(where) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name },
  );
  return {
    stop: () => {
      client.middlewareStack.remove(name);
      return Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b)));
    },
  };
}
