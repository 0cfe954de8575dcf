/** The secrets a bank shares with Vigil. */
export interface BankSecrets {
  /**
   * The bank's currently valid request signing secrets (`whsec_...`): one, or two during a
   * rotation. Empty when the bank is unknown.
   */
  signingSecrets(bankId: string): Promise<readonly string[]>;
  /** The secret Vigil signs the bank's callbacks with, or undefined when the bank has none. */
  callbackSecret(bankId: string): Promise<string | undefined>;
}
