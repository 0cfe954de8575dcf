import { CfnOutput, Stack, Validations } from 'aws-cdk-lib';
import { type CfnStage, HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
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
    'Authenticated in the function by the bank’s Standard Webhooks signature over the raw body.',
  public: 'The OpenAPI description of the API, public on purpose; it holds no data.',
  'meta-signature':
    'Authenticated in the function by Meta’s X-Hub-Signature-256 over the raw body (GET: verify token).',
};

/** The HTTPS API: the bank API and the Messenger webhook, routes as in shared/runtime/http-routes.ts. */
export class Api extends Construct {
  readonly api: HttpApi;

  constructor(scope: Construct, id: string, { config, key, functions }: ApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'HttpApi', {
      apiName: `vigil-${config.stage}`,
      description: 'Vigil bank API and Messenger webhook',
      createDefaultStage: true,
    });
    this.configureStage(config, key);
    const known = new Set(httpRoutes.map((route) => `${route.method} ${route.path}`));
    for (const routeKey of Object.keys(config.routeThrottle)) {
      if (!known.has(routeKey)) throw new Error(`routeThrottle names an unknown route: ${routeKey}`);
    }

    const integrations = new Map<HttpFunction, HttpLambdaIntegration>();
    for (const route of httpRoutes) {
      let integration = integrations.get(route.function);
      if (integration === undefined) {
        integration = new HttpLambdaIntegration(
          `${route.function}-integration`,
          functions[route.function].function,
        );
        integrations.set(route.function, integration);
      }
      for (const created of this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
      })) {
        // Route throttles name routes: the stage must come after them.
        this.api.defaultStage?.node.addDependency(created);
        // API Gateway authorizers cannot see the body, which every signature here covers.
        Validations.of(created).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: REASONS[route.authentication],
        });
      }
    }

    const stack = Stack.of(this);
    new CfnOutput(stack, 'ApiUrl', { value: this.api.apiEndpoint, description: 'Base URL of the bank API' });
    new CfnOutput(stack, 'MessengerWebhookUrl', {
      value: `${this.api.apiEndpoint}/messenger/webhook`,
      description: 'The callback URL to give Meta for the page’s webhook',
    });
    new CfnOutput(stack, 'BankSecretNames', {
      value: `vigil/${config.stage}/banks/<bankId>/signing and vigil/${config.stage}/banks/<bankId>/callback`,
      description: 'Where each bank’s signing and callback secrets live in Secrets Manager',
    });
  }

  /** Throttling and JSON access logs (no request bodies, no query strings) on the default stage. */
  private configureStage(config: StageConfig, key: IKey): void {
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: config.stage === 'prod' ? RetentionDays.ONE_YEAR : RetentionDays.ONE_MONTH,
      encryptionKey: key,
    });
    const stage = this.api.defaultStage?.node.defaultChild as CfnStage;
    stage.defaultRouteSettings = {
      throttlingRateLimit: config.apiThrottle.rateLimit,
      throttlingBurstLimit: config.apiThrottle.burstLimit,
    };
    stage.routeSettings = Object.fromEntries(
      Object.entries(config.routeThrottle).map(([routeKey, { rateLimit, burstLimit }]) => [
        routeKey,
        { ThrottlingRateLimit: rateLimit, ThrottlingBurstLimit: burstLimit },
      ]),
    );
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        time: '$context.requestTime',
        routeKey: '$context.routeKey',
        status: '$context.status',
        latencyMs: '$context.responseLatency',
        integrationError: '$context.integrationErrorMessage',
        sourceIp: '$context.identity.sourceIp',
      }),
    };
  }
}
