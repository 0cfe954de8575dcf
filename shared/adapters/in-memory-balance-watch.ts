import {
  type BalanceWatch,
  LOW_BALANCE_NOTICE_GAP_MS,
  type LowBalanceNotice,
} from '../ports/balance-watch.ts';

interface BalanceState {
  /** The crossing event, while the balance is low. */
  crossingEventId?: string;
  /** When each account (by its last 4 digits) last had a notice. */
  readonly noticedAt: Map<string, string>;
}

/**
 * The low-balance state in memory, with the DynamoDB conditions: the crossing event of each
 * customer whose balance is low, and at most one notice per account per 24 hours.
 */
export class InMemoryBalanceWatch implements BalanceWatch {
  private readonly states = new Map<string, BalanceState>();

  async enterLow(
    bankId: string,
    customerId: string,
    eventId: string,
    notice: LowBalanceNotice,
  ): Promise<boolean> {
    const key = `${bankId}#${customerId}`;
    const state = this.states.get(key) ?? { noticedAt: new Map<string, string>() };
    const since = new Date(notice.at.getTime() - LOW_BALANCE_NOTICE_GAP_MS).toISOString();
    const last = state.noticedAt.get(notice.accountLast4);
    const crossing =
      state.crossingEventId === eventId ||
      (state.crossingEventId === undefined && (last === undefined || last <= since));
    if (!crossing) return false;
    state.crossingEventId = eventId;
    state.noticedAt.set(notice.accountLast4, notice.at.toISOString());
    this.states.set(key, state);
    return true;
  }

  async leaveLow(bankId: string, customerId: string): Promise<void> {
    const state = this.states.get(`${bankId}#${customerId}`);
    if (state !== undefined) delete state.crossingEventId;
  }
}
