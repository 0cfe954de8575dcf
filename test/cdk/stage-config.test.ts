import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { readStageConfig } from '../../cdk/stage-config.ts';
import { CURRENT_GRAPH_API_VERSION } from '../../shared/adapters/graph-api-messenger.ts';

// The Graph API version is a stage setting, defaulting to the newest one when this was written.

const base = {
  stage: 'dev',
  messengerPageId: '100000000000001',
  logLevel: 'INFO',
  apiThrottle: { rateLimit: 1, burstLimit: 1 },
};
const configWith = (context: Record<string, unknown>) =>
  readStageConfig(new App({ context: { ...base, ...context } }).node);

describe('graphApiVersion', () => {
  it('defaults to the current Graph API version', () => {
    expect(CURRENT_GRAPH_API_VERSION).toBe('v27.0');
    expect(configWith({}).graphApiVersion).toBe(CURRENT_GRAPH_API_VERSION);
  });

  it('takes another version from the context, and refuses anything that is not one', () => {
    expect(configWith({ graphApiVersion: 'v28.0' }).graphApiVersion).toBe('v28.0');
    expect(() => configWith({ graphApiVersion: 'latest' })).toThrow(
      /Invalid cdk.json context: graphApiVersion/,
    );
  });
});
