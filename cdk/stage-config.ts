import type { Node } from 'constructs';
import { z } from 'zod';

/** The deploy-time settings of a stage, read from `cdk.json` context or `-c key=value`. */
const throttle = z.object({ rateLimit: z.number().positive(), burstLimit: z.int().positive() });

/** The page id cdk.json ships with: a stand-in that only the `dev` stage may deploy. */
export const PLACEHOLDER_PAGE_ID = '100000000000001';

const stageSettings = z.object({
  stage: z.string().regex(/^[a-z][a-z0-9-]{0,19}$/, 'a short lower-case name such as dev or prod'),
  graphApiVersion: z.string().regex(/^v\d+\.\d+$/),
  /** The Facebook page that sends alerts (cdk.json holds a placeholder: set yours). */
  messengerPageId: z.string().regex(/^\d{5,20}$/, 'the numeric id of the Facebook page'),
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']),
  alarmEmail: z.string().email().optional(),
  /** The default throttle of every route (requests per second, burst). */
  apiThrottle: throttle,
  /** Per-route throttles, by route key ("POST /v1/banks/{bankId}/events"), over the default. */
  routeThrottle: z.record(z.string().regex(/^(GET|POST|PUT|DELETE) \//), throttle).default({}),
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
