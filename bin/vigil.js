#!/usr/bin/env node
// The `vigil` operator CLI, run from its TypeScript source.
import { register } from 'tsx/esm/api';

register();
await import('../cli/vigil.ts');
