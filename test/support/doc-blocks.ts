import { readFileSync } from 'node:fs';

// Shell blocks of the documentation, for the test that runs them (test/e2e/documented-commands.test.ts).

/** A ```sh (or bash, shell) block: where it is, its script, and why it is not run, if it is not. */
export interface DocBlock {
  readonly file: string;
  readonly line: number;
  readonly section: string;
  readonly script: string;
  /** From a `# docs-test: skip <reason>` line in the block; the test reports it. */
  readonly skip?: string;
  /** Statuses the block's comments promise, in order: `# 202 accepted`, `# HTTP/1.1 202 Accepted`. */
  readonly expectedStatuses: readonly number[];
}

export const SKIP_MARKER = /^\s*#\s*docs-test:\s*skip\b\s*(.*)$/m;

/**
 * The shell blocks of a Markdown file, optionally only those under the `##` sections whose titles
 * `sections` accepts (subsections belong to their section). Blocks may be indented in list items.
 */
export function shellBlocks(file: string, sections: (title: string) => boolean = () => true): DocBlock[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  let section = '';
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    const heading = /^## (.+)$/.exec(line);
    if (heading) section = heading[1] ?? '';
    const fence = /^(\s*)```(\w*)\s*$/.exec(line);
    if (!fence) continue;
    const indent = fence[1] ?? '';
    const body: string[] = [];
    let end = index + 1;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end] ?? '')) {
      body.push(
        (lines[end] ?? '').startsWith(indent) ? (lines[end] ?? '').slice(indent.length) : (lines[end] ?? ''),
      );
      end++;
    }
    if (['sh', 'bash', 'shell'].includes(fence[2] ?? '') && sections(section)) {
      const script = body.join('\n');
      const skip = SKIP_MARKER.exec(script)?.[1]?.trim();
      blocks.push({
        file,
        line: index + 1,
        section,
        script,
        ...(skip !== undefined && { skip }),
        expectedStatuses: promisedStatuses(script),
      });
    }
    index = end;
  }
  return blocks;
}

/** The statuses a block's end-of-line comments promise: `cmd   # 202 accepted`, `# HTTP/1.1 401`. */
export function promisedStatuses(script: string): number[] {
  const statuses: number[] = [];
  for (const line of script.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    const promise = /\s#\s+(?:HTTP\/[\d.]+\s+)?([1-5]\d\d)\b/.exec(line);
    if (promise?.[1]) statuses.push(Number(promise[1]));
  }
  return statuses;
}

/**
 * The statuses a run printed, in order: the CLI's `202 {...}` answers and curl -i's `HTTP/1.1 202`,
 * at the start of a line or right after a JSON body printed without a newline (`curl -s`).
 */
export function printedStatuses(output: string): number[] {
  const pattern = /(?:^|(?<=[}\]]))(?:HTTP\/[\d.]+ ([1-5]\d\d)\b|([1-5]\d\d) (?=[{["\dntf-]))/gm;
  return [...output.matchAll(pattern)].map((match) => Number(match[1] ?? match[2]));
}

/** Whether `expected` appears in `actual` in order (other statuses may come between). */
export function inOrder(expected: readonly number[], actual: readonly number[]): boolean {
  let at = 0;
  for (const status of actual) if (status === expected[at]) at++;
  return at === expected.length;
}
