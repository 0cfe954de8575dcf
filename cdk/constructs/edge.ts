import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { StageConfig } from '../stage-config.ts';

export interface EdgeProps {
  readonly config: StageConfig;
  readonly api: RestApi;
}

/** Rate-based rules count over this window (seconds). */
const WINDOW_SECONDS = 300;

type Statement = CfnWebACL.StatementProperty;

/** Requests whose URI path contains the text; the execute-api URL puts the stage name in front. */
const pathContains = (text: string): Statement => ({
  byteMatchStatement: {
    fieldToMatch: { uriPath: {} },
    positionalConstraint: 'CONTAINS',
    searchString: text,
    textTransformations: [{ priority: 0, type: 'NONE' }],
  },
});
const not = (statement: Statement): Statement => ({ notStatement: { statement } });

/**
 * The regional WAF in front of the REST API (docs/decisions/0010-edge.md): AWS managed rule groups
 * (IP reputation, known bad inputs, the common rule set), then rate-based rules that keep one
 * source, or one bank's path, from using up what every bank shares: per source IP on the bank
 * API, per bank path (all sources together), per source IP on the Messenger webhook, and per
 * source IP on anything else. Blocked requests are answered 403 by the WAF; they never reach
 * API Gateway's throttles or a function.
 */
export class Edge extends Construct {
  readonly webAcl: CfnWebACL;
  /** Requests the web ACL blocked, every rule together. */
  readonly blockedRequests: Metric;

  constructor(scope: Construct, id: string, { config, api }: EdgeProps) {
    super(scope, id);
    const { edge } = config;
    const name = `vigil-${config.stage}`;
    const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });
    const managed = (
      priority: number,
      ruleGroup: string,
      countOnly: readonly string[] = [],
    ): CfnWebACL.RuleProperty => ({
      name: ruleGroup,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name: ruleGroup,
          ruleActionOverrides: countOnly.map((rule) => ({ name: rule, actionToUse: { count: {} } })),
        },
      },
      visibilityConfig: visibility(ruleGroup),
    });
    const rateRule = (
      priority: number,
      ruleName: string,
      limit: number,
      scopeDown: Statement,
      byPath = false,
    ): CfnWebACL.RuleProperty => ({
      name: ruleName,
      priority,
      action: { block: {} },
      statement: {
        rateBasedStatement: {
          limit,
          evaluationWindowSec: WINDOW_SECONDS,
          ...(byPath
            ? {
                aggregateKeyType: 'CUSTOM_KEYS',
                customKeys: [{ uriPath: { textTransformations: [{ priority: 0, type: 'NONE' }] } }],
              }
            : { aggregateKeyType: 'IP' }),
          scopeDownStatement: scopeDown,
        },
      },
      visibilityConfig: visibility(ruleName),
    });

    const bankApi = pathContains('/v1/banks/');
    // Meta's webhooks: Messenger's and WhatsApp's share one per-IP limit.
    const messenger = {
      orStatement: { statements: [pathContains('/messenger/webhook'), pathContains('/whatsapp/webhook')] },
    };
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name,
      description: 'Vigil: managed rules and per-source, per-bank rate limits',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(name),
      rules: [
        managed(0, 'AWSManagedRulesAmazonIpReputationList'),
        managed(1, 'AWSManagedRulesKnownBadInputsRuleSet'),
        // Signed JSON bodies up to 64 KiB (bank events) and Meta's batches: the body rules count
        // only, so that a merchant name cannot get a bank's event blocked.
        managed(2, 'AWSManagedRulesCommonRuleSet', [
          'SizeRestrictions_BODY',
          'CrossSiteScripting_BODY',
          'GenericLFI_BODY',
          'GenericRFI_BODY',
          'EC2MetaDataSSRF_BODY',
        ]),
        rateRule(10, 'PerSourceIpBankApi', edge.perIpLimit, bankApi),
        rateRule(11, 'PerBankPath', edge.perBankPathLimit, bankApi, true),
        rateRule(12, 'PerSourceIpMessenger', edge.messengerPerIpLimit, messenger),
        rateRule(13, 'PerSourceIpOther', edge.otherPerIpLimit, {
          andStatement: { statements: [not(bankApi), not(messenger)] },
        }),
      ],
    });
    new CfnWebACLAssociation(this, 'Association', {
      resourceArn: api.deploymentStage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
    this.blockedRequests = new Metric({
      namespace: 'AWS/WAFV2',
      metricName: 'BlockedRequests',
      dimensionsMap: { WebACL: name, Region: api.stack.region, Rule: 'ALL' },
      statistic: 'Sum',
      period: Duration.minutes(5),
    });
  }

  /** Requests one rule blocked. */
  blockedBy(rule: string): Metric {
    return this.blockedRequests.with({
      dimensionsMap: { ...this.blockedRequests.dimensions, Rule: rule },
    });
  }
}
