// A labelled history of card payments for backtesting and tuning the rules, deterministic from a
// seed. Legitimate spending follows the Fraud Detection Handbook simulator (Le Borgne et al.):
// customers on a 100 × 100 map, each with a mean amount (€5–100, deviation half of it) and a rate
// (0–4 payments a day) at the merchants within a radius of home. On top of it: online shops,
// trips abroad, the odd large legitimate purchase, gamblers, declines and balance events; and
// five fraud scenarios:
//
// - `inflatedAmounts`: a compromised card, for 14 days, a third of its payments are × 5;
// - `oneOffLarge`: one payment a day of €150–510 by a random customer; and, as the Handbook's
//   scenario 1 defines it, every payment of a customer's own spending (not the once-a-year large
//   purchase) above €220: amounts within the spread of customers who spend about €80–100, and
//   the ones a baseline of the customer's own habit misses (about 100 customers per seed);
// - `compromisedMerchant`: every payment at a merchant during its 28 compromised days;
// - `cardTesting`: a burst of 4–12 online payments of €1–3 within minutes;
// - `takeoverAbroad`: 2–6 online payments abroad over 1–3 days, 2–6 × the usual amount.
//
// npx tsx bench/simulate.ts --seed 1 --out DIR [--customers 2000] [--days 60]
// writes DIR/history.jsonl ({"webhookId", "event"} lines, time-ordered) and DIR/labels.csv
// (transactionId,fraud,scenario).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { BankEvent } from '../shared/domain/bank-event.ts';

export const scenarios = [
  'inflatedAmounts',
  'oneOffLarge',
  'compromisedMerchant',
  'cardTesting',
  'takeoverAbroad',
] as const;
export type Scenario = (typeof scenarios)[number];

export interface SimulationOptions {
  readonly seed: number;
  readonly customers?: number;
  readonly days?: number;
  /** The first day, midnight UTC. */
  readonly start?: string;
}

export interface SimulatedEvent {
  readonly webhookId: string;
  readonly event: BankEvent;
}

export interface Label {
  readonly transactionId: string;
  readonly fraud: boolean;
  readonly scenario?: Scenario;
}

export interface Simulation {
  readonly events: SimulatedEvent[];
  readonly labels: Label[];
}

const DAY_S = 86_400;
/** The Handbook's scenario 1 limit, euro cents. */
const HANDBOOK_LIMIT = 22_000;

