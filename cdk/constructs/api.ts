import { CfnOutput, Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  type MethodDeploymentOptions,
  RestApi,
  SecurityPolicy,
} from 'aws-cdk-lib/aws-apigateway';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { type HttpFunction, httpRoutes } from '../../shared/runtime/http-routes.ts';
import type { AppFunction } from '../app-function.ts';
import type { StageConfig } from '../stage-config.ts';

export interface ApiProps {
  readonly config: StageConfig;
  readonly key: IKey;
  readonly functions: Record<HttpFunction, AppFunction>;
}

const REASONS = {
  'bank-signature':
    'Authenticated in the function: events by the bank’s Standard Webhooks signature over the raw body, administration requests by its HTTP Message Signature (RFC 9421) over method, path, query and body digest.',
  public: 'The OpenAPI description of the API, public on purpose; it holds no data.',
  'meta-signature':
    'Authenticated in the function by Meta’s X-Hub-Signature-256 over the raw body (GET: verify token).',
};

/**
 * The HTTPS API: the bank API and the Messenger webhook, routes as in shared/runtime/http-routes.ts,
 * as a regional REST API so that the WAF (cdk/constructs/edge.ts) sits in front of every request
 * (docs/decisions/0010-edge.md). Lambda proxy integrations; the functions read the event through
 * shared/runtime/rest-api-event.ts. Optional custom domain with mutual TLS.
 */
export class Api extends Construct {
  readonly api: RestApi;
  /** The API's base URL, without a trailing slash: the custom domain, or the stage's URL. */
  readonly baseUrl: string;

  constructor(scope: Construct, id: string, { config, key, functions }: ApiProps) {
    super(scope, id);
    const known = new Set(httpRoutes.map((route) => `${route.method} ${route.path}`));
    for (const routeKey of Object.keys(config.routeThrottle)) {
      if (!known.has(routeKey)) throw new Error(`routeThrottle names an unknown route: ${routeKey}`);
    }
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: config.stage === 'prod' ? RetentionDays.ONE_YEAR : RetentionDays.ONE_MONTH,
      encryptionKey: key,
    });
    const domain = config.customDomain;
    this.api = new RestApi(this, 'RestApi', {
      restApiName: `vigil-${config.stage}`,
      description: 'Vigil bank API and Messenger webhook',
      endpointTypes: [EndpointType.REGIONAL],
      // Every body reaches the function as base64 of its exact bytes, which signatures cover.
      binaryMediaTypes: ['*/*'],
      // With a custom domain, its TLS settings (mutual TLS) cannot be gone around.
      disableExecuteApiEndpoint: domain !== undefined,
      // Execution logs need an account-wide role; the access logs below record every request.
      cloudWatchRole: false,
      deployOptions: {
        stageName: config.stage,
        tracingEnabled: true,
        throttlingRateLimit: config.apiThrottle.rateLimit,
        throttlingBurstLimit: config.apiThrottle.burstLimit,
        methodOptions: Object.fromEntries(
          Object.entries(config.routeThrottle).map(([routeKey, { rateLimit, burstLimit }]) => {
            const [method, path] = routeKey.split(' ');
            const options: MethodDeploymentOptions = {
              throttlingRateLimit: rateLimit,
              throttlingBurstLimit: burstLimit,
            };
            return [`${path}/${method}`, options];
          }),
        ),
        // JSON access logs: no bodies, no query strings, no headers.
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            routeKey: '$context.httpMethod $context.resourcePath',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integration.error',
            wafStatus: '$context.waf.status',
            sourceIp: '$context.identity.sourceIp',
          }),
        ),
      },
    });

    const integrations = new Map<HttpFunction, LambdaIntegration>();
    for (const route of httpRoutes) {
      let integration = integrations.get(route.function);
      if (integration === undefined) {
        integration = new LambdaIntegration(functions[route.function].function, { proxy: true });
        integrations.set(route.function, integration);
      }
      const method = this.api.root.resourceForPath(route.path).addMethod(route.method, integration);
      // API Gateway authorizers cannot see the body, which every signature here covers.
      Validations.of(method).acknowledge(
        { id: 'AwsSolutions-APIG4', reason: REASONS[route.authentication] },
        { id: 'AwsSolutions-COG4', reason: REASONS[route.authentication] },
      );
    }
    Validations.of(this.api).acknowledge(
      {
        id: 'AwsSolutions-APIG2',
        reason:
          'Bodies are validated in the function after the signature check, against the same zod schemas as the OpenAPI document.',
      },
      {
        id: 'AwsSolutions-APIG6',
        reason:
          'Execution logging needs an account-wide API Gateway role; JSON access logs record every request with its status and WAF outcome.',
      },
    );

    const stack = Stack.of(this);
    if (domain !== undefined) {
      this.api.addDomainName('Domain', {
        domainName: domain.domainName,
        certificate: Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
        endpointType: EndpointType.REGIONAL,
        securityPolicy: SecurityPolicy.TLS_1_2,
        ...(domain.truststoreUri !== undefined && { mtls: truststore(this, domain) }),
      });
      this.baseUrl = `https://${domain.domainName}`;
    } else {
      this.baseUrl = `https://${this.api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${config.stage}`;
    }
    // The OpenAPI document names this server (configuration, not the request's headers).
    functions['bank-admin'].function.addEnvironment('API_BASE_URL', this.baseUrl);

    new CfnOutput(stack, 'ApiUrl', { value: this.baseUrl, description: 'Base URL of the bank API' });
    new CfnOutput(stack, 'MessengerWebhookUrl', {
      value: `${this.baseUrl}/messenger/webhook`,
      description: 'The callback URL to give Meta for the page’s webhook',
    });
    new CfnOutput(stack, 'WhatsAppWebhookUrl', {
      value: `${this.baseUrl}/whatsapp/webhook`,
      description: 'The callback URL to give Meta for the WhatsApp app’s webhook',
    });
    new CfnOutput(stack, 'BankSecretNames', {
      value: `vigil/${config.stage}/banks/<bankId>/signing and vigil/${config.stage}/banks/<bankId>/callback`,
      description: 'Where each bank’s signing and callback secrets live in Secrets Manager',
    });
  }
}

/** The S3 object of the banks' client-certificate CAs, from `s3://bucket/key`. */
function truststore(scope: Construct, domain: NonNullable<StageConfig['customDomain']>) {
  const [, bucketName = '', key = ''] = /^s3:\/\/([^/]+)\/(.+)$/.exec(domain.truststoreUri ?? '') ?? [];
  return {
    bucket: Bucket.fromBucketName(scope, 'Truststore', bucketName),
    key,
    ...(domain.truststoreVersion !== undefined && { version: domain.truststoreVersion }),
  };
}
