import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../cli/commands.ts';
import { findFreePort } from '../../local/dynamodb-local.ts';
import { startTestLocalStack, type TestLocalStack } from '../support/test-local-stack.ts';

// The CLI as the README runs it: `npx vigil ...`, and the npm bin link a global or dependency
// install makes (node_modules/.bin/vigil → bin/vigil.js), against local mode.

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
let local: TestLocalStack;
let home: string;
let binDir: string;

beforeAll(async () => {
  local = await startTestLocalStack();
  home = dirname(local.stack.configPath);
  binDir = await mkdtemp(join(tmpdir(), 'vigil-bin-'));
  await mkdir(join(binDir, 'node_modules', '.bin'), { recursive: true });
  await symlink(join(root, 'bin', 'vigil.js'), join(binDir, 'node_modules', '.bin', 'vigil'));
});
afterAll(async () => {
  await local?.stop();
  await rm(binDir, { recursive: true, force: true });
});

async function exec(file: string, args: string[], vigilHome = home) {
  try {
    const { stdout, stderr } = await run(file, args, {
      cwd: root,
      env: { ...process.env, VIGIL_HOME: vigilHome },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the vigil CLI through npm', () => {
  it('npx vigil --help lists every command and the exit codes', { timeout: 90_000 }, async () => {
    const { code, stdout } = await exec('npx', ['vigil', '--help']);
    expect(code).toBe(0);
    for (const command of commands) expect(stdout).toContain(command.usage);
    expect(stdout).toMatch(/Exit codes: 0 /);
  });

  it('npx vigil runs a real command against local mode', { timeout: 90_000 }, async () => {
    const { code, stdout } = await exec('npx', ['vigil', 'enroll', 'demo-bank', 'cus_npx', '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { status: number; body: { link: string } };
    expect(result.status).toBe(201);
    expect(result.body.link).toMatch(/^https:\/\/m\.me\/.+\?ref=/);
  });

  it('the npm bin link runs a real command, and erasing really erases', { timeout: 90_000 }, async () => {
    const vigil = join(binDir, 'node_modules', '.bin', 'vigil');
    const enrolled = await exec(vigil, ['enroll', 'demo-bank', 'cus_bin', '--json']);
    expect(enrolled.code).toBe(0);
    expect((await local.scan('enrollments')).some((item) => item.customerId === 'cus_bin')).toBe(true);
    const erased = await exec(vigil, ['customers', 'erase', 'demo-bank', 'cus_bin', '--json']);
    expect(erased.code).toBe(0);
    expect(JSON.parse(erased.stdout).status).toBeLessThan(300);
    expect((await local.scan('enrollments')).some((item) => item.customerId === 'cus_bin')).toBe(false);
  });

  it('a refused command exits 1 through the bin link, with the reason', { timeout: 90_000 }, async () => {
    const vigil = join(binDir, 'node_modules', '.bin', 'vigil');
    const { code, stderr } = await exec(vigil, [
      'events',
      'send',
      'no-such-bank',
      '--file',
      'examples/card-transaction.json',
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain('Unknown bank no-such-bank');
  });

  it('exits 2 when Vigil is not running, as --help says, naming the cause', { timeout: 90_000 }, async () => {
    const vigil = join(binDir, 'node_modules', '.bin', 'vigil');
    const never = await mkdtemp(join(tmpdir(), 'vigil-never-'));
    const notStarted = await exec(vigil, ['thresholds', 'get', 'demo-bank'], never);
    expect(notStarted.code).toBe(2);
    expect(notStarted.stderr).toContain('Is Vigil running? Start it with: npm start');
    const stopped = await staleHome();
    const down = await exec(vigil, ['thresholds', 'get', 'demo-bank'], stopped.home);
    expect(down.code).toBe(2);
    expect(down.stderr).toContain(`Cannot reach ${stopped.apiUrl}: connect ECONNREFUSED`);
    const badOption = await exec(vigil, ['thresholds', 'get', 'demo-bank', '--bogus']);
    expect(badOption.code).toBe(2);
  });
});

/** A settings folder left by an `npm start` that has stopped: its API port answers nothing. */
async function staleHome() {
  const stale = await mkdtemp(join(tmpdir(), 'vigil-stale-'));
  const config = JSON.parse(await readFile(join(home, 'local.json'), 'utf8')) as Record<string, unknown>;
  const apiUrl = `http://127.0.0.1:${await findFreePort()}`;
  const emulatorUrl = `http://127.0.0.1:${await findFreePort()}`;
  await writeFile(join(stale, 'local.json'), JSON.stringify({ ...config, apiUrl, emulatorUrl }));
  return { home: stale, apiUrl };
}

describe('npm run demo', () => {
  it('with Vigil down: the hint, exit 2, no stack trace', { timeout: 90_000 }, async () => {
    for (const vigilHome of [await mkdtemp(join(tmpdir(), 'vigil-never-')), (await staleHome()).home]) {
      const { code, stdout, stderr } = await exec('npm', ['run', '--silent', 'demo'], vigilHome);
      expect(code).toBe(2);
      expect(stderr).toMatch(/^demo: .*Is Vigil running\?/m);
      expect(`${stdout}${stderr}`).not.toMatch(/^\s+at /m);
    }
  });

  it('into a pipe: no progress bar redraws, one line instead', { timeout: 120_000 }, async () => {
    const { code, stdout } = await exec('npm', ['run', '--silent', 'demo']);
    expect(code).toBe(0);
    expect(stdout).not.toContain('\r');
    expect(stdout).toContain('2. Sent 20 transactions.');
    expect(stdout).toMatch(/Summary: 20 transactions, [1-9]\d* alerts/);
    // One customer on each channel: the WhatsApp one answers No and the bank hears it.
    expect(stdout).toMatch(/On WhatsApp, customer cus_wa_\w+:/);
    const whatsapp = /3\. The customer answered No\. Callbacks: (.*)\./.exec(stdout)?.[1]?.split(', ') ?? [];
    expect(whatsapp).toEqual(
      expect.arrayContaining(['customer.subscribed', 'alert.delivered', 'alert.disputed']),
    );
  });
});
