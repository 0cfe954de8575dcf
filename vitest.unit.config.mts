import { defineConfig } from 'vitest/config';
import full from './vitest.config.mts';

/**
 * The fast run (`npm run test:unit`): domain logic, use cases on the in-memory fakes of
 * test/support/fakes/, and schemas. No DynamoDB Local (so no Java), no Python, no browser.
 * The full run (vitest.config.mts) includes these files too.
 */
export default defineConfig({
  test: {
    ...full.test,
    include: ['test/unit/**/*.test.ts'],
    globalSetup: [],
    coverage: {
      provider: 'v8',
      include: ['shared/domain/**/*.ts'],
      reporter: ['text-summary', 'text'],
      // At least 95 % lines and branches; raised to what the unit tests reach (README, "Scripts").
      thresholds: { lines: 98, branches: 96 },
    },
  },
});
