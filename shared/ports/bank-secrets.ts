/** The secrets a bank shares with Vigil. */
export interface BankSecrets {
  /**
   * The bank's currently valid request signing secrets (`whsec_...`): one, or two during a
   * rotation. Empty when the bank is unknown.
   */
  signingSecrets(bankId: string): Promise<readonly string[]>;
  /**
   * The bank's administration keys (`vadm_...`), distinct from its event signing secrets: one,
   * or two during a rotation. Empty when the bank is unknown.
   */
  adminKeys(bankId: string): Promise<readonly string[]>;
  /** The secret Vigil signs the bank's callbacks with, or undefined when the bank has none. */
  callbackSecret(bankId: string): Promise<string | undefined>;
  /** Every callback secret in use: the current one first, and during a rotation the previous one. */
  callbackSecrets(bankId: string): Promise<readonly string[]>;
}
