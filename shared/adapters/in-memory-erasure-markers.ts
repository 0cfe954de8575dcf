import type { ErasedDataCleaner } from '../ports/erasure.ts';

/**
 * Erasure markers in memory, for replays and tests: a replay erases no one, so scoring finds no
 * marker and forgets nothing; a marker set here is honoured as the DynamoDB one is.
 */
export class InMemoryErasureMarkers implements ErasedDataCleaner {
  private readonly markers = new Map<string, string>();
  readonly forgotten: string[] = [];

  /** As in DynamoDB, a marker is never moved back: a later erasure only extends an earlier one. */
  async mark(erasureRef: string, erasedAt: Date): Promise<void> {
    const at = erasedAt.toISOString();
    const previous = this.markers.get(erasureRef);
    if (previous === undefined || previous < at) this.markers.set(erasureRef, at);
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
