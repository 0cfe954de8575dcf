import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * Business metrics of every function, as CloudWatch embedded metric format in the logs (no API
 * call). Dimensions stay few and bounded (a reason, a status, an error code), never a bank or
 * customer id. Local mode and tests turn them off with POWERTOOLS_METRICS_DISABLED.
 */
export const metrics = new Metrics({ namespace: 'Vigil', serviceName: 'vigil' });

/** Counts one occurrence, optionally under one dimension (its own metric set, so dimensions never mix). */
export function count(name: string, dimension?: { readonly [name: string]: string }, value = 1): void {
  if (dimension === undefined) {
    metrics.addMetric(name, MetricUnit.Count, value);
    return;
  }
  const single = metrics.singleMetric();
  for (const [key, dimensionValue] of Object.entries(dimension)) single.addDimension(key, dimensionValue);
  single.addMetric(name, MetricUnit.Count, value);
}
