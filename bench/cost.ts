import { callbackStream, notifyStream, scoringStream } from '../shared/runtime/stream-settings.ts';
import { PRICES, type Prices } from './prices.ts';

// Cost per million transactions from the bench's measured counts (capacity units per
// transaction, the ingest handler's time) and the price table of bench/prices.ts.
//
// `perMillionNormalUsd` is the part Vigil's own design decides: Lambda and DynamoDB. The edge
// in front of the bank API (API Gateway REST API and AWS WAF, docs/decisions/0010-edge.md) is a
// fixed price per request whatever Vigil does, so it is given apart (`edgePerMillionUsd`) and
// added in `perMillionNormalWithEdgeUsd`. Logs are not in either figure: the bench does not
// measure their bytes (at INFO, about 1 KB per event: 0.50 USD per million; at WARN, almost none).

export interface MeasuredCounts {
  readonly capacity: {
    readonly normal: { readonly rcu: number; readonly wcu: number };
    readonly alerting: { readonly rcu: number; readonly wcu: number };
  };
  /** receive-bank-event's median time, ms (measured against DynamoDB Local: an upper bound). */
  readonly ingestMs: number;
}

/**
 * What the bench does not measure, stated: the memory every function has (cdk/app-function.ts),
 * a stream function's time per record taken as the ingest handler's (both make a few DynamoDB
 * requests), and the stream records an alert makes: the alert's insert and its "sent" update on
 * the alerts stream (read by notify-customer and notify-bank, which sends the bank its callback
 * at once: an outbox item, with no stream, only when the bank fails; decision 16).
 */
export const ASSUMPTIONS = {
  memoryGb: 0.25,
  alertStreamRecords: 2,
} as const;

export interface CostLine {
  readonly item: string;
  readonly count: string;
  readonly usd: number;
}

export interface Cost {
  readonly region: string;
  readonly pricesDate: string;
  /** Lambda and DynamoDB for a million transactions that raise no alert. */
  readonly perMillionNormalUsd: number;
  /** The same for a million transactions that each raise an alert (the message and callbacks included). */
  readonly perMillionWithAlertsUsd: number;
  /** API Gateway REST API and WAF, per million requests: not in the two figures above. */
  readonly edgePerMillionUsd: number;
  readonly perMillionNormalWithEdgeUsd: number;
  readonly normal: readonly CostLine[];
  readonly alerting: readonly CostLine[];
}

const MILLION = 1e6;
const round2 = (value: number) => Math.round(value * 100) / 100;
const round3 = (value: number) => Math.round(value * 1000) / 1000;

function lines(
  units: { readonly rcu: number; readonly wcu: number },
  invocations: number,
  records: number,
  ingestMs: number,
  prices: Prices,
): CostLine[] {
  const seconds = ((1 + records) * ingestMs) / 1000;
  return [
    {
      item: 'Lambda requests',
      count: `${round3(invocations)} per transaction`,
      usd: invocations * MILLION * prices.lambda.requestUsd,
    },
    {
      item: `Lambda compute, ${ASSUMPTIONS.memoryGb * 1024} MB arm64`,
      count: `${round2((1 + records) * ingestMs)} ms per transaction`,
      usd: seconds * ASSUMPTIONS.memoryGb * MILLION * prices.lambda.gbSecondArmUsd,
    },
    {
      item: 'DynamoDB writes',
      count: `${units.wcu} WRU per transaction`,
      usd: units.wcu * MILLION * prices.dynamoDb.writeRequestUnitUsd,
    },
    {
      item: 'DynamoDB reads',
      count: `${units.rcu} RRU per transaction`,
      usd: units.rcu * MILLION * prices.dynamoDb.readRequestUnitUsd,
    },
  ].map((line) => ({ ...line, usd: round2(line.usd) }));
}

/** The cost figures of a run, from its measured counts. */
export function costOf(measured: MeasuredCounts, prices: Prices = PRICES): Cost {
  // One ingest invocation per transaction; stream functions take full batches under load.
  const scoringInvocations = 1 / scoringStream.batchSize;
  const normal = lines(measured.capacity.normal, 1 + scoringInvocations, 1, measured.ingestMs, prices);
  const alertInvocations =
    ASSUMPTIONS.alertStreamRecords / notifyStream.batchSize +
    ASSUMPTIONS.alertStreamRecords / callbackStream.batchSize;
  const alerting = lines(
    measured.capacity.alerting,
    1 + scoringInvocations + alertInvocations,
    1 + 2 * ASSUMPTIONS.alertStreamRecords,
    measured.ingestMs,
    prices,
  );
  const total = (items: readonly CostLine[]) => round2(items.reduce((sum, line) => sum + line.usd, 0));
  const edge = round2(MILLION * (prices.apiGateway.restRequestUsd + prices.waf.requestUsd));
  return {
    region: prices.region,
    pricesDate: prices.date,
    perMillionNormalUsd: total(normal),
    perMillionWithAlertsUsd: total(alerting),
    edgePerMillionUsd: edge,
    perMillionNormalWithEdgeUsd: round2(total(normal) + edge),
    normal,
    alerting,
  };
}
