import { Logger } from '@aws-lambda-powertools/logger';

/** A logger at DEBUG whose lines `captureLogs` can read. */
export function debugLogger(): Logger {
  return new Logger({ serviceName: 'vigil', logLevel: 'DEBUG' });
}

/** Runs the action and returns every line written to stdout and stderr meanwhile. */
export async function captureLogs(action: () => Promise<void>): Promise<string> {
  const written: string[] = [];
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof stream.write;
  }
  try {
    await action();
  } finally {
    streams.forEach((stream, index) => {
      stream.write = originals[index] ?? stream.write;
    });
  }
  return written.join('');
}
