import { describe, expect, it } from 'vitest';
import { billedReadUnits, isFixedCostRead } from '../../bench/pipeline.ts';

// The bench counts per transaction only the reads a transaction makes; the scheduled functions'
// reads and the caches' refreshes are reported apart, per minute.

const read = (command: string, table: string, more: Partial<Parameters<typeof isFixedCostRead>[0]> = {}) =>
  isFixedCostRead({ command, tableName: `vigil-${table}`, consistent: false, ...more });

describe('the bench’s fixed-cost reads', () => {
  it('are the scheduled functions’ reads and the cached ones', () => {
    expect(read('Scan', 'banks')).toBe(true);
    expect(read('Query', 'alerts', { indexName: 'openByDeadline' })).toBe(true);
    expect(read('Query', 'callbacks', { indexName: 'dueByBank' })).toBe(true);
    expect(read('GetItem', 'banks', { key: { bankId: 'demo-bank' } })).toBe(true);
    expect(read('GetItem', 'thresholds', { key: { bankId: 'b', scope: 'default' } })).toBe(true);
    expect(read('GetItem', 'activity', { key: { counterKey: 'b#marked#merchants', bucket: 'marked' } })).toBe(
      true,
    );
  });

  it('never take a read a transaction makes', () => {
    expect(read('GetItem', 'banks', { consistent: true })).toBe(false);
    expect(read('GetItem', 'thresholds', { key: { bankId: 'b', scope: 'customer#default' } })).toBe(false);
    expect(read('Query', 'thresholds')).toBe(false);
    expect(read('GetItem', 'activity', { key: { counterKey: 'b#c1', bucket: 'profile' } })).toBe(false);
    expect(read('GetItem', 'activity', { key: { counterKey: 'b#merchant#x', bucket: 'compromised' } })).toBe(
      false,
    );
    expect(read('GetItem', 'subscribers')).toBe(false);
    expect(read('Query', 'alerts', { indexName: 'byCustomerRef' })).toBe(false);
    expect(read('Query', 'alerts', { indexName: 'byRef' })).toBe(false);
    expect(read('Query', 'alerts')).toBe(false);
    expect(read('Scan', 'events')).toBe(false);
  });

  it('count a read that found nothing at DynamoDB’s smallest read', () => {
    expect(billedReadUnits(0, false)).toBe(0.5);
    expect(billedReadUnits(0, true)).toBe(1);
    expect(billedReadUnits(1.5, false)).toBe(1.5);
  });
});
