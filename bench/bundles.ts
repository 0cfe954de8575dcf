import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';
import {
  LAMBDA_BANNER,
  LAMBDA_CHARSET,
  LAMBDA_LEGAL_COMMENTS,
  LAMBDA_MAIN_FIELDS,
  LAMBDA_NODE_OPTIONS,
  LAMBDA_TARGET,
} from '../cdk/lambda-bundling.ts';
import { tableEnvironmentVariable, tableKeys } from '../shared/runtime/table-definitions.ts';
import { firstEvents } from './first-invocations.ts';
import type { BundleFigures, Contributor } from './report.ts';

// Bundle size and cold start of every function, bundled with the stack's options
// (cdk/lambda-bundling.ts) but with the AWS SDK inside (the worst case), against a baseline that
// only sends one GetItem. The cold start is the FIRST INVOCATION in a fresh `node`: the import
// and one call with the function's first event (bench/first-invocations.ts), up to its first AWS
// request, which a loopback port refuses; the baseline's is its import and its GetItem.

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
const RUNS = 10;
const TOP = 12;
/** The AWS SDK's own packages; what only they import counts as the SDK too (see sdkInputs). */
const SDK = /node_modules\/(@aws-sdk|@smithy|@aws-crypto|@aws\/)/;

/** Environment the functions read (values only need to be well-formed; AWS is the loopback port). */
const environment = (port: number) => ({
  PATH: process.env.PATH ?? '',
  NODE_OPTIONS: LAMBDA_NODE_OPTIONS,
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
  AWS_MAX_ATTEMPTS: '1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_SERVICE_NAME: 'vigil',
  POWERTOOLS_METRICS_NAMESPACE: 'Vigil',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  ...Object.fromEntries(tableKeys.map((table) => [tableEnvironmentVariable(table), `bench-${table}`])),
  SECRET_PREFIX: 'vigil/bench',
  GRAPH_API_BASE_URL: `http://127.0.0.1:${port}`,
  GRAPH_API_VERSION: 'v27.0',
  MESSENGER_PAGE_ID: '100000000000001',
  WHATSAPP_PHONE_NUMBER_ID: '100000000000002',
  API_BASE_URL: 'https://api.example.com',
});

/** What a fresh `node` runs: import the bundle, invoke it once, print the time it took. */
const FIRST_INVOCATION = `
const event = JSON.parse(process.env.BENCH_EVENT);
const context = { functionName: 'bench', functionVersion: '$LATEST', memoryLimitInMB: '256',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:bench', awsRequestId: 'bench',
  logGroupName: '/aws/lambda/bench', logStreamName: 'bench', callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 10000 };
const start = performance.now();
const { handler } = await import(process.env.BENCH_BUNDLE);
try { await handler(event, context); } catch {}
process.stderr.write('bench-first-invocation-ms=' + (performance.now() - start) + '\\n');
`;

/**
 * The inputs that are the AWS SDK: its packages, and any module that only SDK modules import
 * (its dependencies, such as bowser or mnemonist, which the baseline bundles too).
 */
function sdkInputs(metafile: Metafile): Set<string> {
  const importers = new Map<string, string[]>();
  for (const [path, input] of Object.entries(metafile.inputs))
    for (const { path: imported } of input.imports)
      importers.set(imported, [...(importers.get(imported) ?? []), path]);
  const sdk = new Set(Object.keys(metafile.inputs).filter((path) => SDK.test(path)));
  for (let grew = true; grew; ) {
    grew = false;
    for (const path of Object.keys(metafile.inputs)) {
      const by = importers.get(path) ?? [];
      if (!sdk.has(path) && by.length > 0 && by.every((importer) => sdk.has(importer))) {
        sdk.add(path);
        grew = true;
      }
    }
  }
  return sdk;
}

/** `zod`, `@aws-lambda-powertools/logger`, or the project's folder (`shared/domain`). */
function contributorOf(path: string): string {
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (inPackage?.[1] !== undefined) return inPackage[1];
  return path.split('/').slice(0, 2).join('/');
}

