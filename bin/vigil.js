#!/usr/bin/env node
// The `vigil` operator CLI, run from its TypeScript source, however it is started: npx vigil,
// npm exec vigil, a global install, node bin/vigil.js.
import { register } from 'tsx/esm/api';

// The SDK's notice about future Node.js versions is for developers, not for operators' output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// `vigil backtest` makes a few short-lived objects per event: with a larger young generation (V8's
// semi-space, 64 MiB instead of 16) the garbage collector takes a smaller share of the replay
// (docs/scoring.md, "Backtesting"). A heap flag only counts at start, so the command runs itself
// again with it.
const SEMI_SPACE = '--max-semi-space-size';
if (process.argv[2] === 'backtest' && !process.execArgv.some((flag) => flag.startsWith(SEMI_SPACE))) {
  const { spawnSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const child = spawnSync(
    process.execPath,
    [`${SEMI_SPACE}=64`, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  process.exit(child.status ?? 1);
}
register();
const { main } = await import('../cli/vigil.ts');
await main(process.argv.slice(2));
