import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';

// Bundle size and cold import time of every function, bundled as Lambda gets it but with the AWS
// SDK inside (the worst case), against a baseline that only sends one GetItem.

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
const FUNCTIONS = [
  'receive-bank-event',
  'bank-admin',
  'score-bank-event',
  'messenger-webhook',
  'notify-customer',
  'notify-bank',
  'deliver-callbacks',
  'expire-alerts',
];
const IMPORT_RUNS = 10;
const SDK = /node_modules\/(@aws-sdk|@smithy|@aws-crypto|@aws\/)/;

/** Environment the function modules read at import (values only need to be well-formed). */
const ENV = {
  AWS_REGION: 'eu-west-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  ...Object.fromEntries(
    [
      'EVENTS',
      'SUBSCRIBERS',
      'THRESHOLDS',
      'ACTIVITY',
      'ALERTS',
      'ENROLLMENTS',
      'BANKS',
      'INBOUND',
      'CALLBACKS',
    ].map((table) => [`${table}_TABLE`, `bench-${table.toLowerCase()}`]),
  ),
  SECRET_PREFIX: 'vigil/bench',
  GRAPH_API_BASE_URL: 'https://graph.facebook.com',
  GRAPH_API_VERSION: 'v27.0',
  MESSENGER_PAGE_ID: '100000000000001',
};

async function bundle(entry: string, outdir: string, name: string) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    outfile: join(outdir, `${name}.mjs`),
    metafile: true,
    logLevel: 'silent',
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
  const metafile = result.metafile as Metafile;
  const output = Object.values(metafile.outputs)[0];
  let sdkBytes = 0;
  for (const [path, input] of Object.entries(output?.inputs ?? {}))
    if (SDK.test(path)) sdkBytes += input.bytesInOutput;
  await writeFile(join(outdir, `${name}.meta.json`), JSON.stringify(metafile));
  return { file: join(outdir, `${name}.mjs`), bytes: output?.bytes ?? 0, sdkBytes };
}

async function importMs(file: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < IMPORT_RUNS; i++) {
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const t=performance.now();await import(${JSON.stringify(file)});console.log(performance.now()-t)`,
      ],
      { env: { ...process.env, ...ENV } },
    );
    times.push(Number(stdout.trim()));
  }
  times.sort((a, b) => a - b);
  return Math.round((times[Math.floor(times.length / 2)] ?? 0) * 10) / 10;
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
  const baseline = await bundle(baselineEntry, outdir, 'baseline');
  const baselineImportMs = await importMs(baseline.file);
  const functions: Record<string, unknown> = {};
  for (const name of FUNCTIONS) {
    const built = await bundle(join(root, 'functions', `${name}.ts`), outdir, name);
    const ms = await importMs(built.file);
    functions[name] = {
      bytes: built.bytes,
      sizeRatio: Math.round((built.bytes / baseline.bytes) * 100) / 100,
      nonSdkBytes: built.bytes - built.sdkBytes,
      importMs: ms,
      importRatio: Math.round((ms / baselineImportMs) * 100) / 100,
    };
  }
  return { baseline: { bytes: baseline.bytes, importMs: baselineImportMs }, functions, metafiles: outdir };
}
