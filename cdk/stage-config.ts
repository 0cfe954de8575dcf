import type { Node } from 'constructs';
import { z } from 'zod';
import { CURRENT_GRAPH_API_VERSION } from '../shared/adapters/graph-api-messenger.ts';

/** The deploy-time settings of a stage, read from `cdk.json` context or `-c key=value`. */
const throttle = z.object({ rateLimit: z.number().positive(), burstLimit: z.int().positive() });

/** The page id cdk.json ships with: a stand-in that only the `dev` stage may deploy. */
export const PLACEHOLDER_PAGE_ID = '100000000000001';

const stageSettings = z.object({
  stage: z.string().regex(/^[a-z][a-z0-9-]{0,19}$/, 'a short lower-case name such as dev or prod'),
  /** The Graph API version of every Messenger call (default: the newest when this was written). */
  graphApiVersion: z
    .string()
    .regex(/^v\d+\.\d+$/)
    .default(CURRENT_GRAPH_API_VERSION),
  /** The Facebook page that sends alerts (cdk.json holds a placeholder: set yours). */
  messengerPageId: z.string().regex(/^\d{5,20}$/, 'the numeric id of the Facebook page'),
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']),
  alarmEmail: z.string().email().optional(),
  /** The default throttle of every route (requests per second, burst). */
  apiThrottle: throttle,
  /** Per-route throttles, by route key ("POST /v1/banks/{bankId}/events"), over the default. */
  routeThrottle: z.record(z.string().regex(/^(GET|POST|PUT|DELETE) \//), throttle).default({}),
  /**
   * The WAF's rate-based rules (docs/decisions/0010-edge.md): requests per 5 minutes per source
   * IP on the bank API, per bank path (all sources together), per source IP on the Messenger
   * webhook, and per source IP on anything else.
   */
  edge: z
    .object({
      perIpLimit: z.int().min(10),
      perBankPathLimit: z.int().min(10),
      messengerPerIpLimit: z.int().min(10),
      otherPerIpLimit: z.int().min(10),
    })
    .default({ perIpLimit: 3000, perBankPathLimit: 60000, messengerPerIpLimit: 30000, otherPerIpLimit: 300 }),
  /**
   * Optional custom domain for the API, with optional mutual TLS: `truststoreUri` is the S3 URI
   * of the PEM bundle of the banks' client-certificate CAs. With a custom domain the default
   * execute-api endpoint is switched off, so nobody can go around the domain's TLS settings.
   */
  customDomain: z
    .object({
      domainName: z.string().regex(/^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/, 'a DNS name'),
      certificateArn: z.string().regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/),
      truststoreUri: z
        .string()
        .regex(/^s3:\/\/[a-z0-9.-]{3,63}\/.+$/)
        .optional(),
      truststoreVersion: z.string().min(1).optional(),
    })
    .optional(),
  /**
   * Reserved concurrency of the stream consumers, by function: kept for them whatever the API's
   * functions use, so that an ingest flood cannot starve scoring, alerts and callbacks.
   */
  reservedConcurrency: z
    .object({
      ScoreTransaction: z.int().min(1),
      NotifyCustomer: z.int().min(1),
      NotifyBank: z.int().min(1),
      DeliverCallbacks: z.int().min(1),
    })
    .default({ ScoreTransaction: 20, NotifyCustomer: 20, NotifyBank: 10, DeliverCallbacks: 10 }),
});

/**
 * Every stage but `dev` must name its own Facebook page and an e-mail for alarms: a placeholder
 * page id would deploy silently, and alarms nobody receives protect nothing.
 */
export const stageConfigSchema = stageSettings.superRefine((config, context) => {
  if (config.stage === 'dev') return;
  if (config.messengerPageId === PLACEHOLDER_PAGE_ID) {
    context.addIssue({
      code: 'custom',
      path: ['messengerPageId'],
      message: `still the placeholder ${PLACEHOLDER_PAGE_ID} of cdk.json; set the id of your Facebook page for stage ${config.stage} (-c messengerPageId=...)`,
    });
  }
  if (config.alarmEmail === undefined) {
    context.addIssue({
      code: 'custom',
      path: ['alarmEmail'],
      message: `required for stage ${config.stage}: the address that receives alarms (-c alarmEmail=...)`,
    });
  }
});

export type StageConfig = z.infer<typeof stageConfigSchema>;

/** Reads the stage settings from the app's context, failing synth with every problem named. */
export function readStageConfig(node: Node): StageConfig {
  const keys = Object.keys(stageSettings.shape);
  const context = Object.fromEntries(keys.map((key) => [key, parseContextValue(node.tryGetContext(key))]));
  const result = stageConfigSchema.safeParse(context);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid cdk.json context: ${problems.join('; ')}`);
  }
  return result.data;
}

/** `-c apiThrottle={"rateLimit":10,...}` arrives as a string. */
function parseContextValue(value: unknown): unknown {
  if (typeof value !== 'string' || !/^[[{]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
