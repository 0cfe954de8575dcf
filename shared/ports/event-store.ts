import type { StoredEvent } from '../domain/stored-event.ts';

export type PutEventResult =
  | { readonly stored: true }
  | { readonly stored: false; readonly existing: StoredEvent };

/** The durable record of accepted bank events; its change stream is the scoring queue. */
export interface ScoringOutcome {
  readonly score?: number;
  readonly alertId?: string;
}

export interface EventStore {
  /** Stores the event unless one with the same bank and event id exists, which is returned instead. */
  putIfAbsent(event: StoredEvent): Promise<PutEventResult>;
  /** True when the event was scored before (a redelivery). */
  isScored(bankId: string, eventId: string): Promise<boolean>;
  /** Marks a stored event as scored; an event that has expired or been erased is left absent. */
  markScored(bankId: string, eventId: string, outcome: ScoringOutcome): Promise<void>;
}
