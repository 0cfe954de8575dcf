import { describe, expect, it } from 'vitest';
import { concurrencyLimit } from '../../local/lambda-http-server.ts';

describe("local mode's bound on a function's concurrent invocations", () => {
  it('runs at most the limit at once, the others in their order of arrival, each once', async () => {
    const limit = concurrencyLimit(3);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const releases: (() => void)[] = [];
    const all = Array.from({ length: 10 }, (_, i) =>
      limit(async () => {
        started.push(i);
        running++;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running--;
        return i;
      }),
    );
    const settle = () => new Promise((resolve) => setTimeout(resolve, 5));
    await settle();
    expect(started).toEqual([0, 1, 2]);
    // A newcomer while all slots are taken waits behind the earlier ones.
    const late = limit(async () => {
      started.push(99);
      return 99;
    });
    while (releases.length > 0) {
      releases.shift()?.();
      await settle();
    }
    expect(await Promise.all(all)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await late).toBe(99);
    expect(most).toBe(3);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 99]);
  });

  it('frees the slot of work that fails', async () => {
    const limit = concurrencyLimit(1);
    await expect(limit(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limit(async () => 'next')).toBe('next');
  });
});
