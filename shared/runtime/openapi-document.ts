import accountBalanceExample from '../../examples/account-balance.json' with { type: 'json' };
import bankThresholdsExample from '../../examples/bank-thresholds.json' with { type: 'json' };
import cardTransactionExample from '../../examples/card-transaction.json' with { type: 'json' };
import customerThresholdsExample from '../../examples/customer-thresholds.json' with { type: 'json' };
import enrollmentExample from '../../examples/enrollment.json' with { type: 'json' };
import fraudReportsExample from '../../examples/fraud-reports.json' with { type: 'json' };
import {
  accountBalanceEventSchema,
  bankIdPattern,
  cardTransactionEventSchema,
  eventIdPattern,
  opaqueIdPattern,
} from '../domain/bank-event.ts';
import { callbackSchemas } from '../domain/callback-schemas.ts';
import { fraudReportBatchSchema, MAX_FRAUD_REPORTS } from '../domain/compromised-merchant.ts';
import { enrollmentRequestSchema } from '../domain/enroll-customer.ts';
import { preferencesSchema } from '../domain/preferences.ts';
import { thresholdOverrideSchema, thresholdsSchema } from '../domain/thresholds.ts';
import * as z from '../domain/zod.ts';

// GET /openapi.json (docs/contract.md#openapi): the OpenAPI 3.1 description of the bank API, generated from the
// zod schemas that validate requests (zod's own JSON Schema 2020-12 output, which OpenAPI 3.1
// uses as is), with the repository's example files as examples.

type Json = Record<string, unknown>;

const jsonSchema = (schema: z.ZodMiniType): Json => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  return rest;
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});
const json = (description: string, schema: Json, example?: unknown) => ({
  description,
  content: { 'application/json': { schema, ...(example !== undefined && { example }) } },
});

const signed = { security: [{ standardWebhooks: [] }] };
const signatureHeaders = [
  {
    name: 'webhook-id',
    in: 'header',
    required: true,
    description:
      'Unique id of this request; for events, the event id and idempotency key (1–128 of A-Z a-z 0-9 _ . : -).',
    schema: { type: 'string', pattern: eventIdPattern.source },
  },
  {
    name: 'webhook-timestamp',
    in: 'header',
    required: true,
    description: 'Unix time in seconds; within 5 minutes of Vigil’s clock.',
    schema: { type: 'string', pattern: '^\\d+$' },
  },
];
/** Administration requests: HTTP Message Signatures (RFC 9421) under the administration key. */
const adminSigned = { security: [{ httpMessageSignature: [] }] };
const adminSignatureHeaders = [
  {
    name: 'Signature-Input',
    in: 'header',
    required: true,
    description:
      'sig=("@method" "@authority" "@path" "@query" "content-digest");created=<unix seconds>;nonce="<16–128 URL-safe characters, new per request>";keyid="<adminKeyId>";alg="hmac-sha256" (without "content-digest" when there is no body).',
    schema: { type: 'string' },
  },
  {
    name: 'Signature',
    in: 'header',
    required: true,
    description: 'sig=:<base64 HMAC-SHA256 of the RFC 9421 signature base under the administration key>:',
    schema: { type: 'string' },
  },
  {
    name: 'Content-Digest',
    in: 'header',
    required: false,
    description: 'With a body (required then): sha-256=:<base64 SHA-256 of the exact body>: (RFC 9530).',
    schema: { type: 'string' },
  },
];
const bankId = {
  name: 'bankId',
  in: 'path',
  required: true,
  description: 'Your bank id, as registered with Vigil.',
  schema: { type: 'string', pattern: bankIdPattern.source },
};
const customerId = {
  name: 'customerId',
  in: 'path',
  required: true,
  description: 'Your opaque customer reference.',
  schema: { type: 'string', pattern: opaqueIdPattern.source },
};
const retryAfter = {
  'Retry-After': {
    description: 'Seconds to wait before retrying the same request.',
    schema: { type: 'integer', minimum: 1 },
  },
};
/** What any signed request can be answered, body or not. */
const common = {
  '401': problem('Missing or invalid signature, unknown bank, or stale timestamp (one answer for all).'),
  '403': {
    description:
      'Signed, but not from an address of the bank’s allow-list or without its client certificate (problem `caller-not-allowed`); or refused by the WAF in front of the API (over a rate limit, or a managed rule): back off and retry with the same webhook-id.',
  },
  '429': { description: 'Throttled by the API’s per-route limits. Retry later, with the same webhook-id.' },
  '503': {
    ...problem('A dependency failed; nothing was stored. Retry the same request after `Retry-After`.'),
    headers: retryAfter,
  },
};
/** What a request with a body can also be answered (GET and DELETE carry none). */
const withBody = {
  ...common,
  '413': problem('Body over 64 KiB.'),
  '415': problem('The body is not JSON.'),
  '422': problem('The body holds what looks like a full card number; nothing was stored.'),
};
const invalid = problem('Invalid body, with field-level `errors`.');
const invalidPath = problem('Invalid customer id in the path (`errors` path `path:customerId`).');

