import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { useTracing } from './tracing.ts';

/**
 * X-Ray tracing with the X-Ray SDK, for the functions that import this module (the ingest and
 * scoring path, `receive-bank-event` and `score-bank-event`): one segment per invocation, with a
 * subsegment per AWS SDK call (`captureAWSv3Client`, through `tracing()` in `aws-clients.ts`). It
 * records no handler response and no outgoing HTTP request (callback URLs and Send API calls
 * carry personal data), and adds no annotation of its own beyond the cold start and the service
 * name. Outside Lambda (tests, local mode) it does nothing; POWERTOOLS_TRACE_ENABLED=false turns
 * it off anywhere.
 */
export const tracer = new Tracer({ serviceName: 'vigil', captureHTTPsRequests: false });

useTracing({
  middlewares: () => [captureLambdaHandler(tracer, { captureResponse: false })],
  captureAwsClient: (client) => tracer.captureAWSv3Client(client),
});
