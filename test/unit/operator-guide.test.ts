import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stageConfigSchema } from '../../cdk/stage-config.ts';
import { commands } from '../../cli/commands.ts';

// The operator guide's settings table says what cdk.json holds, key by key and default by default.

const root = join(import.meta.dirname, '..', '..');
const guide = readFileSync(join(root, 'docs', 'operator-guide.md'), 'utf8');
const cdkJson = JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};

/** The settings table: `key` → its default cell, as written. */
function settingsTable(): Map<string, string> {
  const section = guide.slice(guide.indexOf('## 3. Settings'), guide.indexOf('## 4. Deploy'));
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const cells = line.split(/(?<!\\)\|/).map((cell) => cell.trim());
    const key = /^`([^`]+)`$/.exec(cells[1] ?? '')?.[1];
    if (key !== undefined) rows.set(key, cells[3] ?? '');
  }
  return rows;
}

/** A default cell: `value` (JSON, or text) or "none". */
function parseDefault(cell: string, asText = false): unknown {
  if (cell === 'none') return undefined;
  const code = /^`(.*)`$/.exec(cell)?.[1];
  if (code === undefined) throw new Error(`not a default: ${cell}`);
  if (asText) return code;
  try {
    return JSON.parse(code);
  } catch {
    return code;
  }
}

describe('docs/operator-guide.md', () => {
  const table = settingsTable();

  it('lists every cdk.json context key with its default', () => {
    for (const [key, value] of Object.entries(cdkJson.context)) {
      expect(table.has(key), `${key} is missing from the settings table`).toBe(true);
      expect(parseDefault(table.get(key) ?? '', typeof value === 'string'), key).toEqual(value);
    }
  });

  it('lists every setting the stack reads, and no other', () => {
    const settings = Object.keys(stageConfigSchema.shape);
    for (const key of settings) expect(table.has(key), key).toBe(true);
    for (const key of table.keys()) expect([...settings, ...Object.keys(cdkJson.context)]).toContain(key);
    expect(parseDefault(table.get('alarmEmail') ?? '')).toBeUndefined();
  });

  it('shows every stage command it documents as the CLI knows it', () => {
    for (const match of guide.matchAll(/npx vigil ([a-z-]+(?: [a-z-]+)?)/g)) {
      const words = match[1] ?? '';
      const known = commands.some(
        (command) =>
          command.name === words ||
          command.name === words.split(' ')[0] ||
          words.startsWith(`${command.name}`),
      );
      expect(known || words.startsWith('--help') || words === '<command> --help', words).toBe(true);
    }
  });
});
