import { DAY_MS } from './activity.ts';
import type { BaselineSettings, CardTestingSettings } from './thresholds.ts';

// A customer's habits, kept apart from the 48-hour activity ledger: their recent payment amounts,
// the countries and merchant categories they paid in, and their recent tiny online payments.
// Bounded (at most PROFILE_LIMITS of each), and every figure is "as of the payment's time":
// what occurred at or after it does not count, so that scoring a redelivered event again, or
// events out of order, judges each payment against the payments before it.

export const PROFILE_LIMITS = {
  /** The most recent authorized amounts kept. */
  amounts: 40,
  /** Countries and categories kept; the least recently seen goes first. */
  places: 40,
  /** Recent tiny card-not-present payments kept (card testing). */
  probes: 30,
} as const;

/** Where something was seen: the first and last time, epoch ms, within one unbroken window. */
export type Seen = readonly [first: number, last: number];

export interface CustomerProfile {
  /** `[at, amount]`, authorized payments in `currency`, oldest first. */
  readonly amounts: readonly (readonly [number, number])[];
  readonly currency: string;
  readonly countries: Readonly<Record<string, Seen>>;
  readonly categories: Readonly<Record<string, Seen>>;
  /** Times of the recent tiny card-not-present payments, oldest first. */
  readonly probes: readonly number[];
}

/** What a card transaction adds to its customer's profile. */
export interface Sighting {
  readonly at: number;
  readonly amount: number;
  readonly currency: string;
  readonly country: string;
  readonly mcc: string;
  readonly authorized: boolean;
  /** A tiny card-not-present payment (any status). */
  readonly probe: boolean;
}

export interface ProfileSettings {
  readonly currency: string;
  readonly baseline: BaselineSettings;
  readonly cardTesting: CardTestingSettings;
}

/** The sighting of a transaction under the settings. */
export function sightingOf(
  tx: {
    readonly amount: number;
    readonly currency: string;
    readonly country: string;
    readonly mcc: string;
    readonly channel: string;
    readonly status: string;
  },
  at: number,
  settings: ProfileSettings,
): Sighting {
  return {
    at,
    amount: tx.amount,
    currency: tx.currency,
    country: tx.country,
    mcc: tx.mcc,
    authorized: tx.status === 'authorized',
    probe:
      tx.channel === 'card_not_present' &&
      tx.currency === settings.currency &&
      tx.amount <= settings.cardTesting.maxAmount,
  };
}

/**
 * Adds the sighting to the profile, in place (the caller owns it: a store's fresh copy). False when
 * it adds nothing new (a redelivery), so that a store can skip the write.
 */
