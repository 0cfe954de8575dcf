import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConsumedCapacity, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { createTables, tableNamesWithPrefix } from '../local/create-tables.ts';
import { findFreePort } from '../local/dynamodb-local.ts';
import { lambdaContext } from '../local/lambda-http-server.ts';
import { localHandler } from '../local/local-functions.ts';
import { localAwsConfig, startLocalStack } from '../local/local-stack.ts';
import { keptDecisionsOf } from '../shared/adapters/dynamodb-customer-history.ts';
import { dynamoDbFrom } from '../shared/runtime/aws-clients.ts';
import {
  countRequests,
  type EventTrace,
  floorEventsPerSecond,
  type TracedIdentity,
  traceEvent,
  waitUntilIdle,
} from './floor.ts';

// Measurements that need Vigil running: local mode in this process, on its own DynamoDB Local.

type Stack = Awaited<ReturnType<typeof startLocalStack>>;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0) * 100) / 100;
};

function transaction(customerId: string, id: string, suspicious: boolean, occurredAt = new Date()) {
  return {
    type: 'card.transaction',
    customerId,
    occurredAt: occurredAt.toISOString(),
    transaction: {
      id,
      cardLast4: '4242',
      amount: suspicious ? 64_900 : 1_250,
      currency: 'EUR',
      merchant: suspicious
        ? { name: 'GADGETS ONLINE', mcc: '5732', country: 'US' }
        : { name: 'CAFE DE FLORE', mcc: '5812', country: 'FR' },
      channel: suspicious ? 'card_not_present' : 'card_present',
      status: 'authorized',
    },
  };
}

function signedEvent(stack: Stack, body: string, eventId: string): APIGatewayProxyEventV2 {
  const secret = stack.config.banks[0]?.signingSecret ?? '';
  const now = new Date();
  return {
    version: '2.0',
    routeKey: 'POST /v1/banks/{bankId}/events',
    rawPath: '/v1/banks/demo-bank/events',
    rawQueryString: '',
    headers: {
      'content-type': 'application/json',
      'webhook-id': eventId,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(eventId, now, body),
    },
    pathParameters: { bankId: 'demo-bank' },
    isBase64Encoded: false,
    body,
    requestContext: {} as APIGatewayProxyEventV2['requestContext'],
  };
}

function subscriberItem(customerId: string, now = new Date().toISOString()) {
  return {
    bankId: 'demo-bank',
    customerId,
    psid: `psid_${customerId}`,
    status: 'active',
    locale: 'en_US',
    enrollmentId: 'enr_bench',
    consentedAt: now,
    lastInboundAt: now,
    updatedAt: now,
  };
}

async function subscribe(stack: Stack, customerId: string) {
  await stack.documents.send(
    new PutCommand({ TableName: stack.tables.subscribers, Item: subscriberItem(customerId) }),
  );
}

/**
 * receive-bank-event in process against DynamoDB Local, against the floor: the two requests it
 * makes (eventually consistent GetItem of the subscription, conditional PutItem of the event) sent directly,
 * alternating one with the other so that both see the same machine.
 */
