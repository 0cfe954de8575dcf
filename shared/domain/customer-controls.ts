import type { CallbackOutbox } from '../ports/callback-outbox.ts';
import type { Clock } from '../ports/clock.ts';
import type { PreferenceStore } from '../ports/preference-store.ts';
import type { ThresholdStore } from '../ports/threshold-store.ts';
import { preferencesCallback } from './bank-callback.ts';
import { newDelivery } from './callback-delivery.ts';
import {
  type CustomerPreferences,
  countryName,
  parseAmount,
  parseCountry,
  parseUntil,
  untilInDays,
} from './preferences.ts';
import {
  formatAmount,
  type Locale,
  type OutgoingMessage,
  QUICK_REPLY_TITLE_LIMIT,
  supportedLocale,
} from './render-message.ts';
import type { Subscriber } from './subscriber.ts';
import { BUILT_IN_THRESHOLDS } from './thresholds.ts';

// The customer's own controls in the chat (docs/channels.md, "Customer controls"): TRAVEL,
// ALERTS OVER <amount> and SETTINGS, in English and French. Nothing changes before the customer
// taps a quick reply that says what will change; each change is told to the bank with a signed
// `customer.preferences_changed` callback. They apply to every active subscription of the person.

export interface ControlPorts {
  readonly preferences: PreferenceStore;
  readonly thresholds: Pick<ThresholdStore, 'bankDefault'>;
  readonly outbox: CallbackOutbox;
  readonly clock: Clock;
}

export type ControlOutcome =
  | 'control_asked'
  | 'control_set'
  | 'control_cleared'
  | 'control_cancelled'
  | 'settings';

/** The quick-reply payloads of the controls. */
export const CONTROL_PAYLOADS = {
  travelCountry: (country: string) => `TRAVEL_COUNTRY:${country}`,
  /** The last day of the notice, `YYYY-MM-DD`. */
  travelSet: (country: string, lastDay: string) => `TRAVEL_SET:${country}/${lastDay}`,
  alertsSet: (amount: number) => `ALERTS_SET:${amount}`,
  clear: (what: 'travel' | 'alertsOver') => `PREF_CLEAR:${what}`,
  cancel: 'PREF_CANCEL:',
};

export const CONTROL_ACTIONS = [
  'TRAVEL_COUNTRY',
  'TRAVEL_SET',
  'ALERTS_SET',
  'PREF_CLEAR',
  'PREF_CANCEL',
] as const;

/** The countries offered as quick replies when the customer writes TRAVEL alone. */
const COMMON_DESTINATIONS = ['ES', 'IT', 'DE', 'GB', 'PT', 'US', 'BE', 'CH', 'NL', 'MA'];

export type ControlCommand =
  | { readonly kind: 'travel'; readonly rest: string }
  | { readonly kind: 'alertsOver'; readonly rest: string }
  | { readonly kind: 'settings' };

/** The control a text message asks for, in English or French, or undefined. */
export function controlOf(text: string): ControlCommand | undefined {
  const travel = /^\s*(?:travel|voyage)\b[\s:,-]*(.*)$/isu.exec(text);
  if (travel) return { kind: 'travel', rest: travel[1] ?? '' };
  const alerts =
    /^\s*(?:alerts?|alertes?)\s+(?:over|above|au[-\s]dessus\s+de|plus\s+de|d[eè]s|des)\s+(.+)$/isu.exec(text);
  if (alerts) return { kind: 'alertsOver', rest: alerts[1] ?? '' };
  if (/^\s*(?:settings|r[ée]glages|param[eè]tres)\s*[.!?]*\s*$/iu.test(text)) return { kind: 'settings' };
  return undefined;
}

interface ControlTexts {
  askCountry: string;
  askUntil(country: string, code: string): string;
  week: string;
  twoWeeks: string;
  month: string;
  confirmTravel(country: string, lastDay: string): string;
  travelSet(country: string, lastDay: string): string;
  confirmAlerts(amount: string): string;
  alertsSet(amount: string): string;
  settings(lines: readonly string[]): string;
  travelLine(country: string, lastDay: string): string;
  alertsLine(amount: string): string;
  nothingSet: string;
  endTravel: string;
  removeAmount: string;
  cleared: string;
  cancelled: string;
  yes: string;
  no: string;
  notUnderstood: string;
  noSubscription: string;
}