export function addSighting(
  profile: CustomerProfile,
  sighting: Sighting,
  settings: ProfileSettings,
): boolean {
  const target = profile as Mutable<CustomerProfile>;
  const windowMs = settings.baseline.windowDays * DAY_MS;
  let changed = false;
  if (sighting.authorized && sighting.currency === settings.currency) {
    if (target.currency !== settings.currency) {
      target.amounts = [];
      target.currency = settings.currency;
    }
    const amounts = target.amounts as [number, number][];
    if (!holdsAmount(amounts, sighting.at, sighting.amount)) {
      amounts.push([sighting.at, sighting.amount]);
      if (amounts.length > 1 && (amounts[amounts.length - 2] as [number, number])[0] > sighting.at)
        amounts.sort((a, b) => a[0] - b[0]);
      let drop = Math.max(0, amounts.length - PROFILE_LIMITS.amounts);
      while (drop < amounts.length && (amounts[drop] as [number, number])[0] <= sighting.at - windowMs)
        drop++;
      if (drop > 0) amounts.splice(0, drop);
      changed = true;
    }
  }
  if (sighting.authorized) {
    if (see(target.countries as Record<string, Seen>, sighting.country, sighting.at, windowMs))
      changed = true;
    if (see(target.categories as Record<string, Seen>, sighting.mcc, sighting.at, windowMs)) changed = true;
  }
  if (sighting.probe && !target.probes.includes(sighting.at)) {
    const windowStart = sighting.at - settings.cardTesting.windowMinutes * 60_000;
    const probes: number[] = [];
    for (const at of target.probes) if (at > windowStart - DAY_MS) probes.push(at);
    probes.push(sighting.at);
    probes.sort((a, b) => a - b);
    target.probes = probes.length > PROFILE_LIMITS.probes ? probes.slice(-PROFILE_LIMITS.probes) : probes;
    changed = true;
  }
  return changed;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function holdsAmount(amounts: readonly (readonly [number, number])[], at: number, amount: number): boolean {
  for (let i = 0; i < amounts.length; i++) {
    const item = amounts[i] as readonly [number, number];
    if (item[0] === at && item[1] === amount) return true;
  }
  return false;
}

/** A new, empty profile. */
export function emptyProfile(): CustomerProfile {
  return { amounts: [], currency: '', countries: {}, categories: {}, probes: [] };
}

function see(places: Record<string, Seen>, place: string, at: number, windowMs: number): boolean {
  const seen = places[place];
  let next: Seen;
  if (seen === undefined || seen[1] <= at - windowMs) next = [at, at];
  else next = [Math.min(seen[0], at), Math.max(seen[1], at)];
  if (seen !== undefined && seen[0] === next[0] && seen[1] === next[1]) return false;
  places[place] = next;
  if (seen === undefined) {
    const names = Object.keys(places);
    if (names.length > PROFILE_LIMITS.places) {
      names.sort((a, b) => (places[a] as Seen)[1] - (places[b] as Seen)[1]);
      for (const name of names.slice(0, names.length - PROFILE_LIMITS.places)) delete places[name];
    }
  }
  return true;
}

/** What the history rules need about a payment, from the profile before it. */
export interface HistoryFacts {
  /** Authorized payments in the window before this one (in the thresholds' currency). */
  readonly historyCount: number;
  /** Their median and median absolute deviation, minor units. */
  readonly medianAmount: number;
  readonly deviation: number;
  /** The largest of them (0 without history), minor units. */
  readonly largestAmount: number;
  /** The country, and the merchant category, were seen in the window before this payment. */
  readonly countrySeen: boolean;
  readonly categorySeen: boolean;
  /** Tiny card-not-present payments in the card-testing window, this one included. */
  readonly probeCount: number;
  /** Other customers with a confirmed fraud at the merchant, in the bank's window. */
  readonly merchantReporters: number;
}

/** The facts of a payment at `at` against the profile (what occurred at or after `at` ignored). */
export function historyFacts(
  profile: CustomerProfile,
  sighting: Sighting,
  settings: ProfileSettings,
  merchantReporters: number,
): HistoryFacts {
  const { at } = sighting;
  const windowStart = at - settings.baseline.windowDays * DAY_MS;
  const { amounts } = profile;
  const length = profile.currency === settings.currency ? amounts.length : 0;
  // Scratch arrays, reused: this runs for every card transaction (a replay scores 240,000).
  if (scratch.length < length) scratch = new Float64Array(length);
  const values = scratch;
  let count = 0;
  for (let i = 0; i < length; i++) {
    const item = amounts[i] as readonly [number, number];
    if (item[0] > windowStart && item[0] < at) values[count++] = item[1];
  }
  sortPrefix(values, count);
  const medianAmount = medianOf(values, count);
  if (scratchDeviations.length < count) scratchDeviations = new Float64Array(count);
  const deviations = scratchDeviations;
  for (let i = 0; i < count; i++) deviations[i] = Math.abs((values[i] as number) - medianAmount);
  sortPrefix(deviations, count);
  const deviation = medianOf(deviations, count);
  const probeStart = at - settings.cardTesting.windowMinutes * 60_000;
  let probeCount = sighting.probe ? 1 : 0;
  for (const when of profile.probes) if (when > probeStart && when < at) probeCount++;
  return {
    historyCount: count,
    medianAmount,
    deviation,
    largestAmount: count === 0 ? 0 : (values[count - 1] as number),
    countrySeen: seenBefore(profile.countries[sighting.country], at, windowStart),
    categorySeen: seenBefore(profile.categories[sighting.mcc], at, windowStart),
    probeCount,
    merchantReporters,
  };
}

function seenBefore(seen: Seen | undefined, at: number, windowStart: number): boolean {
  return seen !== undefined && seen[0] < at && seen[1] > windowStart;
}

let scratch = new Float64Array(PROFILE_LIMITS.amounts);
let scratchDeviations = new Float64Array(PROFILE_LIMITS.amounts);

/** Sorts the first `count` values in place, ascending (insertion sort: at most a few dozen). */
function sortPrefix(values: Float64Array, count: number): void {
  for (let i = 1; i < count; i++) {
    const value = values[i] as number;
    let j = i - 1;
    while (j >= 0 && (values[j] as number) > value) {
      values[j + 1] = values[j] as number;
      j--;
    }
    values[j + 1] = value;
  }
}

/** The median of the first `count` values, sorted. */
function medianOf(sorted: Float64Array, count: number): number {
  if (count === 0) return 0;
  const middle = count >> 1;
  return count % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
