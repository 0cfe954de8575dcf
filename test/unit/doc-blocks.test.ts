import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inOrder, printedStatuses, promisedStatuses, shellBlocks } from '../support/doc-blocks.ts';

// The extractor behind the documented-commands test: what it runs, skips and checks.

const file = join(mkdtempSync(join(tmpdir(), 'vigil-doc-')), 'doc.md');
writeFileSync(
  file,
  [
    '# Title',
    '```sh',
    'npm start',
    '```',
    '## Try it',
    '1. Step:',
    '',
    '   ```sh',
    '   npx vigil enroll demo-bank cus_jane   # 201',
    '   ```',
    '',
    '```json',
    '{"not": "shell"}',
    '```',
    '### Sub',
    '```bash',
    '# docs-test: skip opens a browser',
    'xdg-open http://127.0.0.1:3001',
    '```',
    '## Deploy',
    '```sh',
    'npx cdk deploy',
    '```',
  ].join('\n'),
);

describe('documentation shell blocks', () => {
  it('takes sh and bash blocks of the chosen sections, indented ones too, and no other', () => {
    const blocks = shellBlocks(file, (title) => title === 'Try it');
    expect(blocks.map((block) => [block.line, block.script, block.skip])).toEqual([
      [8, 'npx vigil enroll demo-bank cus_jane   # 201', undefined],
      [16, '# docs-test: skip opens a browser\nxdg-open http://127.0.0.1:3001', 'opens a browser'],
    ]);
    expect(shellBlocks(file).map((block) => block.script)).toContain('npx cdk deploy');
  });

  it('reads the statuses comments promise, and those a run printed', () => {
    expect(
      promisedStatuses(
        'a   # 202 accepted\nb\n# 500 in a comment line\nc --id x   # 200 duplicate\ncurl -i u   # HTTP/1.1 401 Unauthorized',
      ),
    ).toEqual([202, 200, 401]);
    expect(
      printedStatuses('202 {\n  "a": 1\n}\n{"x":1}200 {\n}\nHTTP/1.1 401 Unauthorized\n  404 [\n'),
    ).toEqual([202, 200, 401]);
    expect(printedStatuses('')).toEqual([]);
    expect(inOrder([202, 200], [202, 202, 200])).toBe(true);
    expect(inOrder([200, 202], [202, 200])).toBe(false);
    expect(inOrder([202], [])).toBe(false);
  });
});
