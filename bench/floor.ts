import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
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
      try {
        return await next(args);
      } finally {
        inFlight--;
        requests.push({
          command,
          table,
          consistent: input.ConsistentRead === true,
          startedMs,
          endedMs: performance.now(),
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

/**
 * Replays an event's waves on copies of the tables that no function reads, each event on keys of
 * its own (50 customers, as the load has), with local mode's concurrency: `clients` senders run the
 * ingest waves, as many as the load's clients; the scoring waves run for up to
 * `parallelizationFactor × batchSize` events at once, as the events stream's consumer scores
 * them (its lanes side by side, a batch's records side by side). Events per second through both,
 * over `seconds`, on the same DynamoDB Local.
 */
export async function floorEventsPerSecond(
  stack: Stack,
  trace: EventTrace,
  options: { readonly clients: number; readonly seconds: number },
) {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient(localAwsConfig(stack.dynamoDbEndpoint)));
  const names = tableNamesWithPrefix(`floor${Date.now().toString(36)}`);
  await createTables(new DynamoDBClient(localAwsConfig(stack.dynamoDbEndpoint)), names);
  const payload = 'x'.repeat(200);
  const send = async (request: TracedRequest, n: number) => {
    const definition = tableDefinitions[request.table];
    const sortKey = 'sortKey' in definition ? definition.sortKey : undefined;
    const key = {
      [definition.partitionKey.name]: `floor#${n % 50}`,
      ...(sortKey && { [sortKey.name]: `s#${n}` }),
    };
    const TableName = names[request.table];
    if (/^(Get|BatchGet)/.test(request.command))
      await client.send(new GetCommand({ TableName, Key: key, ConsistentRead: request.consistent }));
    else if (/^(Query|Scan)/.test(request.command))
      await client.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: '#k = :k',
          ExpressionAttributeNames: { '#k': definition.partitionKey.name },
          ExpressionAttributeValues: { ':k': key[definition.partitionKey.name] },
          ConsistentRead: request.consistent,
          Limit: 5,
        }),
      );
    else if (/^Put/.test(request.command))
      await client.send(new PutCommand({ TableName, Item: { ...key, customerKey: `c#${n % 50}`, payload } }));
    else
      await client.send(
        new UpdateCommand({
          TableName,
          Key: key,
          UpdateExpression: 'SET payload = :p',
          ExpressionAttributeValues: { ':p': payload },
        }),
      );
  };
  const run = async (waves: EventTrace['ingest'], n: number) => {
    for (const wave of waves) await Promise.all(wave.map((request) => send(request, n)));
  };

  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  let next = 0;
  let scored = 0;
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
      if (performance.now() <= deadline) scored++;
    }
  };
  const consumers = scoringStream.parallelizationFactor * scoringStream.batchSize;
  await Promise.all([
    ...Array.from({ length: options.clients }, ingestWorker),
    ...Array.from({ length: consumers }, scoringWorker),
  ]);
  const seconds = (Math.min(performance.now(), deadline) - started) / 1000;
  return {
    eventsPerSecond: Math.round(scored / seconds),
    clients: options.clients,
    consumers,
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