async function ingestOverhead(stack: Stack, count: number) {
  const handler = localHandler(await import('../functions/receive-bank-event.ts'), stack.functionEnvironment);
  const dynamoDb = dynamoDbFrom(stack.functionEnvironment);
  await subscribe(stack, 'cus_ingest');
  // The floor writes to a copy of the tables that no stream consumer reads.
  const floor = tableNamesWithPrefix('floor');
  await createTables(new DynamoDBClient(localAwsConfig(stack.dynamoDbEndpoint)), floor);
  const handlerMs: number[] = [];
  const floorMs: number[] = [];
  let storedItem: Record<string, unknown> | undefined;
  for (let i = 0; i < count; i++) {
    const body = JSON.stringify(transaction('cus_ingest', `txn_ingest_${i}`, false));
    const event = signedEvent(stack, body, `evt_ingest_${i}`);
    let start = performance.now();
    const result = await handler(event, lambdaContext('receive-bank-event'));
    handlerMs.push(performance.now() - start);
    if (result.statusCode !== 202) throw new Error(`ingest answered ${result.statusCode}: ${result.body}`);
    start = performance.now();
    await dynamoDb.send(
      new GetCommand({
        TableName: stack.tables.subscribers,
        Key: { bankId: 'demo-bank', customerId: 'cus_ingest' },
        ProjectionExpression: '#s',
        ExpressionAttributeNames: { '#s': 'status' },
      }),
    );
    await dynamoDb.send(
      new PutCommand({
        TableName: floor.events,
        // The same attributes as the stored event's, its index key included.
        Item: { ...storedItem, eventKey: `floor#${i}` },
        ConditionExpression: 'attribute_not_exists(eventKey)',
      }),
    );
    floorMs.push(performance.now() - start);
    if (storedItem === undefined) {
      const { Item } = await stack.documents.send(
        new GetCommand({ TableName: stack.tables.events, Key: { eventKey: `demo-bank#evt_ingest_${i}` } }),
      );
      storedItem = Item;
    }
  }
  const handlerP50 = percentile(handlerMs, 0.5);
  const floorP50 = percentile(floorMs, 0.5);
  return {
    requests: count,
    handlerMs: { p50: handlerP50, p99: percentile(handlerMs, 0.99) },
    floorMs: { p50: floorP50, p99: percentile(floorMs, 0.99) },
    p50Ratio: Math.round((handlerP50 / floorP50) * 100) / 100,
  };
}

/** One DynamoDB request the functions made, as the floor replays it. */
export interface FloorRequest {
  readonly command: string;
  readonly tableName: string;
  readonly consistent: boolean;
}

/** Posts a signed event to local mode's API over loopback; resolves on its 202. */
async function postEvent(stack: Stack, body: unknown, eventId = `evt_${randomUUID()}`) {
  const text = JSON.stringify(body);
  const event = signedEvent(stack, text, eventId);
  const response = await fetch(`${stack.config.apiUrl}/v1/banks/demo-bank/events`, {
    method: 'POST',
    headers: event.headers as Record<string, string>,
    body: text,
  });
  if (response.status !== 202) throw new Error(`answered ${response.status}`);
}

/**
 * The requests of one normal transaction of a customer with some history (the load's customers
 * have theirs), in the waves local mode sends them: the third of three, each traced alone.
 */
async function traceNormalEvent(stack: Stack): Promise<{ trace: EventTrace; identity: TracedIdentity }> {
  const customerId = 'cus_floor';
  await subscribe(stack, customerId);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  let traced: { trace: EventTrace; identity: TracedIdentity } | undefined;
  for (let i = 0; i < 3; i++) {
    const eventId = `evt_${randomUUID()}`;
    const transactionId = `txn_floor_${i}`;
    const trace = await traceEvent(stack, () =>
      postEvent(stack, transaction(customerId, transactionId, false), eventId),
    );
    traced = { trace, identity: { bankId: 'demo-bank', customerId, eventIds: [eventId, transactionId] } };
  }
  return traced as { trace: EventTrace; identity: TracedIdentity };
}

/** Sums the capacity every DynamoDB request of the running functions consumed. */
/**
 * Reads that are not made per transaction: the scheduled functions' (expire-alerts and the
 * callbacks' retries: the banks' list, the open alerts by deadline, the due callbacks; every
 * second in local mode, once a minute in AWS) and the per-container caches' refreshes (a bank's
 * profile, its default thresholds and its set of marked merchants: once a minute per container and
 * bank). The bench reports them apart, per minute, instead of spreading them over the transactions
 * of its measuring window.
 */
export function isFixedCostRead(input: {
  readonly command: string;
  readonly tableName: string;
  readonly indexName?: string | undefined;
  readonly consistent: boolean;
  readonly key?: Readonly<Record<string, unknown>> | undefined;
}): boolean {
  const table = input.tableName.split('-').at(-1);
  if (input.command === 'Scan' && table === 'banks') return true;
  if (input.command === 'Query')
    return input.indexName === 'openByDeadline' || input.indexName === 'dueByBank';
  if (input.command !== 'GetItem' || input.consistent) return false;
  return (
    table === 'banks' ||
    (table === 'thresholds' && input.key?.scope === 'default') ||
    (table === 'activity' && input.key?.bucket === 'marked')
  );
}

