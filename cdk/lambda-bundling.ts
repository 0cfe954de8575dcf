// How every Lambda function is bundled: read by the stack (cdk/app-function.ts) and by the bundle
// bench (bench/bundles.ts), so that the bench measures the bundles Lambda runs.

/** The runtime's Node.js major version, as esbuild's target. */
export const LAMBDA_TARGET = 'node22';

/** ES module builds of dependencies first: only those tree-shake. */
export const LAMBDA_MAIN_FIELDS = ['module', 'main'];

/** Some dependencies still call require(); ESM bundles need it defined. */
export const LAMBDA_BANNER =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/** The functions run with source maps on (`NODE_OPTIONS`), so errors point into the TypeScript. */
export const LAMBDA_NODE_OPTIONS = '--enable-source-maps';

/**
 * Non-ASCII characters as they are (UTF-8), not as `\uXXXX` escapes: the message texts' typographic
 * quotes and the country and currency data are a few hundred bytes smaller. Node reads ES modules
 * as UTF-8.
 */
export const LAMBDA_CHARSET = 'utf8';

/**
 * No "Bundled license information" block: the only comments esbuild keeps as legal ones in these
 * bundles are Powertools' coverage hints (`v8 ignore next -- @preserve`), not licence texts
 * (docs/capacity-and-cost.md, "Bundles").
 */
export const LAMBDA_LEGAL_COMMENTS = 'none';
