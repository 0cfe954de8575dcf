import type { Node } from 'constructs';
import { z } from 'zod';

/** The deploy-time settings of a stage, read from `cdk.json` context or `-c key=value`. */
const throttle = z.object({ rateLimit: z.number().positive(), burstLimit: z.int().positive() });

export const stageConfigSchema = z.object({
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

export type StageConfig = z.infer<typeof stageConfigSchema>;

/** cdk.json's `messengerPageId`: a placeholder that lets the stack synthesize, not a real page. */
export const PLACEHOLDER_PAGE_ID = '100000000000001';

/** Reads the stage settings from the app's context, failing synth with every problem named. */
export function readStageConfig(node: Node): StageConfig {
  const keys = Object.keys(stageConfigSchema.shape);
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
