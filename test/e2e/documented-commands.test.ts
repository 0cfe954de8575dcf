import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DocBlock, inOrder, printedStatuses, shellBlocks } from '../support/doc-blocks.ts';
import { startTestLocalStack, type TestLocalStack } from '../support/test-local-stack.ts';

// Every shell block of the README's local sections and of the bank integration guide, run in
// order, as a person would paste it, against local mode: each must exit 0 and answer the statuses
// its comments promise (`npx vigil ...   # 202 accepted`). A block that cannot run here carries a
// `# docs-test: skip <reason>` line, and this test lists it. The one liberty taken: local mode runs
// on free ports and its own folder, so the blocks' default addresses, `.vigil/` and `/tmp/` are
// replaced with this run's (what PORT, EMULATOR_PORT and VIGIL_HOME do for a person).

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

/** The README's sections that use local mode: "Try it" and its subsections. */
const localSections = (title: string) => title === 'Try it';
const blocks: DocBlock[] = [
  ...shellBlocks(join(root, 'README.md'), localSections),
  ...shellBlocks(join(root, 'docs', 'bank-integration.md')),
];

let local: TestLocalStack;
let home: string;
let scratch: string;

beforeAll(async () => {
  local = await startTestLocalStack();
  home = dirname(local.stack.configPath);
  scratch = await mkdtemp(join(tmpdir(), 'vigil-docs-'));
});
afterAll(async () => {
  await local?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

function forThisRun(script: string): string {
  return script
    .replaceAll('/tmp/', `${scratch}/`)
    .replaceAll('http://127.0.0.1:3000', local.apiUrl)
    .replaceAll('http://127.0.0.1:3001', local.emulatorUrl)
    .replaceAll('./.vigil/', `${home}/`);
}

describe('documented commands', () => {
  it('finds the blocks to run', () => {
    expect(blocks.filter((block) => block.file.endsWith('README.md')).length).toBeGreaterThanOrEqual(5);
  });

  it('reports every block marked to skip, each with its reason', () => {
    for (const block of blocks.filter((candidate) => candidate.skip !== undefined)) {
      process.stderr.write(
        `docs-test: not run: ${relative(root, block.file)}:${block.line} (${block.skip || 'no reason'})\n`,
      );
      expect(block.skip, `${relative(root, block.file)}:${block.line} gives no reason`).not.toBe('');
    }
  });

  const runnable = blocks.filter((block) => block.skip === undefined);
  it.each(
    runnable.map(
      (block) => [`${relative(root, block.file)}:${block.line} (${block.section})`, block] as const,
    ),
  )(
    '%s',
    async (_, block) => {
      const result = await run('bash', ['-eo', 'pipefail', '-c', forThisRun(block.script)], {
        cwd: root,
        env: { ...process.env, VIGIL_HOME: home },
        timeout: 120_000,
      }).catch((error: { code: number; stdout: string; stderr: string }) => error);
      const { stdout, stderr } = result;
      const failed = 'code' in result ? result.code : 0;
      expect(failed, `exit code; stdout:\n${stdout}\nstderr:\n${stderr}`).toBe(0);
      expect(
        inOrder(block.expectedStatuses, printedStatuses(stdout)),
        `promised ${block.expectedStatuses.join(', ')}; printed ${printedStatuses(stdout).join(', ')}\n${stdout}`,
      ).toBe(true);
    },
    150_000,
  );
});
