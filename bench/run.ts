// npm run bench [-- --json] [-- --quick] [-- --write-docs]: every figure of the performance and
// cost targets, measured in one run on this machine (shared and noisy: read the ratios, not the
// absolute numbers). `-- --bundles` measures the bundles only (what they weigh, why, and their
// first invocation), `-- --pipeline` runs only the pipeline in local mode (ingest, capacity, the load
// and its floor), `-- --why` lists each bundle's largest parts that are not the AWS SDK. --write-docs keeps the run in bench/recorded-run.json and rewrites the
// generated tables of docs/capacity-and-cost.md from it; `-- --docs-from FILE` rewrites them from
// a run kept earlier, without measuring.

import { readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const root = join(import.meta.dirname, '..');
const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const writeDocs = process.argv.includes('--write-docs');
const bundlesOnly = process.argv.includes('--bundles');
const pipelineOnly = process.argv.includes('--pipeline');
const why = process.argv.includes('--why');
const docsFrom = process.argv[process.argv.indexOf('--docs-from') + 1];
const say = (text: string) => {
  if (!json) process.stdout.write(`${text}\n`);
};

const { withGeneratedBlocks } = await import('./report.ts');
type BenchResult = import('./report.ts').BenchResult;

async function writeDocuments(result: BenchResult) {
  const path = join(root, 'docs', 'capacity-and-cost.md');
  await writeFile(path, withGeneratedBlocks(await readFile(path, 'utf8'), result));
  say(`Wrote the tables of ${path}.`);
}

if (process.argv.includes('--docs-from') && docsFrom !== undefined) {
  await writeDocuments(JSON.parse(await readFile(docsFrom, 'utf8')) as BenchResult);
  process.exit(0);
}

/** The pipeline in local mode: ingest overhead, capacity units, the load and its floor. */
async function pipelineFigures() {
  const { benchPipeline } = await import('./pipeline.ts');
  say('Pipeline in local mode (ingest overhead, capacity units, load)...');
  const pipeline = await benchPipeline(
    quick
      ? { ingest: 200, capacity: 10, load: 500, concurrency: 16, floorSeconds: 5, floorWarmUpSeconds: 2 }
      : { ingest: 1000, capacity: 30, load: 5000, concurrency: 32, floorSeconds: 15, floorWarmUpSeconds: 10 },
  );
  say(`  ingest ${JSON.stringify(pipeline.ingest)}`);
  say(`  capacity ${JSON.stringify(pipeline.capacity)}`);
  say(`  load ${JSON.stringify(pipeline.load)}`);
  return pipeline;
}

if (pipelineOnly) {
  const loadBefore = loadavg();
  const pipeline = await pipelineFigures();
  const loadAfter = loadavg();
  const round = (value: number) => Math.round(value * 100) / 100;
  if (json)
    process.stdout.write(
      `${JSON.stringify({
        measuredAt: new Date().toISOString(),
        quick,
        loadAverage: [round(loadBefore[0] ?? 0), round(loadAfter[0] ?? 0)],
        ...pipeline,
      })}\n`,
    );
  process.exit(0);
}

const { benchScoring } = await import('./scoring.ts');
// Bundles are built with esbuild and timed in fresh processes: nothing of the functions loads here.
const { benchBundles } = await import('./bundles.ts');

const loadBefore = loadavg();
say('Bundles...');
const { metafiles: _, ...bundles } = await benchBundles();
say(`  baseline ${bundles.baseline.bytes} B, first invocation ${bundles.baseline.importMs} ms`);
for (const [name, { topNonSdk, ...figures }] of Object.entries(bundles.functions)) {
  say(`  ${name}: ${JSON.stringify(figures)}`);
  if (why)
    for (const { module, bytes } of topNonSdk ?? []) say(`      ${String(bytes).padStart(8)} B  ${module}`);
}
if (bundlesOnly) {
  if (json) process.stdout.write(`${JSON.stringify({ bundles })}\n`);
  process.exit(0);
}
say('Scoring engine vs json-rules-engine...');
// Before anything loads the functions (the X-Ray SDK, which two of them imported until decision
// 18, hooked every promise of the process: json-rules-engine, a promise per rule, ran three
// times slower).
const scoring = await benchScoring();
const { costOf } = await import('./cost.ts');
say(
  `  vigil ${scoring.vigilPerSecond.toLocaleString('en-US')} tx/s, json-rules-engine ${scoring.jsonRulesEnginePerSecond.toLocaleString('en-US')} tx/s: ${scoring.ratio} x; p99 ${scoring.latencyNs.p99} ns`,
);
const pipeline = await pipelineFigures();
const cost = costOf({ capacity: pipeline.capacity, ingestMs: pipeline.ingest.handlerMs.p50 });
say(`  cost ${JSON.stringify({ ...cost, normal: undefined, alerting: undefined })}`);

const round = (value: number) => Math.round(value * 100) / 100;
const loadAfter = loadavg();
const result: BenchResult = {
  measuredAt: new Date().toISOString(),
  quick,
  // The 1-minute load average before and after the run: other work on the machine.
  loadAverage: [round(loadBefore[0] ?? 0), round(loadAfter[0] ?? 0)],
  scoring,
  bundles,
  ...pipeline,
  cost,
};
if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
if (writeDocs) {
  await writeFile(join(root, 'bench', 'recorded-run.json'), `${JSON.stringify(result, null, 2)}\n`);
  await writeDocuments(result);
}