const TEXTS: Record<Locale, ControlTexts> = {
  en_US: {
    askCountry:
      'Where are you travelling? Tap a country, or write TRAVEL and the country, e.g. TRAVEL Spain.',
    askUntil: (country, code) =>
      `Until when are you in ${country}? Tap a choice, or write the last day, e.g. TRAVEL ${code} 2026-12-20.`,
    week: '1 week',
    twoWeeks: '2 weeks',
    month: '1 month',
    confirmTravel: (country, day) =>
      `No questions about payments for being in ${country}, until ${day} included? Your bank's other checks stay on.`,
    travelSet: (country, day) =>
      `Done: payments in ${country} won't be questioned for being abroad until ${day} included. Write SETTINGS to see or end it.`,
    confirmAlerts: (amount) =>
      `Ask you about every payment over ${amount}, even when your bank would not? Your bank's own alerts stay on.`,
    alertsSet: (amount) =>
      `Done: you will be asked about every payment over ${amount}. Write SETTINGS to change it.`,
    settings: (lines) => `Your settings: ${lines.join(' ')} Tap to remove one.`,
    travelLine: (country, day) => `Travel notice for ${country} until ${day}.`,
    alertsLine: (amount) => `Asked about every payment over ${amount}.`,
    nothingSet:
      'Nothing set. Write TRAVEL for a travel notice, or ALERTS OVER 50 to be asked about every payment over 50.',
    endTravel: 'End travel notice',
    removeAmount: 'Remove my amount',
    cleared: 'Done, removed.',
    cancelled: 'OK, nothing changed.',
    yes: 'Yes',
    no: 'No',
    notUnderstood:
      'Sorry, I did not understand. Write for example TRAVEL Spain 2026-12-20, ALERTS OVER 50, or SETTINGS.',
    noSubscription: 'You have no active alerts.',
  },
  fr_FR: {
    askCountry: 'Où partez-vous ? Touchez un pays, ou écrivez VOYAGE et le pays, par ex. VOYAGE Espagne.',
    askUntil: (country, code) =>
      `Jusqu’à quand êtes-vous en ${country} ? Touchez un choix, ou écrivez le dernier jour, par ex. VOYAGE ${code} 20/12/2026.`,
    week: '1 semaine',
    twoWeeks: '2 semaines',
    month: '1 mois',
    confirmTravel: (country, day) =>
      `Plus de question sur les paiements parce qu’ils viennent de ${country}, jusqu’au ${day} inclus ? Les autres contrôles de votre banque restent actifs.`,
    travelSet: (country, day) =>
      `C’est fait : les paiements en ${country} ne seront pas signalés comme venant de l’étranger jusqu’au ${day} inclus. Écrivez RÉGLAGES pour voir ou arrêter.`,
    confirmAlerts: (amount) =>
      `Vous demander pour chaque paiement de plus de ${amount}, même quand votre banque ne le ferait pas ? Les alertes de votre banque restent actives.`,
    alertsSet: (amount) =>
      `C’est fait : chaque paiement de plus de ${amount} vous sera signalé. Écrivez RÉGLAGES pour changer.`,
    settings: (lines) => `Vos réglages : ${lines.join(' ')} Touchez pour en retirer un.`,
    travelLine: (country, day) => `Voyage : ${country} jusqu’au ${day}.`,
    alertsLine: (amount) => `Alerte pour chaque paiement de plus de ${amount}.`,
    nothingSet:
      'Aucun réglage. Écrivez VOYAGE pour signaler un voyage, ou ALERTES PLUS DE 50 pour chaque paiement de plus de 50.',
    endTravel: 'Fin du voyage',
    removeAmount: 'Retirer mon montant',
    cleared: 'C’est fait, retiré.',
    cancelled: 'D’accord, rien n’a changé.',
    yes: 'Oui',
    no: 'Non',
    notUnderstood:
      'Désolé, je n’ai pas compris. Écrivez par exemple VOYAGE Espagne 20/12/2026, ALERTES PLUS DE 50, ou RÉGLAGES.',
    noSubscription: 'Vous n’avez aucune alerte active.',
  },
};

/** The conversation about the controls of one person, over their active subscriptions. */
export class CustomerControls {
  private readonly active: readonly Subscriber[];
  private readonly locale: Locale;
  private readonly texts: ControlTexts;

