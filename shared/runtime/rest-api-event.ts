import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';

// The API is a REST API (docs/decisions/0010-edge.md), whose Lambda proxy integration sends the
// payload format 1.0; the functions, and local mode's server, use the format 2.0 of an HTTP API.
// This turns the first into the second before anything else reads the event.

/** The client certificate API Gateway verified with mutual TLS, in both formats. */
interface ClientCert {
  readonly clientCertPem: string;
  readonly subjectDN: string;
  readonly issuerDN: string;
  readonly serialNumber: string;
  readonly validity: { readonly notBefore: string; readonly notAfter: string };
}

export type HttpApiEventWithCert = APIGatewayProxyEventV2 & {
  readonly requestContext: { readonly authentication?: { readonly clientCert?: ClientCert } };
};

/** A REST API (1.0) event as an HTTP API (2.0) event; a 2.0 event is returned as it is. */
export function toHttpApiEvent(event: APIGatewayProxyEvent | APIGatewayProxyEventV2): APIGatewayProxyEventV2 {
  if (!('httpMethod' in event)) return event;
  const joined = (
    multi: Record<string, string[] | undefined> | null,
    single: Record<string, string | undefined> | null,
  ) => {
    const result: Record<string, string> = {};
    for (const [name, value] of Object.entries(single ?? {})) if (value !== undefined) result[name] = value;
    for (const [name, values] of Object.entries(multi ?? {}))
      if (values !== undefined) result[name] = values.join(',');
    return result;
  };
  const headers = Object.fromEntries(
    Object.entries(joined(event.multiValueHeaders, event.headers)).map(([name, value]) => [
      name.toLowerCase(),
      value,
    ]),
  );
  const query = joined(event.multiValueQueryStringParameters, event.queryStringParameters);
  const rawQueryString = Object.entries(event.multiValueQueryStringParameters ?? {})
    .flatMap(([name, values]) =>
      (values ?? []).map((value) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`),
    )
    .join('&');
  const context = event.requestContext;
  const routeKey = `${event.httpMethod} ${event.resource}`;
  const clientCert = (context.identity as { clientCert?: ClientCert | null }).clientCert ?? undefined;
  const converted: HttpApiEventWithCert = {
    version: '2.0',
    routeKey,
    // The path as the client asked for it (with the stage on the execute-api URL): what an
    // administration request's signature covers.
    rawPath: context.path || event.path,
    rawQueryString,
    headers,
    ...(Object.keys(query).length > 0 && { queryStringParameters: query }),
    ...(event.pathParameters && { pathParameters: event.pathParameters as Record<string, string> }),
    isBase64Encoded: event.isBase64Encoded,
    ...(event.body !== null && { body: event.body }),
    requestContext: {
      accountId: context.accountId,
      apiId: context.apiId,
      domainName: context.domainName ?? '',
      domainPrefix: context.domainPrefix ?? '',
      http: {
        method: event.httpMethod,
        path: event.path,
        protocol: context.protocol,
        sourceIp: context.identity.sourceIp,
        userAgent: context.identity.userAgent ?? '',
      },
      requestId: context.requestId,
      routeKey,
      stage: context.stage,
      time: context.requestTime ?? '',
      timeEpoch: context.requestTimeEpoch,
      ...(clientCert !== undefined && { authentication: { clientCert } }),
    },
  };
  return converted;
}

/** Middy middleware: the handler sees a 2.0 event whichever API sent it. */
export function restApiEvents(): middy.MiddlewareObj<APIGatewayProxyEventV2> {
  return {
    before: (request) => {
      request.event = toHttpApiEvent(request.event as APIGatewayProxyEvent | APIGatewayProxyEventV2);
    },
  };
}

/** The subject of the client certificate API Gateway verified, when the custom domain asks for one. */
export function clientCertificateSubject(event: APIGatewayProxyEventV2): string | undefined {
  return (event as HttpApiEventWithCert).requestContext?.authentication?.clientCert?.subjectDN;
}
