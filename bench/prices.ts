// The one price table of the cost figures (`npm run bench`, docs/capacity-and-cost.md). AWS list
// prices for us-east-1 (N. Virginia), on-demand, without the free tier, as published on the
// pricing pages below when this table was dated. Check them before relying on a figure: prices
// change, and other regions differ.

export const PRICES = {
  region: 'us-east-1',
  date: '2026-11-29',
  sources: [
    'https://aws.amazon.com/lambda/pricing/',
    'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    'https://aws.amazon.com/api-gateway/pricing/',
    'https://aws.amazon.com/waf/pricing/',
    'https://aws.amazon.com/secrets-manager/pricing/',
    'https://aws.amazon.com/cloudwatch/pricing/',
  ],
  lambda: {
    /** Per request (invocation). */
    requestUsd: 0.2 / 1e6,
    /** Per GB-second on arm64 (Graviton), the first 7.5 billion GB-s a month. */
    gbSecondArmUsd: 0.0000133334,
  },
  dynamoDb: {
    /** On-demand, per write request unit (1 KB). */
    writeRequestUnitUsd: 0.625 / 1e6,
    /** On-demand, per read request unit (4 KB strongly consistent, 8 KB eventually). */
    readRequestUnitUsd: 0.125 / 1e6,
    /**
     * Per streams read request unit; GetRecords made by a Lambda event source mapping is free,
     * which is how Vigil reads its streams.
     */
    streamsReadRequestUsd: 0.02 / 1e5,
  },
  apiGateway: {
    /** REST API, per request, the first 333 million a month. */
    restRequestUsd: 3.5 / 1e6,
  },
  waf: {
    /** Per request inspected by a web ACL. */
    requestUsd: 0.6 / 1e6,
    /** Per web ACL and per rule, a month. */
    webAclMonthUsd: 5,
    ruleMonthUsd: 1,
  },
  secretsManager: {
    /** Per API call (GetSecretValue); the functions cache secrets for 5 minutes. */
    apiCallUsd: 0.05 / 1e4,
    secretMonthUsd: 0.4,
  },
  cloudWatchLogs: {
    /** Standard log class, per GB ingested. */
    ingestedGbUsd: 0.5,
  },
} as const;

export type Prices = typeof PRICES;
