import * as z from 'zod/mini';
import { _isoDateTime } from 'zod/v4/core';
import en from 'zod/v4/locales/en.js';

// zod's mini API (docs/capacity-and-cost.md, "Bundles"): the same checks and issues as the classic
// API, in a fraction of the bytes of each Lambda bundle. Classic zod sets its English messages on
// import; zod/mini sets none, so they are set here, once, for any issue no schema and no
// `explainIssue` words itself. Every schema module takes zod from here.
z.config(en());

export * from 'zod/mini';

/**
 * `z.iso.datetime`, the same schema, without `z.iso`'s other formats: `z.iso` is a namespace
 * object, which esbuild bundles whole (its date, time and duration schemas and their patterns).
 */
export function isoDateTime(params?: Parameters<typeof z.iso.datetime>[0]): z.ZodMiniISODateTime {
  return _isoDateTime(z.ZodMiniISODateTime, params);
}