/** `alert.sent` → `AlertSentCallback`. */
const callbackSchemaName = (type: string) =>
  `${type
    .split('.')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('')}Callback`;

/** The HMAC key: the base64 part of a `whsec_<base64>` secret, decoded. */
const SIGNING_SCHEME =
  '`v1,<base64 HMAC-SHA256>` of `webhook-id.webhook-timestamp.body`, the body as raw bytes; the HMAC key is the base64-decoded part of the secret after `whsec_` (not the secret text itself).';

/** Vigil's calls to the bank's callback URL, one per callback type (docs/bank-integration.md). */
function webhooks(): Json {
  return Object.fromEntries(
    Object.entries(callbackSchemas).map(([type, schema]) => [
      type,
      {
        post: {
          operationId: `callback${callbackSchemaName(type).replace(/Callback$/, '')}`,
          summary: z.globalRegistry.get(schema)?.description ?? type,
          description:
            'Posted to your callback URL, signed with your callback secret. Answer 2xx within 5 seconds; anything else is retried with the same `webhook-id` and body, with backoff from 30 seconds to an hour, for 25 hours. Deliveries are at least once and not ordered: deduplicate by `webhook-id`, order by `occurredAt`.',
          tags: ['Callbacks'],
          security: [{ callbackSignature: [] }],
          parameters: signatureHeaders,
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref(callbackSchemaName(type)) } },
          },
          responses: {
            '200': { description: 'Received (any 2xx).' },
            '400': { description: 'Refused (any non-2xx, or no answer in 5 seconds): retried.' },
          },
        },
      },
    ]),
  );
}

function operation(operationId: string, summary: string, extra: Json): Json {
  return { operationId, summary, tags: ['Bank API'], ...signed, ...extra };
}

/** An administration operation: signed with HTTP Message Signatures, each nonce answered once. */
function adminOperation(operationId: string, summary: string, extra: Json): Json {
  return {
    ...operation(operationId, summary, extra),
    ...adminSigned,
    responses: {
      ...(extra.responses as Json),
      '409': problem('A retry arrived while the first request with its nonce is still being handled.'),
    },
    description:
      'Signed with HTTP Message Signatures under the administration key. A retry signed again with the same nonce gets the first answer (header `vigil-replayed: true`).',
  };
}