/**
 * What a read costs in DynamoDB when DynamoDB Local reports 0: a Query or Scan that finds nothing
 * still consumes the smallest read (0.5 RCU eventually consistent, 1 strongly).
 */
export function billedReadUnits(reported: number, consistent: boolean): number {
  return reported > 0 ? reported : consistent ? 1 : 0.5;
}

async function capacityMeter(stack: Stack) {
  // The very client the running functions share (one per endpoint in the process).
  const dynamoDb = dynamoDbFrom(stack.functionEnvironment);
  const total = { read: 0, write: 0 };
  const fixed = new Map<string, number>();
  const requests: FloorRequest[] = [];
  // Units by command and table, to show where they go.
  const byRequest = new Map<string, number>();
  let since = performance.now();
  dynamoDb.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as {
        ReturnConsumedCapacity?: string;
        TableName?: string;
        IndexName?: string;
        ConsistentRead?: boolean;
        Key?: Record<string, unknown>;
      };
      const command = String(context.commandName ?? '').replace(/Command$/, '');
      const request = {
        command,
        tableName: input.TableName ?? '',
        consistent: input.ConsistentRead === true,
      };
      input.ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] })
        .ConsumedCapacity;
      // DynamoDB Local reports totals (table and indexes) without the read/write split: the
      // command says which it is.
      const reported = [consumed ?? []].flat().reduce((sum, item) => sum + (item.CapacityUnits ?? 0), 0);
      const read = /^(Get|BatchGet|Query|Scan)/.test(command);
      const units = read ? billedReadUnits(reported, request.consistent) : reported;
      const where = `${command} ${(input.TableName ?? '').split('-').at(-1)}`;
      // Marshalled ({S: "..."}) or not, depending on where in the stack the document client converts it.
      const key = Object.fromEntries(
        Object.entries(input.Key ?? {}).map(([name, value]) => [
          name,
          typeof value === 'object' && value !== null && 'S' in value ? value.S : value,
        ]),
      );
      if (read && isFixedCostRead({ ...request, indexName: input.IndexName, key })) {
        const what =
          input.IndexName ?? (key.scope === 'default' ? 'default' : key.bucket === 'marked' ? 'marked' : '');
        const label = what === '' ? where : `${where} ${what}`;
        fixed.set(label, (fixed.get(label) ?? 0) + units);
        return result;
      }
      requests.push(request);
      if (read) total.read += units;
      else total.write += units;
      byRequest.set(where, (byRequest.get(where) ?? 0) + units);
      return result;
    },
    { step: 'initialize', name: 'benchCapacityMeter' },
  );
  return {
    reset: () => {
      total.read = 0;
      total.write = 0;
      requests.length = 0;
      byRequest.clear();
      fixed.clear();
      since = performance.now();
    },
    read: () => {
      const minutes = (performance.now() - since) / 60_000;
      const perMinute = (units: number) => Math.round((units / minutes) * 100) / 100;
      return {
        ...total,
        byRequest: Object.fromEntries(byRequest),
        // Local mode's scheduler runs every second (AWS: once a minute), so its share is 60 times AWS's.
        fixedRcuPerMinute: Object.fromEntries(
          [...fixed]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([where, units]) => [where, perMinute(units)]),
        ),
      };
    },
    requests: () => [...requests],
  };
}