/** mulberry32: a small, fast, seedable generator. */
export function randomStream(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Merchant {
  readonly name: string;
  readonly mcc: string;
  readonly country: string;
  readonly x: number;
  readonly y: number;
}

interface Customer {
  readonly id: string;
  readonly cardLast4: string;
  readonly accountLast4: string;
  readonly mean: number;
  readonly deviation: number;
  readonly perDay: number;
  readonly onlineShare: number;
  readonly nearby: readonly Merchant[];
  readonly online: readonly Merchant[];
  readonly trip?: { readonly from: number; readonly to: number; readonly merchants: readonly Merchant[] };
}

interface Draft {
  at: number;
  customer: Customer;
  merchant: Merchant;
  amount: number;
  channel: 'card_present' | 'card_not_present';
  status: 'authorized' | 'declined';
  scenario?: Scenario;
  /** The once-a-year large purchase: legitimate whatever its amount. */
  rare?: boolean;
}

const STORE_CATEGORIES = [
  '5411',
  '5411',
  '5411',
  '5812',
  '5812',
  '5541',
  '5912',
  '5311',
  '5651',
  '5732',
  '5999',
];
const ONLINE = [
  ['FR', '5999'],
  ['FR', '5942'],
  ['FR', '4121'],
  ['FR', '5815'],
  ['LU', '5311'],
  ['IE', '5815'],
  ['NL', '5732'],
  ['DE', '5651'],
  ['US', '5815'],
  ['GB', '5942'],
] as const;
const TRIP_COUNTRIES = ['ES', 'IT', 'DE', 'BE', 'GB', 'PT', 'US', 'MA', 'CH', 'GR'];
const FRAUD_COUNTRIES = ['US', 'GB', 'NG', 'CN', 'BR', 'RO', 'ID', 'UA'];

/** Builds the labelled history. The same options always give the same events, in the same order. */
export function simulate(options: SimulationOptions): Simulation {
  const next = randomStream(options.seed * 7919 + 17);
  const customerCount = options.customers ?? 2000;
  const days = options.days ?? 60;
  const start = Date.parse(options.start ?? '2026-01-05T00:00:00Z') / 1000;
  const uniform = (low: number, high: number) => low + (high - low) * next();
  const integer = (low: number, high: number) => Math.floor(uniform(low, high + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const poisson = (mean: number) => {
    const limit = Math.exp(-mean);
    let count = 0;
    for (let product = next(); product > limit; product *= next()) count++;
    return count;
  };
  const cents = (euros: number) => Math.max(50, Math.round(euros * 100));

  const terminals: Merchant[] = Array.from({ length: customerCount * 2 }, (_, i) => ({
    name: `SHOP ${i}`,
    mcc: pick(STORE_CATEGORIES),
    country: 'FR',
    x: uniform(0, 100),
    y: uniform(0, 100),
  }));
  const shops: Merchant[] = ONLINE.flatMap(([country, mcc], i) =>
    Array.from({ length: 4 }, (_, j) => ({ name: `WEBSHOP ${i}-${j}`, mcc, country, x: 0, y: 0 })),
  );
  const casinos: Merchant[] = [
    { name: 'BETTING ONLINE', mcc: '7995', country: 'FR', x: 0, y: 0 },
    { name: 'POKER ROOM', mcc: '7995', country: 'MT', x: 0, y: 0 },
  ];
  const abroad = new Map<string, Merchant[]>();
  const merchantsIn = (country: string, online: boolean) => {
    const key = `${country}:${online}`;
    let list = abroad.get(key);
    if (list === undefined) {
      list = Array.from({ length: 30 }, (_, i) => ({
        name: `${online ? 'WEB' : 'STORE'} ${country} ${i}`,
        mcc: online ? pick(['5999', '5732', '5815', '4722', '6051']) : pick(STORE_CATEGORIES),
        country,
        x: 0,
        y: 0,
      }));
      abroad.set(key, list);
    }
    return list;
  };

  const customers: Customer[] = Array.from({ length: customerCount }, (_, i) => {
    const x = uniform(0, 100);
    const y = uniform(0, 100);
    const mean = uniform(5, 100);
    let nearby = terminals.filter((t) => (t.x - x) ** 2 + (t.y - y) ** 2 < 25);
    if (nearby.length < 3) nearby = terminals.slice(i % terminals.length, (i % terminals.length) + 3);
    const online = Array.from({ length: 3 }, () => pick(shops));
    if (next() < 0.03) online.push(pick(casinos), pick(casinos));
    const tripFrom = integer(0, days - 1);
    const trip =
      next() < 0.08
        ? {
            from: tripFrom,
            to: tripFrom + integer(3, 8),
            merchants: merchantsIn(pick(TRIP_COUNTRIES), false),
          }
        : undefined;
    return {
      id: `cus_${options.seed}_${i}`,
      cardLast4: String(integer(0, 9999)).padStart(4, '0'),
      accountLast4: String(integer(0, 9999)).padStart(4, '0'),
      mean,
      deviation: mean / 2,
      perDay: uniform(0, 4),
      onlineShare: uniform(0, 0.3),
      nearby,
      online,
      ...(trip && { trip }),
    };
  });

  const drafts: Draft[] = [];
  const balances: { at: number; customer: Customer; available: number }[] = [];
  for (const customer of customers) {
    for (let day = 0; day < days; day++) {
      const travelling = customer.trip !== undefined && day >= customer.trip.from && day <= customer.trip.to;
      const count = poisson(customer.perDay);
      for (let n = 0; n < count; n++) {
        const seconds = Math.round(DAY_S / 2 + 20_000 * normal());
        if (seconds < 0 || seconds >= DAY_S) continue;
        let amount = customer.mean + customer.deviation * normal();
        if (amount <= 0) amount = uniform(0, customer.mean * 2);
        const online = next() < customer.onlineShare;
        const merchant = online
          ? pick(customer.online)
          : travelling && customer.trip
            ? pick(customer.trip.merchants)
            : pick(customer.nearby);
        // About once a year, a purchase far above the habit: furniture, a phone, a flight.
        const rare = next() < 1 / (365 * customer.perDay);
        if (rare) amount = uniform(150, 900);
        drafts.push({
          ...(rare && { rare }),
          at: start + day * DAY_S + seconds,
          customer,
          merchant,
          amount: cents(amount),
          channel: online ? 'card_not_present' : 'card_present',
          status: next() < 0.015 ? 'declined' : 'authorized',
        });
      }
      if (next() < 1 / 15)
        balances.push({
          at: start + day * DAY_S + integer(0, DAY_S - 1),
          customer,
          available: cents(uniform(-200, 3000)),
        });
    }
  }

  // Fraud, injected day by day.
  const byCustomer = new Map<Customer, Draft[]>();
  for (const draft of drafts) {
    const list = byCustomer.get(draft.customer);
    if (list === undefined) byCustomer.set(draft.customer, [draft]);
    else list.push(draft);
  }
  const within = (customer: Customer, from: number, to: number) =>
    (byCustomer.get(customer) ?? []).filter((d) => d.at >= from && d.at < to && d.scenario === undefined);
  const fraud: Draft[] = [];
  for (let day = 0; day < days; day++) {
    const dayStart = start + day * DAY_S;
    // Compromised merchants: every payment there for 28 days.
    if (next() < 0.7) {
      const terminal = pick(terminals);
      const until = dayStart + 28 * DAY_S;
      for (const draft of drafts)
        if (draft.merchant === terminal && draft.at >= dayStart && draft.at < until)
          draft.scenario = 'compromisedMerchant';
    }
    // Compromised cards: a third of the next 14 days' payments, × 5.
    for (let k = 0; k < 2; k++) {
      for (const draft of within(pick(customers), dayStart, dayStart + 14 * DAY_S)) {
        if (next() < 1 / 3) {
          draft.amount *= 5;
          draft.scenario = 'inflatedAmounts';
        }
      }
    }
    // One large payment.
    {
      const customer = pick(customers);
      const online = next() < 0.5;
      fraud.push({
        at: dayStart + integer(6 * 3600, 23 * 3600),
        customer,
        merchant: online ? pick(shops) : pick(customer.nearby),
        amount: cents(uniform(150, 510)),
        channel: online ? 'card_not_present' : 'card_present',
        status: 'authorized',
        scenario: 'oneOffLarge',
      });
    }
    // Card testing: a burst of tiny online payments.
    if (next() < 0.5) {
      const customer = pick(customers);
      const merchant = next() < 0.5 ? pick(shops) : pick(merchantsIn(pick(FRAUD_COUNTRIES), true));
      let at = dayStart + integer(0, DAY_S - 3600);
      for (let n = integer(4, 12); n > 0; n--) {
        at += integer(5, 90);
        fraud.push({
          at,
          customer,
          merchant,
          amount: integer(100, 300),
          channel: 'card_not_present',
          status: next() < 0.3 ? 'declined' : 'authorized',
          scenario: 'cardTesting',
        });
      }
    }
    // Account takeover abroad.
    {
      const customer = pick(customers);
      const merchants = merchantsIn(pick(FRAUD_COUNTRIES), true);
      const spread = integer(1, 3) * DAY_S;
      for (let n = integer(2, 6); n > 0; n--) {
        fraud.push({
          at: dayStart + integer(0, spread),
          customer,
          merchant: pick(merchants),
          amount: cents(customer.mean * uniform(2, 6)),
          channel: 'card_not_present',
          status: 'authorized',
          scenario: 'takeoverAbroad',
        });
      }
    }
  }

  // The Handbook's scenario 1: every payment of the customer's own spending above €220 is fraud
  // (after the others, as they would overwrite it; the once-a-year purchase stays legitimate).
  for (const draft of drafts)
    if (draft.scenario === undefined && !draft.rare && draft.amount > HANDBOOK_LIMIT)
      draft.scenario = 'oneOffLarge';

  const end = start + days * DAY_S;
  const all = [...drafts, ...fraud].filter((d) => d.at < end);
  const timeline: ({ at: number; draft: Draft } | { at: number; balance: (typeof balances)[number] })[] = [
    ...all.map((draft) => ({ at: draft.at, draft })),
    ...balances.map((balance) => ({ at: balance.at, balance })),
  ];
  timeline.sort((a, b) => a.at - b.at);

  const events: SimulatedEvent[] = [];
  const labels: Label[] = [];
  let n = 0;
  for (const item of timeline) {
    n++;
    const occurredAt = new Date(item.at * 1000).toISOString().replace('.000Z', 'Z');
    const webhookId = `evt_${options.seed}_${n}`;
    if ('balance' in item) {
      events.push({
        webhookId,
        event: {
          type: 'account.balance',
          customerId: item.balance.customer.id,
          occurredAt,
          balance: {
            accountLast4: item.balance.customer.accountLast4,
            available: item.balance.available,
            currency: 'EUR',
          },
        },
      });
      continue;
    }
    const { draft } = item;
    const transactionId = `txn_${options.seed}_${n}`;
    events.push({
      webhookId,
      event: {
        type: 'card.transaction',
        customerId: draft.customer.id,
        occurredAt,
        transaction: {
          id: transactionId,
          cardLast4: draft.customer.cardLast4,
          amount: draft.amount,
          currency: 'EUR',
          merchant: { name: draft.merchant.name, mcc: draft.merchant.mcc, country: draft.merchant.country },
          channel: draft.channel,
          status: draft.status,
        },
      },
    });
    labels.push({
      transactionId,
      fraud: draft.scenario !== undefined,
      ...(draft.scenario && { scenario: draft.scenario }),
    });
  }
  return { events, labels };
}

/** Writes history.jsonl and labels.csv into the directory. */
export function writeSimulation(simulation: Simulation, directory: string): void {
  mkdirSync(directory, { recursive: true });
  writeFileSync(
    join(directory, 'history.jsonl'),
    `${simulation.events.map((event) => JSON.stringify(event)).join('\n')}\n`,
  );
  writeFileSync(
    join(directory, 'labels.csv'),
    `transactionId,fraud,scenario\n${simulation.labels
      .map((label) => `${label.transactionId},${label.fraud ? 1 : 0},${label.scenario ?? ''}`)
      .join('\n')}\n`,
  );
}

if (process.argv[1]?.endsWith('simulate.ts')) {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
      customers: { type: 'string' },
      days: { type: 'string' },
    },
  });
  if (values.out === undefined) throw new Error('--out DIR is required.');
  const simulation = simulate({
    seed: Number(values.seed),
    ...(values.customers && { customers: Number(values.customers) }),
    ...(values.days && { days: Number(values.days) }),
  });
  writeSimulation(simulation, values.out);
  const frauds = simulation.labels.filter((label) => label.fraud).length;
  process.stdout.write(
    `${simulation.events.length} events, ${simulation.labels.length} card transactions, ${frauds} fraudulent\n`,
  );
}
