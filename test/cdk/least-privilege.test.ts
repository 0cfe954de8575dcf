import { describe, expect, it } from 'vitest';
import { synthesize } from './synth.ts';

// Each function may do what docs/architecture.md#functions lists, and nothing else. A grant is an
// action on a resource; resources are told apart by the logical id they reference.

interface Allowed {
  readonly actions: readonly string[];
  readonly resource: RegExp;
}

const key: Allowed = {
  actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
  resource: /^\{"Fn::GetAtt":\["EncryptionKey[0-9A-F]{8}","Arn"\]\}$/,
};
/** The secrets key: only decrypting, only through Secrets Manager (the condition is checked in vigil-stack). */
const secretsKey: Allowed = {
  actions: ['kms:Decrypt'],
  resource: /^\{"Fn::GetAtt":\["EncryptionSecretsKey[0-9A-F]{8}","Arn"\]\}$/,
};
const ownLogs = (name: string): Allowed => ({
  actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  resource: new RegExp(
    `^(\\{"Fn::Join":\\["",\\[)?\\{"Fn::GetAtt":\\["\\w*${name}Logs[0-9A-F]{8}","Arn"\\]\\}`,
  ),
});
const tracing: Allowed = {
  actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
  resource: /^"\*"$/,
};
const table = (name: string, actions: string[]): Allowed => ({
  actions,
  resource: new RegExp(`^\\{"Fn::GetAtt":\\["Tables${name}[0-9A-F]{8}","Arn"\\]\\}$`),
});
const index = (name: string, indexName: string): Allowed => ({
  actions: ['dynamodb:Query'],
  resource: new RegExp(
    `^\\{"Fn::Join":\\["",\\[\\{"Fn::GetAtt":\\["Tables${name}[0-9A-F]{8}","Arn"\\]\\},"/index/${indexName}"\\]\\]\\}$`,
  ),
});
const messengerSecret: Allowed = {
  actions: ['secretsmanager:GetSecretValue'],
  resource: /^\{"Ref":"MessengerSecret[0-9A-F]{8}"\}$/,
};
const whatsappSecret: Allowed = {
  actions: ['secretsmanager:GetSecretValue'],
  resource: /^\{"Ref":"WhatsAppSecret[0-9A-F]{8}"\}$/,
};

/** Stream consumers read their table's stream and may send failed batches' metadata to the dead letters. */
const streamOf = (name: string): Allowed => ({
  actions: [
    'dynamodb:ListStreams',
    'dynamodb:DescribeStream',
    'dynamodb:GetRecords',
    'dynamodb:GetShardIterator',
  ],
  resource: new RegExp(`^\\{"Fn::GetAtt":\\["Tables${name}[0-9A-F]{8}","StreamArn"\\]\\}$`),
});
const deadLetters: Allowed[] = [
  {
    actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
    resource: /^\{"Fn::GetAtt":\["DeadLettersQueue[0-9A-F]{8}","Arn"\]\}$/,
  },
  // The grant CDK's SQS destination makes on the queue's key: the one stack key.
  {
    actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
    resource: key.resource,
  },
];
/** The key of the erasure markers' keyed hash (docs/security.md, "Erasure"). */
const erasureKey: Allowed = {
  actions: ['secretsmanager:GetSecretValue'],
  resource: /^\{"Ref":"BankErasureKey[0-9A-F]{8}"\}$/,
};
/** The key of reporter hashes in compromised-merchant marks (docs/scoring.md, "Confirmed fraud"). */
const reporterKey: Allowed = {
  actions: ['secretsmanager:GetSecretValue'],
  resource: /^\{"Ref":"BankMerchantReporterKey[0-9A-F]{8}"\}$/,
};
const bankSecrets = (kind: 'signing' | 'admin' | 'callback'): Allowed => ({
  actions: ['secretsmanager:GetSecretValue'],
  resource: new RegExp(`:secret:vigil/dev/banks/\\*/${kind}-\\?{6}"\\]\\]\\}$`),
});

