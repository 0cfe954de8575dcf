import { setTimeout as sleep } from 'node:timers/promises';
import { lambdaContext } from './lambda-http-server.ts';

// Local mode's EventBridge Scheduler: runs the scheduled functions one after another, every
// interval (much more often than the stack's once a minute, so that a demo does not wait).

export interface LocalScheduler {
  stop(): Promise<void>;
}

type ScheduledHandler = (
  event: { source: string },
  context: ReturnType<typeof lambdaContext>,
) => Promise<unknown>;

export function startLocalScheduler(
  jobs: readonly { readonly functionName: string; readonly handler: ScheduledHandler }[],
  intervalMs = 1000,
): LocalScheduler {
  const controller = new AbortController();
  const loop = (async () => {
    while (!controller.signal.aborted) {
      for (const job of jobs) {
        try {
          await job.handler({ source: 'local.scheduler' }, lambdaContext(job.functionName, 60_000));
        } catch (error) {
          process.stderr.write(`${job.functionName}: ${String(error)}\n`);
        }
      }
      await sleep(intervalMs, undefined, { signal: controller.signal }).catch(() => undefined);
    }
  })();
  return {
    async stop() {
      controller.abort();
      await loop;
    },
  };
}
