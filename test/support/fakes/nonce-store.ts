import type { NonceClaim, NonceStore, StoredAnswer } from '../../../shared/ports/nonce-store.ts';

/** How long the DynamoDB store keeps a nonce (shared/adapters/dynamodb-nonce-store.ts). */
const KEEP_SECONDS = 60 * 60;

interface Item {
  fingerprint: string;
  lastCreated: number;
  expiresAt: number;
  answer?: StoredAnswer;
}

/** The nonces table in memory: one nonce per bank, its fingerprint, latest `created` and answer. */
export class FakeNonceStore implements NonceStore {
  private readonly items = new Map<string, Item>();

  async claim(
    bankId: string,
    nonce: string,
    fingerprint: string,
    created: number,
    now: Date,
  ): Promise<NonceClaim> {
    const key = `${bankId}#${nonce}`;
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const item = this.items.get(key);
    if (item === undefined || item.expiresAt < nowSeconds) {
      this.items.set(key, { fingerprint, lastCreated: created, expiresAt: nowSeconds + KEEP_SECONDS });
      return { outcome: 'claimed' };
    }
    if (item.fingerprint !== fingerprint) return { outcome: 'other-request' };
    if (item.lastCreated >= created) return { outcome: 'replay' };
    item.lastCreated = created;
    return { outcome: 'retry', ...(item.answer !== undefined && { answer: { ...item.answer } }) };
  }

  async answer(bankId: string, nonce: string, answer: StoredAnswer): Promise<void> {
    const item = this.items.get(`${bankId}#${nonce}`);
    if (item === undefined) throw new Error('No such nonce.');
    item.answer = { ...answer };
  }

  async release(bankId: string, nonce: string): Promise<void> {
    this.items.delete(`${bankId}#${nonce}`);
  }
}
