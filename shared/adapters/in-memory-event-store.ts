import { eventKeyOf, type StoredEvent } from '../domain/stored-event.ts';
import type { EventStore, PutEventResult, ScoringOutcome } from '../ports/event-store.ts';

/**
 * The events table in memory. As in DynamoDB, only a stored event is marked scored: one that is
 * not (expired, erased) stays absent.
 */
export class InMemoryEventStore implements EventStore {
  private readonly events = new Map<string, StoredEvent>();
  private readonly scored = new Map<string, ScoringOutcome>();

  async putIfAbsent(event: StoredEvent): Promise<PutEventResult> {
    const existing = this.events.get(event.eventKey);
    if (existing !== undefined) return { stored: false, existing };
    this.events.set(event.eventKey, event);
    return { stored: true };
  }

  async isScored(bankId: string, eventId: string): Promise<boolean> {
    return this.scored.has(eventKeyOf(bankId, eventId));
  }

  async markScored(bankId: string, eventId: string, outcome: ScoringOutcome): Promise<void> {
    const key = eventKeyOf(bankId, eventId);
    if (this.events.has(key)) this.scored.set(key, outcome);
  }
}
