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
      SECRET_PREFIX: 'vigil/test',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    },
  },
});
