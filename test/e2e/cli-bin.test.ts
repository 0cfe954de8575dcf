import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../cli/commands.ts';
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

async function exec(file: string, args: string[]) {
  try {
    const { stdout, stderr } = await run(file, args, {
      cwd: root,
      env: { ...process.env, VIGIL_HOME: home },
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
});
