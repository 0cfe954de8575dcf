/** Merchants a bank has confirmed fraud at, for a while (docs/scoring.md). Never shared between banks. */
export interface CompromisedMerchants {
  /**
   * Records that a customer (`reporter`, a keyed hash: `reporterOf`) had a confirmed fraud at the
   * merchant, counting until `until`; a later report of the same customer extends it.
   */
  mark(bankId: string, merchantKey: string, reporter: string, until: Date, now: Date): Promise<void>;
  /** How many reporters other than `self` have a report at the merchant still counting at `at`. */
  reporters(bankId: string, merchantKey: string, self: string, at: Date): Promise<number>;
  /** Removes every report of the reporter at the bank (erasure of the customer). */
  forget(bankId: string, reporter: string): Promise<void>;
}

/** The deployment's key of reporter hashes (a generated secret; a fixed one offline). */
export type ReporterKey = () => Promise<string>;
