import { describe, expect, it } from 'vitest';
import { type TracedRequest, wavesOf } from '../../bench/floor.ts';

// How the floor groups a traced event's requests (bench/floor.ts): never its timings.

const request = (command: string, startedMs: number, endedMs: number): TracedRequest => ({
  command,
  table: 'activity',
  consistent: false,
  startedMs,
  endedMs,
});
const names = (waves: TracedRequest[][]) => waves.map((wave) => wave.map((r) => r.command));

describe('the waves of a traced event', () => {
  it('puts requests that overlap side by side, and a request started after they all ended in the next wave', () => {
    const waves = wavesOf([
      request('GetItem events', 0, 4),
      request('GetItem profile', 5, 12),
      request('GetItem ledger', 6, 9),
      request('GetItem merchant', 7, 11),
      request('UpdateItem ledger', 12, 15),
      request('UpdateItem events', 16, 18),
    ]);
    expect(names(waves)).toEqual([
      ['GetItem events'],
      ['GetItem profile', 'GetItem ledger', 'GetItem merchant'],
      ['UpdateItem ledger'],
      ['UpdateItem events'],
    ]);
  });

  it('keeps a chain of overlapping requests in one wave, and orders requests by their start', () => {
    const waves = wavesOf([
      request('c', 15, 25),
      request('a', 0, 10),
      request('b', 5, 20),
      request('d', 25, 30),
    ]);
    expect(names(waves)).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('has no wave without requests', () => {
    expect(wavesOf([])).toEqual([]);
  });
});
