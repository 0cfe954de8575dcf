/** A bank as Vigil shows it to customers and calls it back. */
export interface BankProfile {
  readonly bankId: string;
  /** Shown to customers: "ACME Bank". */
  readonly name: string;
  readonly callbackUrl?: string;
  /** Time zone of the times shown in messages, e.g. Europe/Paris. */
  readonly timeZone?: string;
  /** Minutes a customer has to answer a fraud check (docs/contract.md#alert-lifecycle: 60 by default). */
  readonly alertExpiryMinutes?: number;
  /** The bank's approved Messenger utility template, for alerts outside the 24 h window. */
  readonly utilityTemplate?: UtilityTemplate;
}

/**
 * A utility message template approved for the bank's page. `parameters` lists, in the order of
 * the template's `{{1}}`, `{{2}}`... placeholders, which alert field fills each one.
 */
export interface UtilityTemplate {
  readonly name: string;
  readonly language: string;
  readonly parameters: readonly TemplateParameter[];
}

export type TemplateParameter = 'bankName' | 'cardLast4' | 'amount' | 'merchant' | 'time';

export const DEFAULT_ALERT_EXPIRY_MINUTES = 60;
