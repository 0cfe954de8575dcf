import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Defaults that let a function module load (it reads its configuration at import); tests
    // build their handlers with their own tables and secrets through createHandler.
    env: {
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      EVENTS_TABLE: 'unused-events',
      SUBSCRIBERS_TABLE: 'unused-subscribers',
      THRESHOLDS_TABLE: 'unused-thresholds',
      ACTIVITY_TABLE: 'unused-activity',
      ALERTS_TABLE: 'unused-alerts',
      ENROLLMENTS_TABLE: 'unused-enrollments',
      NONCES_TABLE: 'unused-nonces',
      BANKS_TABLE: 'unused-banks',
      INBOUND_TABLE: 'unused-inbound',
      CALLBACKS_TABLE: 'unused-callbacks',
      GRAPH_API_BASE_URL: 'http://127.0.0.1:9',
      GRAPH_API_VERSION: 'v27.0',
      MESSENGER_PAGE_ID: '100000000000042',
      SECRET_PREFIX: 'vigil/test',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
  },
});