/** The OpenAPI document, for the given server URL. */
export function openApiDocument(serverUrl: string): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Vigil bank API',
      version: '1.0.0',
      description:
        'Card fraud alerts over Messenger. Events are signed with Standard Webhooks (HMAC-SHA256 over `webhook-id.webhook-timestamp.body`, keyed with the base64-decoded part of your event signing secret after `whsec_`); every other request with HTTP Message Signatures (RFC 9421, hmac-sha256 over method, authority, path, query and Content-Digest, with created, nonce and keyid) under your administration key. Vigil signs its callbacks (`webhooks`) with Standard Webhooks and your callback secret. See docs/bank-integration.md.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: serverUrl }],
    tags: [
      {
        name: 'Bank API',
        description: 'Called by banks, signed with their event signing secret or administration key.',
      },
      {
        name: 'Callbacks',
        description: 'Called by Vigil on the bank’s callback URL, signed with its callback secret.',
      },
    ],
    webhooks: webhooks(),
    paths: {
      '/v1/banks/{bankId}/events': {
        post: operation('postEvent', 'Send a card transaction or a balance change', {
          parameters: [bankId, ...signatureHeaders],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { oneOf: [ref('CardTransactionEvent'), ref('AccountBalanceEvent')] },
                examples: {
                  cardTransaction: { value: cardTransactionExample },
                  accountBalance: { value: accountBalanceExample },
                },
              },
            },
          },
          responses: {
            '202': json('Stored and to be scored, or ignored (no active subscription).', ref('EventAnswer'), {
              id: 'evt_1',
              status: 'accepted',
            }),
            '200': json(
              'The same event (same webhook-id and body) was already accepted.',
              ref('EventAnswer'),
              {
                id: 'evt_1',
                status: 'duplicate',
              },
            ),
            '400': invalid,
            '409': problem('The same webhook-id was already accepted with another body.'),
            ...withBody,
          },
        }),
      },
      '/v1/banks/{bankId}/enrollments': {
        post: adminOperation('postEnrollment', 'Create single-use enrollment links (Messenger, WhatsApp)', {
          parameters: [bankId, ...adminSignatureHeaders],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref('EnrollmentRequest'), example: enrollmentExample } },
          },
          responses: {
            '201': json('The link, valid 24 hours.', ref('EnrollmentLink')),
            '400': invalid,
            ...withBody,
          },
        }),
      },
      '/v1/banks/{bankId}/fraud-reports': {
        post: adminOperation('postFraudReports', 'Report confirmed fraudulent payments', {
          parameters: [bankId, ...adminSignatureHeaders],
          requestBody: {
            required: true,
            description: `1 to ${MAX_FRAUD_REPORTS} payments your chargebacks or investigations confirmed as fraud. Each marks its merchant as compromised for \`compromisedMerchants.days\` of your thresholds: other customers' card-present payments there then score \`compromisedMerchant\`. The whole batch is validated first: one bad report refuses it and marks nothing. Reporting a payment again only moves the end of its window.`,
            content: {
              'application/json': { schema: ref('FraudReportBatch'), example: fraudReportsExample },
            },
          },
          responses: {
            '200': json('Recorded.', ref('FraudReportAnswer'), {
              reports: 2,
              merchants: 2,
              until: '2026-12-06T10:00:00.000Z',
            }),
            '400': invalid,
            ...withBody,
          },
        }),
      },
      '/v1/banks/{bankId}/thresholds': {
        get: adminOperation(
          'getBankThresholds',
          'The bank’s default thresholds (Vigil’s built-in ones until set)',
          {
            parameters: [bankId, ...adminSignatureHeaders],
            responses: {
              '200': json('The thresholds.', ref('Thresholds'), bankThresholdsExample),
              ...common,
            },
          },
        ),
        put: adminOperation('putBankThresholds', 'Replace the bank’s default thresholds', {
          parameters: [bankId, ...adminSignatureHeaders],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref('Thresholds'), example: bankThresholdsExample } },
          },
          responses: {
            '200': json('The stored thresholds.', ref('Thresholds')),
            '400': invalid,
            ...withBody,
          },
        }),
      },
      '/v1/banks/{bankId}/customers/{customerId}/thresholds': {
        get: adminOperation('getCustomerThresholds', 'A customer’s threshold override', {
          parameters: [bankId, customerId, ...adminSignatureHeaders],
          responses: {
            '200': json('The override.', ref('ThresholdOverride'), customerThresholdsExample),
            '400': invalidPath,
            '404': problem('The customer has no override.'),
            ...common,
          },
        }),
        put: adminOperation('putCustomerThresholds', 'Replace a customer’s threshold override', {
          parameters: [bankId, customerId, ...adminSignatureHeaders],
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: ref('ThresholdOverride'), example: customerThresholdsExample },
            },
          },
          responses: {
            '200': json('The stored override.', ref('ThresholdOverride')),
            '400': invalid,
            ...withBody,
          },
        }),
        delete: adminOperation('deleteCustomerThresholds', 'Remove a customer’s threshold override', {
          parameters: [bankId, customerId, ...adminSignatureHeaders],
          responses: { '204': { description: 'Removed, or there was none.' }, '400': invalidPath, ...common },
        }),
      },
      '/v1/banks/{bankId}/customers/{customerId}/preferences': {
        get: operation(
          'getCustomerPreferences',
          'What the customer set for themselves in Messenger (read-only)',
          {
            parameters: [bankId, customerId, ...signatureHeaders],
            responses: {
              '200': json(
                'Their travel notice and their own alert amount, as set with TRAVEL and ALERTS OVER in the chat (docs/channels.md, "Customer controls").',
                ref('CustomerPreferences'),
              ),
              '400': invalidPath,
              '404': problem('The customer has set no preferences.'),
              ...common,
            },
          },
        ),
        delete: operation('clearCustomerPreferences', 'Clear what the customer set for themselves', {
          parameters: [bankId, customerId, ...signatureHeaders],
          responses: {
            '204': { description: 'Cleared, or there was nothing.' },
            '400': invalidPath,
            ...common,
          },
        }),
      },
      '/v1/banks/{bankId}/customers/{customerId}': {
        delete: adminOperation('eraseCustomer', 'Erase everything Vigil holds on a customer', {
          parameters: [bankId, customerId, ...adminSignatureHeaders],
          responses: {
            '204': { description: 'Erased, or there was nothing.' },
            '400': invalidPath,
            ...common,
          },
        }),
      },
      '/openapi.json': {
        get: {
          operationId: 'getOpenApi',
          summary: 'This document',
          tags: ['Bank API'],
          security: [],
          responses: {
            '200': { description: 'The OpenAPI 3.1 document.', content: { 'application/json': {} } },
            '429': common['429'],
          },
        },
      },
    },
    components: {
      securitySchemes: {
        standardWebhooks: {
          type: 'apiKey',
          in: 'header',
          name: 'webhook-signature',
          description: `${SIGNING_SCHEME} Keyed with your event signing secret; several space-separated signatures are allowed during a rotation. \`webhook-timestamp\` is a plain integer of seconds.`,
        },
        callbackSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'webhook-signature',
          description: `${SIGNING_SCHEME} Keyed with your callback secret (vigil/<stage>/banks/<bankId>/callback); during a rotation of that secret two space-separated signatures are sent. Verify it, and that webhook-timestamp is within 5 minutes, with the standardwebhooks library.`,
        },
        httpMessageSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'Signature',
          description:
            'HTTP Message Signatures (RFC 9421), `hmac-sha256` under your administration key (`vadm_<base64>`, the HMAC key is the base64-decoded part), label `sig`. Covered: "@method", "@authority", "@path", "@query", and "content-digest" (RFC 9530, sha-256) whenever there is a body; parameters `created` (within 5 minutes), `nonce` (new per request; the same nonce with a new signature retries), `keyid` (your adminKeyId). One 401 answer for every failure.',
        },
      },
      schemas: {
        CardTransactionEvent: jsonSchema(cardTransactionEventSchema),
        AccountBalanceEvent: jsonSchema(accountBalanceEventSchema),
        EnrollmentRequest: jsonSchema(enrollmentRequestSchema),
        FraudReportBatch: jsonSchema(fraudReportBatchSchema),
        Thresholds: jsonSchema(thresholdsSchema),
        CustomerPreferences: jsonSchema(preferencesSchema),
        ThresholdOverride: jsonSchema(thresholdOverrideSchema),
        ...Object.fromEntries(
          Object.entries(callbackSchemas).map(([type, schema]) => [
            callbackSchemaName(type),
            jsonSchema(schema),
          ]),
        ),
        EventAnswer: {
          type: 'object',
          required: ['id', 'status'],
          properties: {
            id: { type: 'string', description: 'The webhook-id.' },
            status: { type: 'string', enum: ['accepted', 'duplicate', 'ignored'] },
            reason: { type: 'string', enum: ['not_subscribed'], description: 'Why an event was ignored.' },
          },
        },
        FraudReportAnswer: {
          type: 'object',
          required: ['reports', 'merchants', 'until'],
          properties: {
            reports: { type: 'integer', description: 'Reports taken.' },
            merchants: { type: 'integer', description: 'Distinct merchants marked.' },
            until: { type: 'string', format: 'date-time', description: 'Until when the marks count.' },
          },
        },
        EnrollmentLink: {
          type: 'object',
          required: ['enrollmentId', 'link', 'links', 'expiresAt'],
          properties: {
            enrollmentId: { type: 'string' },
            link: {
              type: 'string',
              format: 'uri',
              description:
                'The first of `links` (the Messenger link when the bank offers Messenger): https://m.me/<page>?ref=<single-use token>',
            },
            links: {
              type: 'object',
              description:
                'One link per channel the bank offers, all with the same single-use token: show each (docs/channels.md).',
              properties: {
                messenger: { type: 'string', format: 'uri', description: 'https://m.me/<page>?ref=<token>' },
                whatsapp: {
                  type: 'string',
                  format: 'uri',
                  description: 'https://wa.me/<number>?text=<prefilled text carrying the token>',
                },
              },
              additionalProperties: false,
            },
            expiresAt: { type: 'string', format: 'date-time' },
          },
        },
        Problem: {
          type: 'object',
          description: 'RFC 9457 problem details.',
          required: ['type', 'title', 'status', 'detail'],
          properties: {
            type: {
              type: 'string',
              description: '`urn:vigil:problem:<name>`, e.g. urn:vigil:problem:pan-detected',
            },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                required: ['path', 'message'],
                properties: { path: { type: 'string' }, message: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  };
}