  constructor(
    subscriptions: readonly Subscriber[],
    private readonly ports: ControlPorts,
    private readonly send: (message: OutgoingMessage) => Promise<void>,
  ) {
    this.active = subscriptions.filter((s) => s.status === 'active');
    this.locale = supportedLocale(this.active[0]?.locale ?? subscriptions[0]?.locale);
    this.texts = TEXTS[this.locale];
  }

  /** A command written as text. */
  async command(command: ControlCommand): Promise<ControlOutcome> {
    if (this.active.length === 0) return this.say(this.texts.noSubscription, 'control_cancelled');
    switch (command.kind) {
      case 'settings':
        return this.settings();
      case 'alertsOver': {
        const amount = parseAmount(command.rest);
        if (amount === undefined) return this.say(this.texts.notUnderstood, 'control_cancelled');
        const shown = formatAmount(amount, await this.currency(), this.locale);
        return this.ask(this.texts.confirmAlerts(shown), CONTROL_PAYLOADS.alertsSet(amount));
      }
      case 'travel':
        return this.travel(command.rest);
    }
  }

  /** A quick reply of the controls: `action` among CONTROL_ACTIONS. */
  async payload(action: string, argument: string): Promise<ControlOutcome> {
    if (this.active.length === 0) return this.say(this.texts.noSubscription, 'control_cancelled');
    const now = this.ports.clock.now();
    switch (action) {
      case 'TRAVEL_COUNTRY': {
        const country = parseCountry(argument);
        if (country === undefined) return this.say(this.texts.notUnderstood, 'control_cancelled');
        return this.askUntil(country);
      }
      case 'TRAVEL_SET': {
        const [code = '', lastDay = ''] = argument.split('/', 2);
        const country = /^[A-Z]{2}$/.test(code) ? parseCountry(code) : undefined;
        // The last day, checked again: a quick reply tapped days later may have passed it.
        const end = /^\d{4}-\d{2}-\d{2}$/.test(lastDay) ? parseUntil(lastDay, now) : undefined;
        if (country === undefined || end === undefined) {
          return this.say(this.texts.notUnderstood, 'control_cancelled');
        }
        await this.change(async () => ({ travel: { country, until: end } }));
        return this.say(
          this.texts.travelSet(countryName(country, this.locale), this.day(end)),
          'control_set',
        );
      }
      case 'ALERTS_SET': {
        if (!/^\d{1,12}$/.test(argument)) return this.say(this.texts.notUnderstood, 'control_cancelled');
        const amount = Number(argument);
        await this.change(async (bankId) => ({
          alertsOver: { amount, currency: await this.currency(bankId) },
        }));
        const shown = formatAmount(amount, await this.currency(), this.locale);
        return this.say(this.texts.alertsSet(shown), 'control_set');
      }
      case 'PREF_CLEAR': {
        if (argument !== 'travel' && argument !== 'alertsOver') {
          return this.say(this.texts.notUnderstood, 'control_cancelled');
        }
        await this.change(async () => ({ [argument]: undefined }));
        return this.say(this.texts.cleared, 'control_cleared');
      }
      default:
        return this.say(this.texts.cancelled, 'control_cancelled');
    }
  }

