import { describe, expect, it } from 'vitest';
import { tracing } from '../../shared/runtime/tracing.ts';

// A function traces with the X-Ray SDK only if its module imports shared/runtime/tracer.ts.

describe('tracing', () => {
  it('is none until the X-Ray tracer is imported, then wraps the handler and every AWS client', async () => {
    const client = { send: () => undefined };
    expect(tracing().middlewares()).toEqual([]);
    expect(tracing().captureAwsClient(client)).toBe(client);

    const { tracer } = await import('../../shared/runtime/tracer.ts');
    const middlewares = tracing().middlewares();
    expect(middlewares).toHaveLength(1);
    expect(typeof middlewares[0]?.before).toBe('function');
    // Off outside Lambda: the client is handed back as it is.
    expect(tracer.isTracingEnabled()).toBe(false);
    expect(tracing().captureAwsClient(client)).toBe(client);
  });
});
