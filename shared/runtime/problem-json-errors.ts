import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ClientError, UnauthorizedError } from '../domain/errors.ts';

type HttpMiddleware = MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;

const PROBLEM_TYPE_PREFIX = 'urn:vigil:problem:';

/** An RFC 9457 problem response. */
export function problemResponse(
  status: number,
  problemType: string,
  title: string,
  detail: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: JSON.stringify({ type: `${PROBLEM_TYPE_PREFIX}${problemType}`, title, status, detail, ...extra }),
  };
}

/**
 * Maps every error to application/problem+json. Client errors keep their details; anything else
 * is logged and answered with a generic 503 (a dependency is failing: retry) or 500, never with
 * the error's own text.
 */
export function problemJsonErrors(logger: Logger, onRefused?: (problemType: string) => void): HttpMiddleware {
  return {
    onError: async (request) => {
      const { error } = request;
      if (error instanceof ClientError) {
        // Which signature check failed, for the operator only: the client gets one 401 body.
        const diagnosis =
          error instanceof UnauthorizedError && error.diagnosis !== undefined
            ? {
                signatureCheck: error.diagnosis.check,
                signatureDetail: error.diagnosis.detail,
                ...(error.diagnosis.skewSeconds !== undefined && {
                  skewSeconds: error.diagnosis.skewSeconds,
                }),
              }
            : {};
        logger.warn('request refused', {
          status: error.status,
          problemType: error.problemType,
          ...diagnosis,
        });
        onRefused?.(error.problemType);
        const extra = error.errors === undefined ? {} : { errors: error.errors };
        request.response = problemResponse(error.status, error.problemType, error.title, error.detail, extra);
        return;
      }
      if (isTransient(error)) {
        logger.error('dependency unavailable', { error: describe(error) });
        request.response = problemResponse(
          503,
          'temporarily-unavailable',
          'Temporarily unavailable',
          'Nothing was stored. Retry the same request later.',
          {},
          { 'retry-after': '5' },
        );
        return;
      }
      logger.error('unexpected error', { error: describe(error) });
      request.response = problemResponse(
        500,
        'internal-error',
        'Internal error',
        'Retry the same request later.',
      );
    },
  };
}

/**
 * AWS SDK errors flagged retryable (throttling, timeouts, 5xx) and network failures, also when
 * wrapped (Powertools' GetParameterError carries the SDK error as its cause).
 */
function isTransient(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error)) return false;
  if (depth < 3 && isTransient(error.cause, depth + 1)) return true;
  const sdkError = error as Error & { $retryable?: unknown; $fault?: string };
  return (
    sdkError.$retryable !== undefined ||
    sdkError.$fault === 'server' ||
    /Throttl|ProvisionedThroughputExceeded|RequestLimitExceeded|Timeout|ECONNREFUSED|ECONNRESET/.test(
      `${error.name} ${(error as { code?: string }).code ?? ''}`,
    )
  );
}

/** Name and message only: SDK errors can echo request parameters in other fields. */
function describe(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'unknown', message: '' };
}
