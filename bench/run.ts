// npm run bench [-- --json] [-- --quick]: every figure of the performance and cost targets, measured
// in one run on this machine (shared and noisy: read the ratios, not the absolute numbers).

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const say = (text: string) => {
  if (!json) process.stdout.write(`${text}\n`);
};

const { benchScoring } = await import('./scoring.ts');
const { benchBundles } = await import('./bundles.ts');
const { benchPipeline } = await import('./pipeline.ts');

say('Scoring engine vs json-rules-engine...');
const scoring = await benchScoring();
say(
  `  vigil ${scoring.vigilPerSecond.toLocaleString('en-US')} tx/s, json-rules-engine ${scoring.jsonRulesEnginePerSecond.toLocaleString('en-US')} tx/s: ${scoring.ratio} x; p99 ${scoring.latencyNs.p99} ns`,
);
say('Bundles...');
const bundles = await benchBundles();
say(`  baseline ${bundles.baseline.bytes} B, import ${bundles.baseline.importMs} ms`);
for (const [name, figures] of Object.entries(bundles.functions)) say(`  ${name}: ${JSON.stringify(figures)}`);
say('Pipeline in local mode (ingest overhead, capacity units, load)...');
const pipeline = await benchPipeline(
  quick
    ? { ingest: 200, capacity: 10, load: 500, concurrency: 16 }
    : { ingest: 1000, capacity: 30, load: 5000, concurrency: 32 },
);
say(`  ingest ${JSON.stringify(pipeline.ingest)}`);
say(`  capacity ${JSON.stringify(pipeline.capacity)}`);
say(`  load ${JSON.stringify(pipeline.load)}`);

const result = { measuredAt: new Date().toISOString(), scoring, bundles, ...pipeline };
if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
