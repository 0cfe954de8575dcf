import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger } from './logger.ts';

/**
 * The metrics library's own messages go to the structured logger, except the warning that an
 * invocation published no business metric: many invocations rightly have none.
 */
const metricsLogger = {
  trace: (...args: unknown[]) => logger.debug(String(args[0])),
  debug: (...args: unknown[]) => logger.debug(String(args[0])),
  info: (...args: unknown[]) => logger.info(String(args[0])),
  warn: (...args: unknown[]) => {
    if (!String(args[0]).startsWith('No application metrics to publish')) logger.warn(String(args[0]));
  },
  error: (...args: unknown[]) => logger.error(String(args[0])),
};

/**
 * Business metrics of every function, as CloudWatch embedded metric format in the logs (no API
 * call). Dimensions stay few and bounded (a reason, a status, an error code), never a bank or
 * customer id. Local mode and tests turn them off with POWERTOOLS_METRICS_DISABLED.
 */
export const metrics = new Metrics({ namespace: 'Vigil', serviceName: 'vigil', logger: metricsLogger });

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