/** Bundles an entry as the stack does (the AWS SDK inside); writes `<name>.mjs` and `<name>.meta.json`. */
export async function bundle(entry: string, outdir: string, name: string) {
  const outfile = join(outdir, `${name}.mjs`);
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: LAMBDA_TARGET,
    mainFields: LAMBDA_MAIN_FIELDS,
    minify: true,
    sourcemap: true,
    banner: { js: LAMBDA_BANNER },
    charset: LAMBDA_CHARSET,
    legalComments: LAMBDA_LEGAL_COMMENTS,
    outfile,
    metafile: true,
    logLevel: 'silent',
  });
  const metafile = result.metafile as Metafile;
  const output = metafile.outputs[Object.keys(metafile.outputs).find((path) => path.endsWith('.mjs')) ?? ''];
  const sdk = sdkInputs(metafile);
  let sdkBytes = 0;
  const others = new Map<string, number>();
  for (const [path, input] of Object.entries(output?.inputs ?? {})) {
    if (sdk.has(path)) sdkBytes += input.bytesInOutput;
    else others.set(contributorOf(path), (others.get(contributorOf(path)) ?? 0) + input.bytesInOutput);
  }
  await writeFile(join(outdir, `${name}.meta.json`), JSON.stringify(metafile));
  const inputs = Object.keys(output?.inputs ?? {});
  const top: Contributor[] = [...others]
    .sort(([, a], [, b]) => b - a)
    .slice(0, TOP)
    .map(([module, bytes]) => ({ module, bytes }));
  return { file: outfile, bytes: output?.bytes ?? 0, sdkBytes, top, inputs };
}

/** A loopback port that closes every connection at once: the AWS endpoint, counting requests. */
async function refusingEndpoint() {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    take: () => {
      const counted = connections;
      connections = 0;
      return counted;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The median first invocation of a bundle in fresh `node` processes, and the AWS requests it sent. */
async function firstInvocation(
  file: string,
  event: unknown,
  endpoint: Awaited<ReturnType<typeof refusingEndpoint>>,
) {
  const times: number[] = [];
  let requests = 0;
  for (let i = 0; i < RUNS; i++) {
    const { stderr } = await run(process.execPath, ['--input-type=module', '-e', FIRST_INVOCATION], {
      env: { ...environment(endpoint.port), BENCH_BUNDLE: file, BENCH_EVENT: JSON.stringify(event) },
      maxBuffer: 16 * 1024 * 1024,
    });
    const ms = /bench-first-invocation-ms=([\d.]+)/.exec(stderr)?.[1];
    if (ms === undefined) throw new Error(`no timing from ${file}: ${stderr.slice(0, 500)}`);
    times.push(Number(ms));
    requests = endpoint.take();
  }
  times.sort((a, b) => a - b);
  return { ms: Math.round((times[Math.floor(times.length / 2)] ?? 0) * 10) / 10, requests };
}

export async function benchBundles() {
  const outdir = await mkdtemp(join(tmpdir(), 'vigil-bundles-'));
  // Inside the project, so that the entry resolves the project's AWS SDK.
  const work = join(root, 'node_modules', '.bench');
  await mkdir(work, { recursive: true });
  const baselineEntry = join(work, 'baseline-entry.mjs');
  await writeFile(
    baselineEntry,
    `import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
const client = new DynamoDBClient({});
export const handler = () => client.send(new GetItemCommand({ TableName: 't', Key: { k: { S: 'k' } } }));\n`,
  );
  const endpoint = await refusingEndpoint();
  try {
    const baseline = await bundle(baselineEntry, outdir, 'baseline');
    const baselineFirst = await firstInvocation(baseline.file, {}, endpoint);
    const events = firstEvents();
    const functions: Record<string, BundleFigures> = {};
    // Every function module, whatever its name.
    const names = (await readdir(join(root, 'functions')))
      .filter((file) => file.endsWith('.ts'))
      .map((file) => file.slice(0, -3))
      .sort();
    for (const name of names) {
      if (!(name in events)) throw new Error(`bench/first-invocations.ts has no first event for ${name}`);
      const built = await bundle(join(root, 'functions', `${name}.ts`), outdir, name);
      const first = await firstInvocation(built.file, events[name], endpoint);
      if (first.requests === 0) throw new Error(`the first event of ${name} sent no AWS request`);
      functions[name] = {
        bytes: built.bytes,
        sizeRatio: Math.round((built.bytes / baseline.bytes) * 100) / 100,
        nonSdkBytes: built.bytes - built.sdkBytes,
        importMs: first.ms,
        importRatio: Math.round((first.ms / baselineFirst.ms) * 100) / 100,
        awsRequests: first.requests,
        topNonSdk: built.top,
      };
    }
    return {
      baseline: { bytes: baseline.bytes, importMs: baselineFirst.ms },
      functions,
      metafiles: outdir,
    };
  } finally {
    await endpoint.close();
  }
}