/** The tables of a Meta channel's webhook: the same for Messenger and WhatsApp (bindConversationTables). */
const conversationTables: Allowed[] = [
  table('Enrollments', ['dynamodb:UpdateItem']),
  table('Subscribers', [
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
  ]),
  index('Subscribers', 'byPsid'),
  // A second person's pending takeover of a subscription, found when they agree.
  index('Subscribers', 'byPendingPsid'),
  table('Alerts', ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']),
  index('Alerts', 'byCustomerRef'),
  // Alerts written before byCustomerRef, until `vigil migrate` has moved them.
  index('Alerts', 'byRef'),
  table('Thresholds', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem']),
  table('Callbacks', ['dynamodb:PutItem']),
  table('Inbound', ['dynamodb:PutItem', 'dynamodb:DeleteItem']),
  table('Banks', ['dynamodb:GetItem']),
];

const allowedByFunction: Record<string, readonly Allowed[]> = {
  ReceiveBankEvent: [
    ownLogs('ReceiveBankEvent'),
    tracing,
    key,
    secretsKey,
    bankSecrets('signing'),
    erasureKey,
    table('Subscribers', ['dynamodb:GetItem']),
    table('Events', ['dynamodb:PutItem']),
    // The bank's settings: source IP allow-list and client certificate.
    table('Banks', ['dynamodb:GetItem']),
  ],
  BankAdmin: [
    ownLogs('BankAdmin'),
    tracing,
    key,
    secretsKey,
    bankSecrets('admin'),
    erasureKey,
    // Fraud reports: marks hold reporters as a keyed hash.
    reporterKey,
    // Nonces: claimed once, answered, freed when the request failed.
    table('Nonces', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']),
    table('Thresholds', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem']),
    // Enrollments, and erasing a customer everywhere (docs/contract.md#erasure).
    table('Enrollments', ['dynamodb:PutItem', 'dynamodb:BatchWriteItem']),
    index('Enrollments', 'byCustomer'),
    table('Subscribers', ['dynamodb:DeleteItem']),
    // PutItem for the erasure marker (it replaces the customer's history item), DeleteItem for
    // the items of before; merchant marks: fraud reports (update), and erasing a customer's
    // reports (get, update).
    table('Activity', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem']),
    table('Alerts', ['dynamodb:BatchWriteItem']),
    index('Alerts', 'byCustomerRef'),
    index('Alerts', 'byCustomer'),
    table('Events', ['dynamodb:BatchWriteItem']),
    index('Events', 'byCustomer'),
    table('Banks', ['dynamodb:GetItem']),
  ],
  MessengerWebhook: [
    ownLogs('MessengerWebhook'),
    tracing,
    key,
    secretsKey,
    messengerSecret,
    // Telling a subscription's previous person on WhatsApp that the alerts moved.
    whatsappSecret,
    ...conversationTables,
  ],
  // As the Messenger webhook, with the WhatsApp secret only: it replies on WhatsApp alone.
  WhatsAppWebhook: [
    ownLogs('WhatsAppWebhook'),
    tracing,
    key,
    secretsKey,
    whatsappSecret,
    ...conversationTables,
  ],
  NotifyBank: [
    ownLogs('NotifyBank'),
    tracing,
    key,
    // The subscriberRef key's secret is encrypted with the secrets key.
    secretsKey,
    {
      actions: ['secretsmanager:GetSecretValue'],
      resource: /^\{"Ref":"CallbacksSubscriberRefKey[0-9A-F]{8}"\}$/,
    },
    // A "No" answer marks the disputed payments' merchants: the reporter key, the mark (an
    // update of the activity table) and the bank's window (its thresholds).
    reporterKey,
    // The first attempt at each callback (decision 16): the bank's callback URL and secrets; the
    // outbox only for the callbacks it leaves undelivered.
    bankSecrets('callback'),
    table('Banks', ['dynamodb:GetItem']),
    table('Callbacks', ['dynamodb:PutItem']),
    // Removed again (get, update, delete) when the customer was erased meanwhile.
    table('Activity', ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']),
    table('Thresholds', ['dynamodb:GetItem']),
    streamOf('Alerts'),
    streamOf('Subscribers'),
    ...deadLetters,
  ],
  DeliverCallbacks: [
    ownLogs('DeliverCallbacks'),
    tracing,
    key,
    secretsKey,
    bankSecrets('callback'),
    table('Callbacks', ['dynamodb:GetItem', 'dynamodb:UpdateItem']),
    index('Callbacks', 'dueByBank'),
    table('Banks', ['dynamodb:GetItem', 'dynamodb:Scan']),
  ],
  ExpireAlerts: [
    ownLogs('ExpireAlerts'),
    tracing,
    key,
    table('Alerts', ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']),
    index('Alerts', 'openByDeadline'),
    table('Banks', ['dynamodb:Scan']),
  ],
  NotifyCustomer: [
    ownLogs('NotifyCustomer'),
    tracing,
    key,
    secretsKey,
    messengerSecret,
    whatsappSecret,
    table('Alerts', ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']),
    table('Subscribers', ['dynamodb:GetItem']),
    table('Banks', ['dynamodb:GetItem']),
    table('Activity', ['dynamodb:GetItem']),
    streamOf('Alerts'),
    ...deadLetters,
  ],
  ScoreTransaction: [
    ownLogs('ScoreTransaction'),
    tracing,
    key,
    // The reporter key tells a payer's own confirmed-fraud reports from other customers'.
    secretsKey,
    reporterKey,
    // The bank's default (get); the customer's override and preferences, with one Query.
    table('Thresholds', ['dynamodb:GetItem', 'dynamodb:Query']),
    // The customer's history (ledger and profile) and merchant reports; the erasure marker, and
    // what an erasure overtook.
    table('Activity', ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']),
    table('Alerts', [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:ConditionCheckItem',
    ]),
    table('Events', ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']),
    streamOf('Events'),
    ...deadLetters,
  ],
};

/** Wildcard actions a function may hold, each with the reason it cannot be avoided. */
const allowedWildcards = new Set(['kms:ReEncrypt*', 'kms:GenerateDataKey*']);

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Effect: string;
}

const { template } = synthesize();
const functions = template.findResources('AWS::Lambda::Function');
const policies = Object.values(template.findResources('AWS::IAM::Policy'));

/** Every (action, resource) pair the function's role is granted. */
function grantsOf(functionLogicalId: string): { action: string; resource: string }[] {
  const roleId = functions[functionLogicalId]?.Properties.Role['Fn::GetAtt'][0] as string;
  const statements = policies
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
  return statements.flatMap((statement) => {
    expect(statement.Effect).toBe('Allow');
    const actions = [statement.Action].flat();
    const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    return actions.flatMap((action) =>
      resources.map((resource) => ({ action, resource: JSON.stringify(resource) })),
    );
  });
}

describe('least privilege', () => {
  it('has a role for each function and each schedule, and none more (the API and the WAF add none)', () => {
    const roles = Object.keys(template.findResources('AWS::IAM::Role'));
    const functionRoles = Object.values(functions).map((fn) => fn.Properties.Role['Fn::GetAtt'][0] as string);
    const others = roles.filter((role) => !functionRoles.includes(role));
    expect(others.sort()).toEqual([
      expect.stringMatching(/^CallbacksDeliverCallbacksScheduleRole/),
      expect.stringMatching(/^CallbacksExpireAlertsScheduleRole/),
    ]);
  });

  it('lets API Gateway invoke a function only for this REST API, one method path each', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).filter(
      (permission) => permission.Properties.Principal === 'apigateway.amazonaws.com',
    );
    expect(permissions.length).toBeGreaterThan(0);
    for (const permission of permissions) {
      const source = JSON.stringify(permission.Properties.SourceArn);
      expect(source).toMatch(/"Ref":"ApiRestApi[0-9A-F]{8}"/);
      expect(source).not.toMatch(/\/\*\/\*"/);
    }
  });

  it('knows every function of the stack', () => {
    const names = Object.keys(functions).map((id) =>
      Object.keys(allowedByFunction).find((name) => id.includes(name)),
    );
    expect(names).not.toContain(undefined);
  });

  describe.each(Object.entries(allowedByFunction))('%s', (name, allowed) => {
    const logicalId = Object.keys(functions).find((id) => id.includes(`${name}Function`)) ?? '';
    const grants = grantsOf(logicalId);

    it('is granted nothing beyond its list, and no wildcard action but the justified ones', () => {
      for (const grant of grants) {
        if (!allowedWildcards.has(grant.action)) expect(grant.action).not.toContain('*');
        const permitted = allowed.some(
          (rule) => rule.actions.includes(grant.action) && rule.resource.test(grant.resource),
        );
        expect(permitted, `${grant.action} on ${grant.resource}`).toBe(true);
      }
    });

    it('has a * resource only for X-Ray, which supports no resource-level permissions', () => {
      for (const grant of grants.filter((g) => g.resource === '"*"')) expect(grant.action).toMatch(/^xray:/);
    });

    it('is granted each data access it needs', () => {
      for (const rule of allowed.filter((r) => r !== key && !deadLetters.includes(r))) {
        for (const action of rule.actions) {
          expect(
            grants.some((grant) => grant.action === action && rule.resource.test(grant.resource)),
            `${action} on ${rule.resource}`,
          ).toBe(true);
        }
      }
    });
  });
});
