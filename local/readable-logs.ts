// Local mode's logs for people: on a terminal, each JSON log line of the functions becomes one
// readable line (time, function, level, message, ids, outcome); anything else passes as it is.
// Not on a terminal, or with `npm start -- --json-logs`, the JSON lines are left alone, as Lambda
// writes them.

/** Attributes every line has, or that say nothing to a person reading local mode. */
const NOISE = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'function_name',
  'function_arn',
  'function_memory_size',
  'function_request_id',
  'cold_start',
  'xray_trace_id',
  'sampling_rate',
]);

/** Whether `npm start` writes readable lines: on a terminal, unless --json-logs asks for JSON. */
export function wantsReadableLogs(isTty: boolean | undefined, argv: readonly string[]): boolean {
  return isTty === true && !argv.includes('--json-logs');
}

/** One JSON log line as a readable line; undefined when it is not a Powertools log line. */
export function formatLogLine(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof entry.level !== 'string' || typeof entry.message !== 'string') return undefined;
  const time = typeof entry.timestamp === 'string' ? entry.timestamp.slice(11, 23) : '';
  const fields = Object.entries(entry)
    .filter(([key]) => !NOISE.has(key))
    .map(([key, value]) => `${key}=${describe(value)}`);
  const where = typeof entry.function_name === 'string' ? entry.function_name : 'vigil';
  return [time, entry.level.padEnd(5), where.padEnd(18), entry.message, ...fields].filter(Boolean).join('  ');
}

function describe(value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  if (value !== null && typeof value === 'object' && 'name' in value && 'message' in value) {
    // An error: its name and message, not its stack.
    return JSON.stringify(`${String(value.name)}: ${String(value.message)}`);
  }
  return JSON.stringify(value);
}

/** Rewrites the JSON log lines written to `stream` as readable lines, whole lines at a time. */
export function readableLogs(stream: NodeJS.WriteStream): void {
  const write = stream.write.bind(stream) as (chunk: string) => boolean;
  let pending = '';
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const end = pending.lastIndexOf('\n');
    if (end !== -1) {
      const lines = pending.slice(0, end).split('\n');
      pending = pending.slice(end + 1);
      write(`${lines.map((line) => formatLogLine(line) ?? line).join('\n')}\n`);
    }
    const callback = rest.find((item) => typeof item === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof stream.write;
}
