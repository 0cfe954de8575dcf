#!/usr/bin/env node
// The `vigil` operator CLI, run from its TypeScript source, however it is started: npx vigil,
// npm exec vigil, a global install, node bin/vigil.js.
import { register } from 'tsx/esm/api';

// The SDK's notice about future Node.js versions is for developers, not for operators' output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('../cli/vigil.ts');
await main(process.argv.slice(2));
