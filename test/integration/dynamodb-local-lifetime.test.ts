import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// DynamoDB Local never outlives what started it: a test run or `npm start` killed outright (no
// handler runs on SIGKILL) must not leave a Java server holding a port and a gigabyte of memory.

const fixture = join(import.meta.dirname, '..', 'fixtures', 'run-dynamodb-local.ts');

async function answers(endpoint: string): Promise<boolean> {
  try {
    await fetch(endpoint, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

/** Whatever still listens on the endpoint's port: the orphan a failing run would leave (ss -ltnp). */
function stopListener(endpoint: string): void {
  const port = new URL(endpoint).port;
  const listing = execFileSync('ss', ['-ltnpH', `sport = :${port}`]).toString();
  for (const [, pid] of listing.matchAll(/pid=(\d+)/g)) process.kill(Number(pid), 'SIGKILL');
}

describe('DynamoDB Local lifetime', () => {
  it('stops when the process that started it is killed with SIGKILL', async () => {
    const parent = spawn(process.execPath, ['--import', 'tsx', fixture], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    parent.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    parent.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    let endpoint = '';
    try {
      const deadline = Date.now() + 60_000;
      while (!output.includes('\n') && Date.now() < deadline && parent.exitCode === null)
        await new Promise((resolve) => setTimeout(resolve, 100));
      endpoint = output.trim().split('\n')[0] ?? '';
      expect(endpoint, output).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await answers(endpoint)).toBe(true);

      parent.kill('SIGKILL');
      const stoppedBy = Date.now() + 15_000;
      let up = true;
      while (up && Date.now() < stoppedBy) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        up = await answers(endpoint);
      }
      expect(up).toBe(false);
    } finally {
      parent.kill('SIGKILL');
      if (endpoint !== '' && (await answers(endpoint))) stopListener(endpoint);
    }
  }, 90_000);
});
