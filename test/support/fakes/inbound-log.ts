import type { InboundLog } from '../../../shared/ports/inbound-log.ts';

/** The inbound table in memory: one claim per Messenger delivery key. */
export class FakeInboundLog implements InboundLog {
  readonly claimed = new Set<string>();

  async claim(key: string): Promise<boolean> {
    if (this.claimed.has(key)) return false;
    this.claimed.add(key);
    return true;
  }

  async release(key: string): Promise<void> {
    this.claimed.delete(key);
  }
}
