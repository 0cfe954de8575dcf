import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../local/dynamodb-local.ts';
import { waitFor } from '../support/wait-for.ts';

// `npm start` on a terminal (a pseudo-terminal from util-linux `script`): one readable line per
// event, each tagged with the function that wrote it, and callback retries naming their error.

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
let home: string;
let apiUrl: string;
let vigil: ChildProcess;
let output = '';

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'vigil-tty-'));
  const [port, emulatorPort] = [await findFreePort(), await findFreePort()];
  apiUrl = `http://127.0.0.1:${port}`;
  vigil = spawn('script', ['-qfec', 'npm start', '/dev/null'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      EMULATOR_PORT: String(emulatorPort),
      VIGIL_HOME: home,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [vigil.stdout, vigil.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      output += chunk.toString().replaceAll('\r', '');
    });
  }
  await waitFor(
    async () => (output.includes('Press Ctrl-C to stop.') ? true : undefined),
    60_000,
    'npm start on a terminal',
  );
}, 90_000);

afterAll(() => {
  try {
    if (vigil.pid !== undefined) process.kill(-vigil.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
});

const cli = (...args: string[]) =>
  run('node', ['bin/vigil.js', ...args], { cwd: root, env: { ...process.env, VIGIL_HOME: home } }).catch(
    (error: unknown) => error,
  );

/** The readable line with this message, once it is written. */
const line = (message: string, also: RegExp = /.*/) =>
  waitFor(
    async () =>
      output.split('\n').find((candidate) => candidate.includes(`  ${message}`) && also.test(candidate)),
    15_000,
    `the line "${message}"`,
  );

describe('npm start on a terminal', () => {
  it('writes one readable line per event, with the function that wrote it', async () => {
    await cli(
      'events',
      'send',
      'demo-bank',
      '--file',
      'examples/suspicious-transaction.json',
      '--id',
      'evt_tty',
    );
    expect(await line('bank event received', /evt_tty/)).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} {2}INFO\s+receive-bank-event\s+bank event received {2}bankId=demo-bank {2}eventId=evt_tty {2}outcome=accepted$/,
    );
    expect(await line('alert created')).toMatch(/INFO\s+score-bank-event\s+alert created {2}.*score=100/);
    // The same id with another body: refused, and said by the function that refused it.
    await cli('events', 'send', 'demo-bank', '--file', 'examples/card-transaction.json', '--id', 'evt_tty');
    expect(await line('request refused', /status=409/)).toMatch(
      /WARN\s+receive-bank-event\s+request refused/,
    );
    expect(output).not.toMatch(/^\{"level"/m);
  });

  it('says why a callback was not delivered at once and will be retried', async () => {
    await fetch(`${apiUrl}/__local/banks/demo-bank/callbacks/availability`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ down: true }),
    });
    await cli('customers', 'erase', 'demo-bank', 'cus_demo');
    // notify-bank's first attempt failed: the callback waits in the outbox for deliver-callbacks.
    expect(await line('callback first attempt', /outcome=queued/)).toMatch(
      /INFO\s+notify-bank\s+callback first attempt {2}.*type=customer\.unsubscribed {2}outcome=queued {2}reason="HTTP 503"/,
    );
  });
});
