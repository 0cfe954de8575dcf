import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// zod's mini API (docs/capacity-and-cost.md, "Bundles"): the same checks and issues as the classic
// API, in a fraction of the bytes of each Lambda bundle. Classic zod sets its English messages on
// import; zod/mini sets none, so they are set here, once, for any issue no schema and no
// `explainIssue` words itself. Every schema module takes zod from here.
z.config(en());

export * from 'zod/mini';
