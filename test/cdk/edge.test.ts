import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthesize } from './synth.ts';

// The edge (docs/decisions/0010-edge.md): a regional WAF on the REST API's stage, with managed
// rule groups and rate-based rules per source IP and per bank path; reserved concurrency for the
// stream consumers; an optional custom domain with mutual TLS.

const { template } = synthesize();

interface Rule {
  Name: string;
  Priority: number;
  Action?: Record<string, unknown>;
  OverrideAction?: Record<string, unknown>;
  Statement: {
    RateBasedStatement?: {
      Limit: number;
      EvaluationWindowSec: number;
      AggregateKeyType: string;
      CustomKeys?: unknown[];
      ScopeDownStatement: unknown;
    };
    ManagedRuleGroupStatement?: {
      VendorName: string;
      Name: string;
      RuleActionOverrides?: { Name: string; ActionToUse: Record<string, unknown> }[];
    };
  };
}

const [webAcl] = Object.values(template.findResources('AWS::WAFv2::WebACL'));
const rules = (webAcl?.Properties.Rules ?? []) as Rule[];
const rule = (name: string) => rules.find((candidate) => candidate.Name === name);

describe('the edge', () => {
  it('puts one regional web ACL on the API stage', () => {
    template.resourceCountIs('AWS::WAFv2::WebACL', 1);
    expect(webAcl?.Properties).toMatchObject({
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      VisibilityConfig: { CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true },
    });
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      WebACLArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EdgeWebAcl'), 'Arn'] },
      ResourceArn: Match.objectLike({
        'Fn::Join': ['', Match.arrayWith([Match.objectLike({ Ref: Match.stringLikeRegexp('^ApiRestApi') })])],
      }),
    });
    const association = JSON.stringify(
      Object.values(template.findResources('AWS::WAFv2::WebACLAssociation'))[0]?.Properties.ResourceArn,
    );
    expect(association).toMatch(/\/stages\//);
    expect(association).toMatch(/ApiRestApiDeploymentStage/);
  });

  it('runs the AWS managed rule groups first, body rules counting only', () => {
    const managed = rules.filter((candidate) => candidate.Statement.ManagedRuleGroupStatement !== undefined);
    expect(managed.map((candidate) => candidate.Statement.ManagedRuleGroupStatement?.Name)).toEqual([
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesCommonRuleSet',
    ]);
    for (const group of managed) {
      expect(group.OverrideAction).toEqual({ None: {} });
      expect(group.Statement.ManagedRuleGroupStatement?.VendorName).toBe('AWS');
    }
    const common = rule('AWSManagedRulesCommonRuleSet')?.Statement.ManagedRuleGroupStatement;
    expect(common?.RuleActionOverrides?.map((override) => override.Name)).toContain('SizeRestrictions_BODY');
    for (const override of common?.RuleActionOverrides ?? [])
      expect(override.ActionToUse).toEqual({ Count: {} });
    const rateRules = rules.filter((candidate) => candidate.Statement.RateBasedStatement !== undefined);
    expect(Math.max(...managed.map((group) => group.Priority))).toBeLessThan(
      Math.min(...rateRules.map((candidate) => candidate.Priority)),
    );
  });

  it.each([
    ['PerSourceIpBankApi', 'IP', 3000, '/v1/banks/'],
    ['PerBankPath', 'CUSTOM_KEYS', 60000, '/v1/banks/'],
    ['PerSourceIpMessenger', 'IP', 30000, '/messenger/webhook'],
    ['PerSourceIpMessenger', 'IP', 30000, '/whatsapp/webhook'],
  ])('blocks over the %s rate (key %s, %i per 5 minutes) on %s', (name, key, limit, path) => {
    const found = rule(name);
    expect(found?.Action).toEqual({ Block: {} });
    const rate = found?.Statement.RateBasedStatement;
    expect(rate).toMatchObject({ Limit: limit, EvaluationWindowSec: 300, AggregateKeyType: key });
    expect(JSON.stringify(rate?.ScopeDownStatement)).toContain(`"SearchString":"${path}"`);
    if (key === 'CUSTOM_KEYS') expect(JSON.stringify(rate?.CustomKeys)).toMatch(/"UriPath"/);
  });

  it('limits every other path per source IP too', () => {
    const other = rule('PerSourceIpOther')?.Statement.RateBasedStatement;
    expect(other).toMatchObject({ Limit: 300, AggregateKeyType: 'IP' });
    const scope = JSON.stringify(other?.ScopeDownStatement);
    expect(scope).toMatch(/AndStatement/);
    expect(scope.match(/NotStatement/g)).toHaveLength(2);
    // Meta's webhooks, WhatsApp's included, are counted by their own rule, not this one.
    expect(scope).toContain('"SearchString":"/whatsapp/webhook"');
  });

  it('takes the limits from context, and refuses limits WAF cannot enforce', () => {
    const tuned = synthesize({
      edge: '{"perIpLimit":500,"perBankPathLimit":9000,"messengerPerIpLimit":20000,"otherPerIpLimit":50}',
    }).template;
    const [tunedAcl] = Object.values(tuned.findResources('AWS::WAFv2::WebACL'));
    const limits = Object.fromEntries(
      ((tunedAcl?.Properties.Rules ?? []) as Rule[])
        .filter((candidate) => candidate.Statement.RateBasedStatement)
        .map((candidate) => [candidate.Name, candidate.Statement.RateBasedStatement?.Limit]),
    );
    expect(limits).toEqual({
      PerSourceIpBankApi: 500,
      PerBankPath: 9000,
      PerSourceIpMessenger: 20000,
      PerSourceIpOther: 50,
    });
    expect(() =>
      synthesize({
        edge: '{"perIpLimit":5,"perBankPathLimit":9000,"messengerPerIpLimit":20000,"otherPerIpLimit":50}',
      }),
    ).toThrow(/edge.perIpLimit/);
  });

  it('alarms on WAF blocks, overall and on a bank path, to the alarm topic', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    const waf = alarms.filter((alarm) => /Waf/.test(String(alarm.Properties.AlarmName)));
    expect(waf.map((alarm) => alarm.Properties.AlarmName).sort()).toEqual([
      'vigil-dev-WafBankPathBlocks',
      'vigil-dev-WafBlocks',
    ]);
    for (const alarm of waf) {
      expect(alarm.Properties).toMatchObject({
        Namespace: 'AWS/WAFV2',
        MetricName: 'BlockedRequests',
        AlarmActions: [{ Ref: expect.stringMatching(/^ObservabilityAlarms/) }],
      });
      expect(alarm.Properties.Dimensions).toEqual(
        expect.arrayContaining([{ Name: 'WebACL', Value: 'vigil-dev' }]),
      );
    }
    const bankPath = waf.find((alarm) => alarm.Properties.AlarmName === 'vigil-dev-WafBankPathBlocks');
    expect(bankPath?.Properties.Dimensions).toEqual(
      expect.arrayContaining([{ Name: 'Rule', Value: 'PerBankPath' }]),
    );
    expect(bankPath?.Properties.Threshold).toBe(1);
  });

  it('reserves concurrency for every stream consumer, and only for them', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    const reserved = Object.fromEntries(
      Object.entries(functions)
        .filter(([, fn]) => fn.Properties.ReservedConcurrentExecutions !== undefined)
        .map(([id, fn]) => [
          id.replace(/Function[0-9A-F]{8}$/, ''),
          fn.Properties.ReservedConcurrentExecutions,
        ]),
    );
    expect(reserved).toEqual({
      ScoringScoreTransaction: 20,
      MessengerNotifyCustomer: 20,
      CallbacksNotifyBank: 10,
      CallbacksDeliverCallbacks: 10,
    });
    const tuned = synthesize({
      reservedConcurrency: '{"ScoreTransaction":50,"NotifyCustomer":5,"NotifyBank":2,"DeliverCallbacks":3}',
    }).template;
    tuned.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 50,
      Environment: { Variables: Match.objectLike({ ACTIVITY_TABLE: Match.anyValue() }) },
    });
    expect(() =>
      synthesize({
        reservedConcurrency: '{"ScoreTransaction":0,"NotifyCustomer":5,"NotifyBank":2,"DeliverCallbacks":3}',
      }),
    ).toThrow(/reservedConcurrency.ScoreTransaction/);
  });

  it('serves no custom domain by default, and names the stage URL as the OpenAPI server', () => {
    template.resourceCountIs('AWS::ApiGateway::DomainName', 0);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          API_BASE_URL: {
            'Fn::Join': [
              '',
              Match.arrayWith([Match.objectLike({ Ref: Match.stringLikeRegexp('^ApiRestApi') })]),
            ],
          },
        }),
      },
    });
  });

  it('offers a custom domain with mutual TLS, switching the execute-api endpoint off', () => {
    const withDomain = synthesize({
      customDomain: JSON.stringify({
        domainName: 'api.vigil.bank.example',
        certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abcd-1234',
        truststoreUri: 's3://vigil-truststore/banks.pem',
        truststoreVersion: '3',
      }),
    }).template;
    withDomain.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'api.vigil.bank.example',
      RegionalCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abcd-1234',
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'TLS_1_2',
      MutualTlsAuthentication: { TruststoreUri: 's3://vigil-truststore/banks.pem', TruststoreVersion: '3' },
    });
    withDomain.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
    withDomain.hasOutput('ApiUrl', { Value: 'https://api.vigil.bank.example' });
    withDomain.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ API_BASE_URL: 'https://api.vigil.bank.example' }) },
    });
    expect(() =>
      synthesize({ customDomain: '{"domainName":"api.vigil.bank.example","certificateArn":"nope"}' }),
    ).toThrow(/customDomain.certificateArn/);
  });
});