  private async travel(rest: string): Promise<ControlOutcome> {
    const now = this.ports.clock.now();
    if (rest.trim() === '') {
      return this.ask(
        this.texts.askCountry,
        undefined,
        COMMON_DESTINATIONS.map((code) => ({
          title: title(countryName(code, this.locale)),
          payload: CONTROL_PAYLOADS.travelCountry(code),
        })),
      );
    }
    const words = rest.trim().split(/\s+/u);
    const last = words.at(-1) ?? '';
    const until = parseUntil(last, now);
    const countryWords = (until === undefined ? words : words.slice(0, -1)).filter(
      (word) => !/^(until|till|to|jusqu['’]au|au)$/iu.test(word),
    );
    const country = parseCountry(countryWords.join(' '));
    if (country === undefined) return this.say(this.texts.notUnderstood, 'control_cancelled');
    if (until === undefined) {
      if (words.length > 1 && /\d/.test(last)) return this.say(this.texts.notUnderstood, 'control_cancelled');
      return this.askUntil(country);
    }
    const lastDay = new Date(Date.parse(until) - 1).toISOString().slice(0, 10);
    return this.ask(
      this.texts.confirmTravel(countryName(country, this.locale), this.day(until)),
      CONTROL_PAYLOADS.travelSet(country, lastDay),
    );
  }

  private askUntil(country: string): Promise<ControlOutcome> {
    const now = this.ports.clock.now();
    const lastDay = (days: number) =>
      new Date(Date.parse(untilInDays(days, now)) - 1).toISOString().slice(0, 10);
    return this.ask(this.texts.askUntil(countryName(country, this.locale), country), undefined, [
      { title: this.texts.week, payload: CONTROL_PAYLOADS.travelSet(country, lastDay(7)) },
      { title: this.texts.twoWeeks, payload: CONTROL_PAYLOADS.travelSet(country, lastDay(14)) },
      { title: this.texts.month, payload: CONTROL_PAYLOADS.travelSet(country, lastDay(30)) },
    ]);
  }

  private async settings(): Promise<ControlOutcome> {
    const now = this.ports.clock.now();
    const preferences = await this.ports.preferences.get(
      this.active[0]?.bankId ?? '',
      this.active[0]?.customerId ?? '',
    );
    const lines: string[] = [];
    const replies: { title: string; payload: string }[] = [];
    const travel = preferences?.travel;
    if (travel !== undefined && Date.parse(travel.until) > now.getTime()) {
      lines.push(this.texts.travelLine(countryName(travel.country, this.locale), this.day(travel.until)));
      replies.push({ title: this.texts.endTravel, payload: CONTROL_PAYLOADS.clear('travel') });
    }
    const over = preferences?.alertsOver;
    if (over !== undefined) {
      lines.push(this.texts.alertsLine(formatAmount(over.amount, over.currency, this.locale)));
      replies.push({ title: this.texts.removeAmount, payload: CONTROL_PAYLOADS.clear('alertsOver') });
    }
    if (lines.length === 0) return this.say(this.texts.nothingSet, 'settings');
    await this.send({ text: this.texts.settings(lines), quickReplies: replies });
    return 'settings';
  }

  /** Applies a change to each active subscription's preferences, and tells each bank. */
  private async change(
    update: (bankId: string) => Promise<Partial<Pick<CustomerPreferences, 'travel' | 'alertsOver'>>>,
  ): Promise<void> {
    const now = this.ports.clock.now();
    for (const subscription of this.active) {
      const { bankId, customerId } = subscription;
      const before = await this.ports.preferences.get(bankId, customerId);
      const changes = await update(bankId);
      const merged = { ...before, ...changes, updatedAt: now.toISOString() };
      const after: CustomerPreferences = {
        ...(merged.travel !== undefined && { travel: merged.travel }),
        ...(merged.alertsOver !== undefined && { alertsOver: merged.alertsOver }),
        updatedAt: merged.updatedAt,
      };
      await this.ports.preferences.put(bankId, customerId, after);
      await this.ports.outbox.enqueue(newDelivery(preferencesCallback(bankId, customerId, after), now));
    }
  }

  private async currency(bankId = this.active[0]?.bankId ?? ''): Promise<string> {
    return ((await this.ports.thresholds.bankDefault(bankId)) ?? BUILT_IN_THRESHOLDS).currency;
  }

  private day(until: string): string {
    return new Intl.DateTimeFormat(this.locale.replace('_', '-'), {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      timeZone: 'UTC',
    }).format(new Date(Date.parse(until) - 1));
  }

  private async ask(
    text: string,
    confirmPayload: string | undefined,
    choices?: readonly { title: string; payload: string }[],
  ): Promise<ControlOutcome> {
    const quickReplies =
      choices ??
      (confirmPayload === undefined
        ? []
        : [
            { title: this.texts.yes, payload: confirmPayload },
            { title: this.texts.no, payload: CONTROL_PAYLOADS.cancel },
          ]);
    await this.send({ text, quickReplies });
    return 'control_asked';
  }

  private async say(text: string, outcome: ControlOutcome): Promise<ControlOutcome> {
    await this.send({ text });
    return outcome;
  }
}

/** A quick reply title within Messenger's 20 characters. */
function title(text: string): string {
  const chars = [...text];
  return chars.length <= QUICK_REPLY_TITLE_LIMIT
    ? text
    : `${chars.slice(0, QUICK_REPLY_TITLE_LIMIT - 1).join('')}…`;
}
