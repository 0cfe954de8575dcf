/** The first answer to an administration request, replayed to a retry with the same nonce. */
export interface StoredAnswer {
  readonly status: number;
  readonly contentType?: string;
  readonly body?: string;
}

export type NonceClaim =
  | { readonly outcome: 'claimed' }
  /** The same request, signed again later: its answer (absent while the first is still handled). */
  | { readonly outcome: 'retry'; readonly answer?: StoredAnswer }
  /** The nonce was used for another request. */
  | { readonly outcome: 'other-request' }
  /** This very signature was seen before (its `created` is not later than the last one seen). */
  | { readonly outcome: 'replay' };

/**
 * Administration request nonces, each claimed once per bank and kept past the signature
 * tolerance, with the request's fingerprint, the latest `created` seen and the first answer.
 */
export interface NonceStore {
  claim(bankId: string, nonce: string, fingerprint: string, created: number, now: Date): Promise<NonceClaim>;
  /** Keeps the answer of a claimed request, for retries. */
  answer(bankId: string, nonce: string, answer: StoredAnswer): Promise<void>;
  /** Frees a nonce whose request failed, so that a retry runs it again. */
  release(bankId: string, nonce: string): Promise<void>;
}
