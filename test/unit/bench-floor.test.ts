import { describe, expect, it } from 'vitest';
import {
  replayInput,
  replayItem,
  type TracedIdentity,
  type TracedRequest,
  wavesOf,
} from '../../bench/floor.ts';

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

describe('a traced request replayed for another event and customer', () => {
  const identity: TracedIdentity = {
    bankId: 'demo-bank',
    customerId: 'cus_floor',
    eventIds: ['evt_abc', 'txn_floor_2'],
  };
  const traced = (
    command: string,
    table: TracedRequest['table'],
    input: Record<string, unknown>,
  ): TracedRequest => ({ command, table, consistent: false, startedMs: 0, endedMs: 1, input });

  it('puts the event on a fresh key of its own, keeping the put condition', () => {
    const put = traced('PutItem', 'events', {
      TableName: 'vigil-events',
      Item: { eventKey: 'demo-bank#evt_abc', customerKey: 'hmac-of-customer', transactionId: 'txn_floor_2' },
      ConditionExpression: 'attribute_not_exists(eventKey)',
    });
    const first = replayInput(put, identity, 7, 3, 'floor-events');
    const second = replayInput(put, identity, 8, 3, 'floor-events');
    expect(first).toEqual({
      TableName: 'floor-events',
      Item: {
        eventKey: 'demo-bank#evt_abc~7',
        customerKey: 'hmac-of-customer~3',
        transactionId: 'txn_floor_2~7',
      },
      ConditionExpression: 'attribute_not_exists(eventKey)',
    });
    expect((second.Item as Record<string, unknown>).eventKey).toBe('demo-bank#evt_abc~8');
    // The traced input is left as it was, for the next replay.
    expect((put.input?.Item as Record<string, unknown> | undefined)?.eventKey).toBe('demo-bank#evt_abc');
  });

  it("spreads a hashed history key by customer, and names the event's ledger entry after the event", () => {
    const update = traced('UpdateItem', 'activity', {
      TableName: 'vigil-activity',
      Key: { counterKey: 'hash-of-ref', bucket: 'history' },
      UpdateExpression: 'SET #entry = :entry, #version = :next',
      ConditionExpression: '#version = :version',
      ExpressionAttributeNames: { '#entry': 'tx:1700:evt_abc', '#version': 'version' },
      ExpressionAttributeValues: { ':entry': { amount: 1250 }, ':next': 3, ':version': 2 },
    });
    const input = replayInput(update, identity, 12, 5, 'floor-activity');
    expect(input.Key).toEqual({ counterKey: 'hash-of-ref~5', bucket: 'history~5' });
    expect(input.ExpressionAttributeNames).toEqual({ '#entry': 'tx:1700:evt_abc~12', '#version': 'version' });
    expect(input.ConditionExpression).toBe('#version = :version');
    // Another customer's event writes another item.
    expect(replayInput(update, identity, 13, 6, 'floor-activity').Key).toEqual({
      counterKey: 'hash-of-ref~6',
      bucket: 'history~6',
    });
  });

  it("keeps the bank's id and gives a Query over the customer's keys the replayed customer's", () => {
    const query = traced('Query', 'thresholds', {
      TableName: 'vigil-thresholds',
      KeyConditionExpression: 'bankId = :b AND #s BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#s': 'scope' },
      ExpressionAttributeValues: {
        ':b': 'demo-bank',
        ':from': 'customer#cus_floor',
        ':to': 'customer#cus_floor#preferences',
      },
    });
    expect(replayInput(query, identity, 1, 9, 'floor-thresholds').ExpressionAttributeValues).toEqual({
      ':b': 'demo-bank',
      ':from': 'customer#cus_floor~9',
      ':to': 'customer#cus_floor~9#preferences',
    });
  });

  it('copies a read item with the keys the replayed reads use', () => {
    const get = traced('GetItem', 'subscribers', {
      TableName: 'vigil-subscribers',
      Key: { bankId: 'demo-bank', customerId: 'cus_floor' },
    });
    const item = replayItem(
      'subscribers',
      { bankId: 'demo-bank', customerId: 'cus_floor', psid: 'psid_cus_floor', status: 'active' },
      identity,
      4,
    );
    expect(item).toEqual({
      bankId: 'demo-bank',
      customerId: 'cus_floor~4',
      psid: 'psid_cus_floor~4',
      status: 'active',
    });
    expect(replayInput(get, identity, 99, 4, 'floor-subscribers').Key).toEqual({
      bankId: item.bankId,
      customerId: item.customerId,
    });
  });
});
