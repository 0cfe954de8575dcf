// npm run load [-- EVENTS] [-- CONCURRENCY] [-- MAX_SECONDS]: a bounded load on local mode over
// loopback (default 20,000 events over 5,000 customers, one in ten a duplicate delivery, one in ten
// suspicious, 32 clients, at most 900 s), then checks that every accepted event was scored and counts the
// alerts. Stops by itself: past the time limit it stops sending, stops waiting and fails.

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const [events = '20000', concurrency = '32', maxSeconds = '900'] = process.argv.slice(2);
const { loadLocalMode } = await import('./pipeline.ts');
const result = await loadLocalMode(Number(events), Number(concurrency), Number(maxSeconds));
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(result.lost === 0 ? 0 : 1);
