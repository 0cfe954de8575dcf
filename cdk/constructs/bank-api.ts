import { CfnOutput, Stack, Validations } from 'aws-cdk-lib';
import { type CfnStage, HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AppFunction, tableAccess } from '../app-function.ts';
import type { StageConfig } from '../stage-config.ts';
import type { Tables } from './tables.ts';

export interface BankApiProps {
  readonly config: StageConfig;
  readonly key: IKey;
  readonly tables: Tables;
}

/** The HTTPS API banks call, and the functions behind its routes. */
export class BankApi extends Construct {
  readonly api: HttpApi;
  readonly receiveBankEvent: AppFunction;
  readonly bankAdmin: AppFunction;

  constructor(scope: Construct, id: string, { config, key, tables }: BankApiProps) {
    super(scope, id);
    const secretPrefix = `vigil/${config.stage}`;

    this.api = new HttpApi(this, 'HttpApi', {
      apiName: `vigil-${config.stage}`,
      description: 'Vigil bank API and Messenger webhook',
      createDefaultStage: true,
    });
    this.configureStage(config, key);

    this.receiveBankEvent = new AppFunction(this, 'ReceiveBankEvent', {
      entry: 'receive-bank-event',
      stage: config.stage,
      key,
      logLevel: config.logLevel,
    })
      .bindBankSecrets(secretPrefix, 'signing', key)
      .bindTable('subscribers', tables.get('subscribers'), tableAccess.get)
      .bindTable('events', tables.get('events'), tableAccess.put);

    this.addBankRoute('/v1/banks/{bankId}/events', HttpMethod.POST, this.receiveBankEvent);

    this.bankAdmin = new AppFunction(this, 'BankAdmin', {
      entry: 'bank-admin',
      stage: config.stage,
      key,
      logLevel: config.logLevel,
    })
      .bindBankSecrets(secretPrefix, 'signing', key)
      .bindTable('thresholds', tables.get('thresholds'), [
        ...tableAccess.get,
        ...tableAccess.put,
        ...tableAccess.delete,
      ]);
    for (const method of [HttpMethod.GET, HttpMethod.PUT]) {
      this.addBankRoute('/v1/banks/{bankId}/thresholds', method, this.bankAdmin);
    }
    for (const method of [HttpMethod.GET, HttpMethod.PUT, HttpMethod.DELETE]) {
      this.addBankRoute('/v1/banks/{bankId}/customers/{customerId}/thresholds', method, this.bankAdmin);
    }

    new CfnOutput(Stack.of(this), 'ApiUrl', {
      value: this.api.apiEndpoint,
      description: 'Base URL of the bank API',
    });
    new CfnOutput(Stack.of(this), 'BankSecretNames', {
      value: `${secretPrefix}/banks/<bankId>/signing and ${secretPrefix}/banks/<bankId>/callback`,
      description: 'Where each bank’s signing and callback secrets live in Secrets Manager',
    });
  }

  /**
   * A route that banks call. Every bank request carries a Standard Webhooks HMAC signature over
   * its body, which the function verifies: API Gateway authorizers cannot see the body.
   */
  private addBankRoute(path: string, method: HttpMethod, target: AppFunction): void {
    const routes = this.api.addRoutes({
      path,
      methods: [method],
      integration: new HttpLambdaIntegration(
        `${target.node.id}${method}${path.replace(/\W/g, '')}`,
        target.function,
      ),
    });
    for (const route of routes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: 'Authenticated in the function by the bank’s Standard Webhooks signature over the raw body.',
      });
    }
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
