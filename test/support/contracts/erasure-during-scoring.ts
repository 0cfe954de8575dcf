import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { BankEvent } from '../../../shared/domain/bank-event.ts';
import {
  type ScoreBankEventPorts,
  type ScoreOutcome,
  scoreBankEvent,
} from '../../../shared/domain/score-bank-event.ts';
import { type StoredEvent, toStoredEvent } from '../../../shared/domain/stored-event.ts';
import { cardTransaction, suspiciousTransaction } from '../../fixtures/bank-events.ts';

/** Scoring's ports over one set of stores, and the eraser over the same stores. */
export interface ScoringWorld {
  readonly ports: ScoreBankEventPorts;
  /** Stores the event, as ingest does. */
  store(event: StoredEvent): Promise<void>;
  /** Erases the customer as the eraser does: marker, subscription, marker moved to now, deletes. */
  erase(bankId: string, customerId: string, erasureRef: string): Promise<void>;
  /**
   * What is left about the customer, or of their events, in the stores the world can see:
   * nothing after an erasure.
   */
  leftovers(
    bankId: string,
    customerId: string,
    erasureRef: string,
    eventIds: readonly string[],
  ): Promise<unknown[]>;
}

type Moment =
  | 'before the history read'
  | 'between the history read and its write'
  | 'after the history write'
  | 'after everything';

const BANK = 'acme';

/**
 * Erasure wins every race (docs/security.md, "Erasure"), with the erasure as a condition of the
 * history write: an erasure landing at any point of a card transaction's scoring leaves nothing
 * of the customer. A transaction without an alert reads no erasure marker (its history read and
 * conditional write stand for both checks); one with an alert reads it once, after the alert.
 */
export function erasureDuringScoringContract(name: string, make: () => Promise<ScoringWorld>) {
  describe(`${name}: an erasure during a card transaction's scoring`, () => {
    const moments: Moment[] = [
      'before the history read',
      'between the history read and its write',
      'after the history write',
      'after everything',
    ];
    for (const alerting of [false, true]) {
      for (const moment of moments) {
        it(`${alerting ? 'an alerting' : 'a normal'} transaction, erasure ${moment}: nothing of the customer is left`, async () => {
          const world = await make();
          const customer = `cus_${randomUUID()}`;
          const ref = `er_${randomUUID()}`;
          const at = new Date(Date.now() - 60_000).toISOString();
          const body: BankEvent = alerting
            ? { ...suspiciousTransaction(customer, `txn_${randomUUID()}`), occurredAt: at }
            : cardTransaction({
                customerId: customer,
                occurredAt: at,
                transaction: { id: `txn_${randomUUID()}` },
              });
          // Received a moment before the erasure.
          const event = toStoredEvent(BANK, `evt_${randomUUID()}`, body, new Date(Date.now() - 1000), {
            erasureRef: ref,
          });
          await world.store(event);
          const erase = () => world.erase(BANK, customer, ref);
          let markerReads = 0;
          const erasures = Object.create(world.ports.erasures) as ScoreBankEventPorts['erasures'];
          erasures.erasedAt = (...args) => {
            markerReads++;
            return world.ports.erasures.erasedAt(...args);
          };
          const history = Object.create(world.ports.history) as ScoreBankEventPorts['history'];
          history.record = async (bankId, customerId, entry, sighting, settings, now, decide, erasable) => {
            const recorded = await world.ports.history.record(
              bankId,
              customerId,
              entry,
              sighting,
              settings,
              now,
              decide &&
                (async (update) => {
                  // Called between the read and the conditional write.
                  if (moment === 'between the history read and its write') await erase();
                  return decide(update);
                }),
              erasable,
            );
            // Before the alert is filed (an alerting transaction) or scoring ends (a normal one,
            // whose entry is the record that it was scored: no "scored" mark).
            if (moment === 'after the history write') await erase();
            return recorded;
          };
          if (moment === 'before the history read') await erase();
          const outcome: ScoreOutcome = await scoreBankEvent(event, {
            ...world.ports,
            erasures,
            history,
          });
          if (moment === 'after everything') await erase();

          const found =
            moment === 'before the history read' || moment === 'between the history read and its write';
          // Found by the history read or by the failed conditional write; after the writes, an
          // alerting transaction finds it with its one marker read.
          const erased = found || (alerting && moment === 'after the history write');
          expect(outcome.type).toBe(erased ? 'erased' : 'card.transaction');
          if (!erased) expect(outcome).toMatchObject({ alertCreated: alerting });
          expect(markerReads).toBe(alerting && !found ? 1 : 0);
          expect(await world.leftovers(BANK, customer, ref, [event.eventId])).toEqual([]);

          // The marker stays, and holds the erasure: an event received before it still loses.
          expect(await world.ports.erasures.erasedAt(ref)).toBeDefined();
          const late = toStoredEvent(BANK, `evt_${randomUUID()}`, body, new Date(Date.now() - 2000), {
            erasureRef: ref,
          });
          await world.store(late);
          expect((await scoreBankEvent(late, world.ports)).type).toBe('erased');
          expect(await world.leftovers(BANK, customer, ref, [event.eventId, late.eventId])).toEqual([]);
        });
      }
    }
  });
}
