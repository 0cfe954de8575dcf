import type { ErasedDataCleaner } from '../ports/erasure.ts';

/**
 * Erasure markers in memory, for replays and tests: a replay erases no one, so scoring finds no
 * marker and forgets nothing; a marker set here is honoured as the DynamoDB one is.
 */
export class InMemoryErasureMarkers implements ErasedDataCleaner {
  private readonly markers = new Map<string, string>();
  private readonly listeners: ((erasureRef: string) => void)[] = [];
  readonly forgotten: string[] = [];

  /**
   * As in DynamoDB, a marker is never moved back: a later erasure only extends an earlier one.
   * Marking replaces the ref's history, as the DynamoDB marker replaces the history item.
   */
  async mark(erasureRef: string, erasedAt: Date): Promise<void> {
    const at = erasedAt.toISOString();
    const previous = this.markers.get(erasureRef);
    if (previous !== undefined && previous >= at) return;
    this.markers.set(erasureRef, at);
    for (const listener of this.listeners) listener(erasureRef);
  }

  /** Called on each erasure marked: the in-memory history forgets the ref's customer. */
  onMark(listener: (erasureRef: string) => void): void {
    this.listeners.push(listener);
  }

  async erasedAt(erasureRef: string): Promise<string | undefined> {
    return this.markers.get(erasureRef);
  }

  async forgetScoring(_bankId: string, _customerId: string, eventId: string): Promise<void> {
    this.forgotten.push(eventId);
  }

  async forgetAlert(alertId: string): Promise<void> {
    this.forgotten.push(alertId);
  }
}
