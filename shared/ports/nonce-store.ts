/** The first answer to an administration request, replayed to a retry with the same nonce. */
export interface StoredAnswer {
  readonly status: number;
  readonly contentType?: string;
  readonly body?: string;
}

export type NonceClaim =
  | { readonly claimed: true }
  | {
      readonly claimed: false;
      /** The request the nonce was first used for. */
      readonly fingerprint: string;
      /** Its answer; absent while it is still being handled. */
      readonly answer?: StoredAnswer;
    };

/** Administration request nonces, each claimed once per bank and kept past the signature tolerance. */
export interface NonceStore {
  claim(bankId: string, nonce: string, fingerprint: string, now: Date): Promise<NonceClaim>;
  /** Keeps the answer of a claimed request, for retries. */
  answer(bankId: string, nonce: string, answer: StoredAnswer): Promise<void>;
  /** Frees a nonce whose request failed, so that a retry runs it again. */
  release(bankId: string, nonce: string): Promise<void>;
}
