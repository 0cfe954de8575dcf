import { describe, expect, it } from 'vitest';
import {
  MESSAGE_COUNTER_ERASURE_HOURS_BACK,
  MESSAGE_COUNTER_TTL_SECONDS,
  messageCounterKey,
  messageCounterKeysOf,
} from '../../shared/domain/alert.ts';

// The hourly message counters are in no index: erasure deletes every key a counter of the
// customer may still be stored under (docs/decisions/0017-one-alerts-index-by-customer-and-ref.md).

const NOW = new Date('2036-03-01T12:34:56.000Z');
const HOUR = 3600_000;

describe('the message counter keys erasure deletes', () => {
  it('are the customer’s counters from the window’s first hour to the next hour, oldest first', () => {
    const keys = messageCounterKeysOf('acme', 'c1', NOW);
    expect(keys).toHaveLength(MESSAGE_COUNTER_ERASURE_HOURS_BACK + 2);
    expect(keys.at(-1)).toBe('acme#messages#c1#2036-03-01T13');
    expect(keys.at(-2)).toBe(messageCounterKey('acme', 'c1', NOW));
    expect(keys[0]).toBe(
      messageCounterKey('acme', 'c1', new Date(NOW.getTime() - MESSAGE_COUNTER_ERASURE_HOURS_BACK * HOUR)),
    );
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.every((key) => key.startsWith('acme#messages#c1#'))).toBe(true);
  });

  it('cover every counter still alive, and one two days past its TTL', () => {
    const keys = new Set(messageCounterKeysOf('acme', 'c1', NOW));
    // The last count of an hour at its end, kept MESSAGE_COUNTER_TTL_SECONDS after it.
    const lastAlive = NOW.getTime() - MESSAGE_COUNTER_TTL_SECONDS * 1000 - HOUR;
    for (let at = lastAlive; at <= NOW.getTime(); at += HOUR / 4)
      expect(keys.has(messageCounterKey('acme', 'c1', new Date(at)))).toBe(true);
    expect(keys.has(messageCounterKey('acme', 'c1', new Date(lastAlive - 48 * HOUR)))).toBe(true);
  });

  it('are this hour’s, the last and the next with a window of one hour back', () => {
    expect(messageCounterKeysOf('acme', 'c1', NOW, 1)).toEqual([
      'acme#messages#c1#2036-03-01T11',
      'acme#messages#c1#2036-03-01T12',
      'acme#messages#c1#2036-03-01T13',
    ]);
  });
});