/** Waits for the check, failing only when nothing moved for `stallMs` (a run of any size ends). */
async function waitUntil(
  check: () => Promise<boolean>,
  stallMs: number,
  progress: () => number = () => 0,
  deadline = Number.POSITIVE_INFINITY,
) {
  let last = progress();
  let lastChange = Date.now();
  while (!(await check())) {
    const now = progress();
    if (now !== last) {
      last = now;
      lastChange = Date.now();
    }
    if (Date.now() - lastChange > stallMs) throw new Error(`no progress for ${stallMs} ms`);
    if (Date.now() > deadline) throw new Error(`not done within the time limit (${now} done)`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function scan(stack: Stack, table: 'events' | 'alerts' | 'activity', attributes?: readonly string[]) {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await stack.documents.send(
      new ScanCommand({
        TableName: stack.tables[table],
        ConsistentRead: true,
        // Only what the check needs: the load's wait scans every second while scoring runs.
        ...(attributes && {
          ProjectionExpression: attributes.map((_, i) => `#a${i}`).join(', '),
          ExpressionAttributeNames: Object.fromEntries(attributes.map((name, i) => [`#a${i}`, name])),
        }),
        ...(start && { ExclusiveStartKey: start }),
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

/**
 * The events scored, by event key: marked `scored` (balance events, transactions dated outside the
 * ledger's 48 hours), or a card transaction whose ledger entry keeps its decision, and, for a
 * decision to alert, whose alert was filed (docs/scoring.md, "Exactly once"). The entries are read
 * from one scan of the activity table (`keptDecisionsOf`): a read per event would not keep up with the load.
 */
async function scoredEvents(stack: Stack, events: readonly Record<string, unknown>[]): Promise<Set<string>> {
  const kept = new Set<string>();
  const alerting = new Set<string>();
  for (const item of await scan(stack, 'activity'))
    for (const { eventId, decision } of keptDecisionsOf(item))
      (decision.alert ? alerting : kept).add(eventId);
  if (alerting.size > 0) {
    for (const alert of await scan(stack, 'alerts', ['eventId']))
      if (alerting.has(String(alert.eventId))) kept.add(String(alert.eventId));
  }
  const scored = new Set<string>();
  for (const event of events) {
    const key = String(event.eventKey);
    if (event.status === 'scored' || kept.has(key.slice(key.indexOf('#') + 1))) scored.add(key);
  }
  return scored;
}

/**
 * The `alert.sent` callbacks the bank received, by `webhook-id` (a callback sent twice counts
 * once): what local mode's bank receiver (local/bank-receiver.ts) verified and answered 200 to.
 * A callback delivered at once is stored nowhere else.
 */
async function alertsSentToBank(stack: Stack): Promise<number> {
  const bank = stack.config.banks[0];
  const response = await fetch(`${stack.config.apiUrl}/__local/banks/${bank?.bankId}/callbacks`);
  const received = (await response.json()) as { webhookId: string; body: { type?: string } }[];
  return new Set(received.filter((c) => c.body.type === 'alert.sent').map((c) => c.webhookId)).size;
}

/**
 * Capacity units per transaction through the whole pipeline (ingest, scoring, and for an alert:
 * the message and the bank callbacks), from DynamoDB's own ReturnConsumedCapacity.
 */
async function capacityPerTransaction(
  stack: Stack,
  meter: Awaited<ReturnType<typeof capacityMeter>>,
  count: number,
) {
  const apiUrl = stack.config.apiUrl;
  const post = async (body: unknown) => {
    const text = JSON.stringify(body);
    const event = signedEvent(stack, text, `evt_${randomUUID()}`);
    const response = await fetch(`${apiUrl}/v1/banks/demo-bank/events`, {
      method: 'POST',
      headers: event.headers as Record<string, string>,
      body: text,
    });
    if (response.status !== 202) throw new Error(`answered ${response.status}`);
  };
  const measure = async (suspicious: boolean) => {
    const customers = Array.from({ length: count }, (_, i) => `cus_cap_${suspicious ? 's' : 'n'}_${i}`);
    for (const customer of customers) await subscribe(stack, customer);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    meter.reset();
    for (const [i, customer] of customers.entries())
      await post(transaction(customer, `txn_cap_${suspicious}_${i}`, suspicious));
    await waitUntil(async () => {
      const events = await scan(stack, 'events');
      if (!suspicious) return (await scoredEvents(stack, events)).size === events.length;
      return (await alertsSentToBank(stack)) >= count + extraSent;
    }, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const { read, write, byRequest, fixedRcuPerMinute } = meter.read();
    if (!suspicious) normalRequests = meter.requests();
    const perTransaction = (units: number) => Math.round((units / count) * 100) / 100;
    return {
      rcu: perTransaction(read),
      wcu: perTransaction(write),
      byRequest: Object.fromEntries(
        Object.entries(byRequest)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([where, units]) => [where, perTransaction(units)]),
      ),
      /** Reads not made per transaction (isFixedCostRead), per minute of the measuring window. */
      fixedRcuPerMinute,
    };
  };
  let normalRequests: FloorRequest[] = [];
  const extraSent = await alertsSentToBank(stack);
  const normal = await measure(false);
  const alerting = await measure(true);
  return { normal, alerting, transactions: count, requestsOfNormal: normalRequests };
}

/**
 * How many customers a load of `total` events spreads over: about four payments each. A card pays
 * up to a few times a day (bench/simulate.ts); a load of 20,000 events on 50 customers gave each
 * 360 payments within minutes, which no bank sends, and which grew each customer's activity items
 * (the ledger, the profile) to hundreds of entries that every scoring reads, writes back and parses:
 * that run measured item sizes, and alerted on nearly every transaction (velocity, daily spend).
 */
export function loadCustomers(total: number): number {
  return Math.max(50, Math.ceil(total / 4));
}

/** Subscribes the customers, 25 to a request, a few requests at once. */
async function subscribeAll(stack: Stack, customers: readonly string[]) {
  const { BatchWriteCommand } = await import('@aws-sdk/lib-dynamodb');
  const now = new Date().toISOString();
  const chunks: string[][] = [];
  for (let i = 0; i < customers.length; i += 25) chunks.push(customers.slice(i, i + 25));
  const worker = async () => {
    for (let chunk = chunks.shift(); chunk !== undefined; chunk = chunks.shift()) {
      let requests: object[] = chunk.map((customerId) => ({
        PutRequest: { Item: subscriberItem(customerId, now) },
      }));
      while (requests.length > 0) {
        const result = await stack.documents.send(
          new BatchWriteCommand({ RequestItems: { [stack.tables.subscribers]: requests as never } }),
        );
        requests = result.UnprocessedItems?.[stack.tables.subscribers] ?? [];
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

/**
 * A bounded load on loopback: `total` events (one in ten a duplicate delivery, one in ten
 * suspicious) from `concurrency` clients; then every accepted event must be scored, and the
 * time from the 202 to the alert item is measured.
 */
async function throughput(stack: Stack, total: number, concurrency: number, maxSeconds = 900) {
  // A bounded run: past the limit no event is sent and the wait for scoring gives up.
  const deadline = Date.now() + maxSeconds * 1000;
  const customers = Array.from({ length: loadCustomers(total) }, (_, i) => `cus_load_${i}`);
  await subscribeAll(stack, customers);
  const acceptedAt = new Map<string, number>();
  let next = 0;
  let accepted = 0;
  let duplicates = 0;
  const base = Date.now();
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      if (Date.now() > deadline) throw new Error(`sending stopped at the time limit (${accepted} accepted)`);
      const i = next++;
      const original = i % 10 === 9 ? i - 1 : i;
      const body = JSON.stringify(
        transaction(
          customers[original % customers.length] ?? '',
          `txn_load_${original}`,
          original % 10 === 3,
          new Date(base + original),
        ),
      );
      const event = signedEvent(stack, body, `evt_load_${original}`);
      const response = await fetch(`${stack.config.apiUrl}/v1/banks/demo-bank/events`, {
        method: 'POST',
        headers: event.headers as Record<string, string>,
        body,
      });
      if (response.status === 202) {
        accepted++;
        acceptedAt.set(`txn_load_${original}`, Date.now());
      } else if (response.status === 200) duplicates++;
      else throw new Error(`load answered ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  let scored = 0;
  await waitUntil(
    async () => {
      const events = (await scan(stack, 'events', ['eventKey', 'status'])).filter((e) =>
        String(e.eventKey).includes('evt_load_'),
      );
      scored = (await scoredEvents(stack, events)).size;
      return scored >= accepted;
    },
    60_000,
    () => scored,
    deadline,
  );
  const scoredSeconds = (performance.now() - started) / 1000;
  const alerts = (await scan(stack, 'alerts')).filter((a) => String(a.transactionId).startsWith('txn_load_'));
  const alertedTransactions = new Set(alerts.map((a) => String(a.transactionId)));
  const latencies = alerts.map(
    (a) => Date.parse(String(a.createdAt)) - (acceptedAt.get(String(a.transactionId)) ?? 0),
  );
  return {
    events: total,
    concurrency,
    accepted,
    duplicates,
    lost: accepted - scored,
    alerts: alerts.length,
    duplicateAlerts: alerts.length - alertedTransactions.size,
    // Alerts that opened a fraud check (and so a message); the others joined one (docs/scoring.md).
    fraudChecks: alerts.filter((a) => a.status !== 'grouped').length,
    acceptedPerSecond: Math.round(accepted / seconds),
    scoredPerSecond: Math.round(scored / scoredSeconds),
    acceptedToAlertMs: { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) },
  };
}

/** Only the bounded load (npm run load): `total` events on loopback, with duplicate deliveries mixed in. */
export async function loadLocalMode(total: number, concurrency: number, maxSeconds?: number) {
  const [port, emulatorPort] = [await findFreePort(), await findFreePort()];
  const stack = await startLocalStack({
    home: await mkdtemp(join(tmpdir(), 'vigil-load-')),
    port,
    emulatorPort,
  });
  try {
    return await throughput(stack, total, concurrency, maxSeconds);
  } finally {
    await stack.stop();
  }
}

export async function benchPipeline(options: {
  ingest: number;
  capacity: number;
  load: number;
  concurrency: number;
  floorSeconds: number;
  floorWarmUpSeconds: number;
}) {
  const [port, emulatorPort] = [await findFreePort(), await findFreePort()];
  const stack = await startLocalStack({
    home: await mkdtemp(join(tmpdir(), 'vigil-bench-')),
    port,
    emulatorPort,
  });
  try {
    const meter = await capacityMeter(stack);
    const ingest = await ingestOverhead(stack, options.ingest);
    const { requestsOfNormal: _, ...capacity } = await capacityPerTransaction(stack, meter, options.capacity);
    const { trace, identity } = await traceNormalEvent(stack);
    const floorOptions = {
      clients: options.concurrency,
      customers: loadCustomers(options.load),
      seconds: options.floorSeconds,
      warmUpSeconds: options.floorWarmUpSeconds,
    };
    // The floor on the same DynamoDB Local as the load, as it is when the load starts and when it
    // ends (its tables then hold the load's items and streams): the load runs through both.
    const idleBeforeMs = await waitUntilIdle(stack);
    const before = await floorEventsPerSecond(stack, trace, identity, floorOptions);
    const counter = countRequests(stack);
    const load = await throughput(stack, options.load, options.concurrency);
    const loadRequests = counter.stop();
    // Once the load's alerts and callbacks are done.
    const idleAfterMs = await waitUntilIdle(stack);
    const after = await floorEventsPerSecond(stack, trace, identity, floorOptions);
    const floor = Math.max(before.eventsPerSecond, after.eventsPerSecond);
    return {
      ingest,
      capacity,
      load: {
        ...load,
        floorEventsPerSecond: floor,
        scoredToFloor: Math.round((load.scoredPerSecond / floor) * 100) / 100,
        floor: {
          ...before,
          eventsPerSecond: floor,
          before: {
            eventsPerSecond: before.eventsPerSecond,
            perSecond: before.perSecond,
            ingestedPerSecond: before.ingestedPerSecond,
            idleMs: idleBeforeMs,
          },
          after: {
            eventsPerSecond: after.eventsPerSecond,
            perSecond: after.perSecond,
            ingestedPerSecond: after.ingestedPerSecond,
            idleMs: idleAfterMs,
            historyConflicts: after.historyConflicts,
          },
        },
        // Every request of the functions from the load's start until every event was scored (the
        // scheduled functions' and the alerts' included), per accepted event.
        requestsPerAccepted: Object.fromEntries(
          Object.entries(loadRequests).map(([where, count]) => [
            where,
            Math.round((count / load.accepted) * 100) / 100,
          ]),
        ),
      },
    };
  } finally {
    await stack.stop();
  }
}
