import type { AlertDisplay } from './alert.ts';

// Every text Vigil sends in Messenger, in the customer's locale. Messages show only what the
// customer agreed to see: card last 4 digits, merchant, amount and time. Never a customer id, a
// full card number, an account number or a balance (docs/contract.md#principles).

/** Messenger's limits: a text message holds at most 2,000 characters, a quick reply title 20. */
export const MESSENGER_TEXT_LIMIT = 2000;
export const QUICK_REPLY_TITLE_LIMIT = 20;

export interface QuickReply {
  /** At most 20 characters (Messenger's limit). */
  readonly title: string;
  readonly payload: string;
}

export interface OutgoingMessage {
  readonly text: string;
  readonly quickReplies?: readonly QuickReply[];
}

export type Locale = 'en_US' | 'fr_FR';

/** The supported locale closest to the customer's: French for any fr_*, English otherwise. */
export function supportedLocale(locale: string | undefined): Locale {
  return locale?.toLowerCase().startsWith('fr') ? 'fr_FR' : 'en_US';
}

/** An amount in minor units, formatted for the locale in its currency: 12500 EUR → "€125.00". */
export function formatAmount(minor: number, currency: string, locale: Locale): string {
  const format = new Intl.NumberFormat(locale.replace('_', '-'), { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}

/** "Nov 29, 10:00" or "29 nov., 10:00", in the bank's time zone. */
export function formatTime(iso: string, locale: Locale, timeZone = 'UTC'): string {
  return new Intl.DateTimeFormat(locale.replace('_', '-'), {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone,
  }).format(new Date(iso));
}

export const PAYLOADS = {
  agree: (enrollmentId: string) => `CONSENT_AGREE:${enrollmentId}`,
  decline: (enrollmentId: string) => `CONSENT_DECLINE:${enrollmentId}`,
  yes: (ref: string) => `ALERT_YES:${ref}`,
  no: (ref: string) => `ALERT_NO:${ref}`,
};

interface Texts {
  /** `app`: where the customer reads it, Messenger or WhatsApp. */
  consentRequest(bank: string, app?: string): string;
  agree: string;
  noThanks: string;
  consentConfirmed(bank: string): string;
  consentDeclined(bank: string): string;
  alertsMoved(bank: string): string;
  linkInvalid: string;
  help: string;
  stopped(banks: string): string;
  /** Ends a list of banks cut short to fit a message: ", and 12 other banks". */
  andOthers(count: number): string;
  nothingToStop: string;
  nothingToStart: string;
  fraudCheck(
    bank: string,
    card: string,
    amount: string,
    merchant: string,
    country: string,
    time: string,
  ): string;
  yes: string;
  no: string;
  confirmed: string;
  disputed(bank: string): string;
  closed: string;
  lowBalance(bank: string, account: string): string;
  /** A follow-up of an open fraud check: the payments that joined it since the last message. */
  followUp(bank: string, count: number, payments: string, more: number): string;
  /** One payment in a follow-up: "€1.00 at SHOP A". */
  payment(amount: string, merchant: string): string;
  /** Added to the answer's thanks when it covered more than one payment. */
  covers(count: number): string;
  unknown: string;
}

const TEXTS: Record<Locale, Texts> = {
  en_US: {
    consentRequest: (bank, app = 'Messenger') =>
      `${bank} would like to send you alerts here about unusual activity on your card. Each alert shows only the last 4 digits of your card, the merchant, the amount and the time, and asks "Was this you?". Your name, card number, account number and balance are never sent through ${app}. Reply STOP at any time to end the alerts.`,
    agree: 'Agree',
    noThanks: 'No thanks',
    consentConfirmed: (bank) =>
      `Done. You will get alerts from ${bank} here. Reply STOP to end them, HELP for help.`,
    consentDeclined: (bank) => `OK, no alerts from ${bank}. Nothing has been kept.`,
    alertsMoved: (bank) =>
      `Alerts from ${bank} for your card now go to another Messenger account, after a new link from ${bank} was accepted there. If this was not you, contact ${bank} now.`,
    linkInvalid: 'This link has expired or was already used. Ask your bank for a new one in its app.',
    help: 'Vigil sends you alerts from your bank about unusual card activity and asks if it was you. Reply STOP to end all alerts, START to turn them back on.',
    stopped: (banks) => `Alerts from ${banks} are off. Reply START to turn them back on.`,
    andOthers: (count) => `, and ${count} other ${count === 1 ? 'bank' : 'banks'}`,
    nothingToStop: 'You have no active alerts.',
    nothingToStart: 'There are no alerts to turn back on. Ask your bank for a link in its app.',
    fraudCheck: (bank, card, amount, merchant, country, time) =>
      `${bank}: card ••${card}, ${amount} at ${merchant} (${country}), ${time}. Was this you?`,
    yes: 'Yes, it was me',
    no: "No, it wasn't",
    confirmed: 'Thanks, noted.',
    disputed: (bank) =>
      `Thanks. ${bank} has been warned and will contact you. Never share your card details.`,
    closed: 'Thanks. This alert has already closed; if something looks wrong, contact your bank.',
    lowBalance: (bank, account) =>
      `${bank}: the balance of account ••${account} is below the level you chose. Check your banking app.`,
    followUp: (bank, count, payments, more) =>
      `${bank}: ${count} more ${count === 1 ? 'payment' : 'payments'} since: ${payments}${more > 0 ? `, and ${more} more` : ''}. Was this you? Your answer covers them all.`,
    payment: (amount, merchant) => `${amount} at ${merchant}`,
    covers: (count) => ` Your answer covers ${count} payments.`,
    unknown: 'Sorry, I only understand STOP, START and HELP, or the buttons of an alert.',
  },
  fr_FR: {
    consentRequest: (bank, app = 'Messenger') =>
      `${bank} souhaite vous envoyer ici des alertes en cas d'activité inhabituelle sur votre carte. Chaque alerte indique seulement les 4 derniers chiffres de la carte, le commerçant, le montant et l'heure, et demande « Était-ce vous ? ». Votre nom, votre numéro de carte, votre numéro de compte et votre solde ne passent jamais par ${app}. Répondez STOP à tout moment pour arrêter les alertes.`,
    agree: "J'accepte",
    noThanks: 'Non merci',
    consentConfirmed: (bank) =>
      `C'est fait. Vous recevrez ici les alertes de ${bank}. Répondez STOP pour les arrêter, HELP pour de l'aide.`,
    consentDeclined: (bank) => `D'accord, aucune alerte de ${bank}. Rien n'a été conservé.`,
    alertsMoved: (bank) =>
      `Les alertes de ${bank} pour votre carte sont désormais envoyées à un autre compte Messenger, qui a accepté un nouveau lien de ${bank}. Si ce n'était pas vous, contactez ${bank} dès maintenant.`,
    linkInvalid:
      'Ce lien a expiré ou a déjà servi. Demandez-en un nouveau dans l’application de votre banque.',
    help: 'Vigil vous transmet les alertes de votre banque en cas d’activité inhabituelle sur votre carte et vous demande si c’était vous. Répondez STOP pour arrêter les alertes, START pour les réactiver.',
    stopped: (banks) => `Les alertes de ${banks} sont arrêtées. Répondez START pour les réactiver.`,
    andOthers: (count) => `, et ${count} ${count === 1 ? 'autre banque' : 'autres banques'}`,
    nothingToStop: 'Vous n’avez aucune alerte active.',
    nothingToStart: 'Aucune alerte à réactiver. Demandez un lien dans l’application de votre banque.',
    fraudCheck: (bank, card, amount, merchant, country, time) =>
      `${bank} : carte ••${card}, ${amount} chez ${merchant} (${country}), ${time}. Était-ce vous ?`,
    yes: "Oui, c'était moi",
    no: 'Non, pas moi',
    confirmed: 'Merci, c’est noté.',
    disputed: (bank) =>
      `Merci. ${bank} a été prévenue et va vous contacter. Ne communiquez jamais vos données de carte.`,
    closed: 'Merci. Cette alerte est déjà close ; en cas de doute, contactez votre banque.',
    lowBalance: (bank, account) =>
      `${bank} : le solde du compte ••${account} est passé sous le seuil choisi. Consultez votre application bancaire.`,
    followUp: (bank, count, payments, more) =>
      `${bank} : ${count} ${count === 1 ? 'paiement de plus' : 'paiements de plus'} depuis : ${payments}${more > 0 ? `, et ${more} autres` : ''}. Était-ce vous ? Votre réponse vaut pour tous.`,
    payment: (amount, merchant) => `${amount} chez ${merchant}`,
    covers: (count) => ` Votre réponse vaut pour ${count} paiements.`,
    unknown: 'Désolé, je ne comprends que STOP, START et HELP, ou les boutons d’une alerte.',
  },
};

/** The texts of a locale. */
export function textsFor(locale: string | undefined): Texts {
  return TEXTS[supportedLocale(locale)];
}

/**
 * The answer to STOP naming every bank whose alerts ended, within Messenger's 2,000 characters:
 * when the names do not all fit, as many as fit and the count of the others.
 */
export function stoppedText(bankNames: readonly string[], locale: string | undefined): string {
  const texts = textsFor(locale);
  for (let shown = bankNames.length; shown > 0; shown--) {
    const others = bankNames.length - shown;
    const list = `${bankNames.slice(0, shown).join(', ')}${others > 0 ? texts.andOthers(others) : ''}`;
    const text = texts.stopped(list);
    if (text.length <= MESSENGER_TEXT_LIMIT) return text;
  }
  return texts.stopped(texts.andOthers(bankNames.length).replace(/^, /, ''));
}

/** The consent request of docs/contract.md#consent, with its Agree / No thanks quick replies. */
export function consentRequest(
  bankName: string,
  enrollmentId: string,
  locale: string,
  app = 'Messenger',
): OutgoingMessage {
  const texts = textsFor(locale);
  return {
    text: texts.consentRequest(bankName, app),
    quickReplies: [
      { title: texts.agree, payload: PAYLOADS.agree(enrollmentId) },
      { title: texts.noThanks, payload: PAYLOADS.decline(enrollmentId) },
    ],
  };
}

export interface AlertMessageContext {
  readonly bankName: string;
  readonly locale: string;
  readonly timeZone?: string | undefined;
  /** The alert's opaque reference, carried by the quick replies. */
  readonly ref: string;
}

/** The customer message of an alert: a fraud check with Yes / No, or a low-balance notice. */
export function alertMessage(display: AlertDisplay, context: AlertMessageContext): OutgoingMessage {
  const locale = supportedLocale(context.locale);
  const texts = TEXTS[locale];
  if (!('cardLast4' in display)) return { text: texts.lowBalance(context.bankName, display.accountLast4) };
  return {
    text: texts.fraudCheck(
      context.bankName,
      display.cardLast4,
      formatAmount(display.amount, display.currency, locale),
      display.merchantName,
      display.merchantCountry,
      formatTime(display.occurredAt, locale, context.timeZone),
    ),
    quickReplies: [
      { title: texts.yes, payload: PAYLOADS.yes(context.ref) },
      { title: texts.no, payload: PAYLOADS.no(context.ref) },
    ],
  };
}

/** Payments listed by name in a follow-up; the others are counted. */
const FOLLOW_UP_LISTED = 5;

/**
 * The follow-up of an open fraud check, with the check's Yes / No: the payments that joined it
 * since the last message, at most five by name and the count of the others, within Messenger's
 * 2,000 characters.
 */
export function followUpMessage(
  displays: readonly AlertDisplay[],
  context: AlertMessageContext,
): OutgoingMessage {
  const locale = supportedLocale(context.locale);
  const texts = TEXTS[locale];
  const payments = displays.flatMap((display) =>
    'cardLast4' in display
      ? [texts.payment(formatAmount(display.amount, display.currency, locale), display.merchantName)]
      : [],
  );
  let text = '';
  for (let shown = Math.min(FOLLOW_UP_LISTED, payments.length); shown >= 0; shown--) {
    text = texts.followUp(
      context.bankName,
      payments.length,
      payments.slice(0, shown).join(', '),
      payments.length - shown,
    );
    if (text.length <= MESSENGER_TEXT_LIMIT) break;
  }
  return {
    text,
    quickReplies: [
      { title: texts.yes, payload: PAYLOADS.yes(context.ref) },
      { title: texts.no, payload: PAYLOADS.no(context.ref) },
    ],
  };
}

/** The values of a fraud check that fill a utility template's placeholders. */
export function templateValues(display: AlertDisplay, context: AlertMessageContext) {
  const locale = supportedLocale(context.locale);
  if (!('cardLast4' in display)) {
    return {
      bankName: context.bankName,
      cardLast4: display.accountLast4,
      amount: '',
      merchant: '',
      time: '',
    };
  }
  return {
    bankName: context.bankName,
    cardLast4: display.cardLast4,
    amount: formatAmount(display.amount, display.currency, locale),
    merchant: `${display.merchantName} (${display.merchantCountry})`,
    time: formatTime(display.occurredAt, locale, context.timeZone),
  };
}
