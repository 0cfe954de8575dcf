import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * X-Ray tracing of every function (the stack turns X-Ray on): one segment per invocation, with a
 * subsegment per AWS SDK call (`captureAWSv3Client` in `aws-clients.ts`). It records no handler
 * response and no outgoing HTTP request (callback URLs and Send API calls carry personal data),
 * and adds no annotation of its own beyond the cold start and the service name. Outside Lambda
 * (tests, local mode) it does nothing; POWERTOOLS_TRACE_ENABLED=false turns it off anywhere.
 */
export const tracer = new Tracer({ serviceName: 'vigil', captureHTTPsRequests: false });
