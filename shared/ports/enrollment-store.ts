export interface Enrollment {
  /** SHA-256 of the token: the token itself is never stored. */
  readonly tokenHash: string;
  readonly enrollmentId: string;
  readonly bankId: string;
  readonly customerId: string;
  readonly customerKey: string;
  readonly locale: string;
  readonly createdAt: string;
  /** Epoch seconds: the token's end of validity, and the item's TTL. */
  readonly expiresAt: number;
  readonly used: boolean;
}

export type EnrollmentClaim =
  | { readonly claimed: true; readonly enrollment: Enrollment }
  | { readonly claimed: false; readonly reason: 'unknown' | 'used' | 'expired' };

/** Single-use enrollment tokens. */
export interface EnrollmentStore {
  create(enrollment: Enrollment): Promise<void>;
  /** Uses the token once: only an unused, unexpired token is claimed, and only once. */
  claim(tokenHash: string, now: Date): Promise<EnrollmentClaim>;
}
