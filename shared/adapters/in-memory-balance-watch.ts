import type { BalanceWatch } from '../ports/balance-watch.ts';

/** The low-balance state in memory: the crossing event of each customer whose balance is low. */
export class InMemoryBalanceWatch implements BalanceWatch {
  private readonly crossings = new Map<string, string>();

  async enterLow(bankId: string, customerId: string, eventId: string): Promise<boolean> {
    const key = `${bankId}#${customerId}`;
    const crossing = this.crossings.get(key);
    if (crossing !== undefined && crossing !== eventId) return false;
    this.crossings.set(key, eventId);
    return true;
  }

  async leaveLow(bankId: string, customerId: string): Promise<void> {
    this.crossings.delete(`${bankId}#${customerId}`);
  }
}
