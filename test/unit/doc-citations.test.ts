import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

// Every document the code and the docs cite is in this repository: no citation of a document
// kept elsewhere, no relative Markdown link to a missing file or heading, no reference from code
// to a docs/ anchor that does not exist. Plain file reads: it runs in milliseconds.

const root = resolve(import.meta.dirname, '..', '..');
const self = relative(root, import.meta.filename);

const skippedFolders = new Set(['node_modules', '.git', 'cdk.out', '.vigil', 'coverage', 'dist']);
const textFile = /\.(ts|mts|js|mjs|md|json|py|java|sh|yml|yaml)$/;

function repositoryFiles(folder = root): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return skippedFolders.has(entry.name) ? [] : repositoryFiles(path);
    return entry.isFile() && textFile.test(entry.name) ? [relative(root, path).split(sep).join('/')] : [];
  });
}

// Built from parts, so that this file does not cite what it looks for.
const outsideDocument = new RegExp(
  [
    ['SPEC', '\\s*§'],
    ['SPEC', '\\.md'],
    ['ARCHITECTURE', '(\\.md|:)'],
    ['STYLE', '\\.md'],
    ['/work', '/shared'],
  ]
    .map((parts) => parts.join(''))
    .join('|'),
);

interface Problem {
  readonly file: string;
  readonly line: number;
  readonly problem: string;
}

const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;

/** Citations of documents that are not in the repository. */
function outsideCitations(file: string, text: string, exists: (path: string) => boolean): Problem[] {
  const problems: Problem[] = [];
  text.split('\n').forEach((line, index) => {
    const found = outsideDocument.exec(line);
    if (found) problems.push({ file, line: index + 1, problem: `cites ${found[0]}` });
  });
  // `../shared/...` is fine when it is this repository's shared/ folder, and only then.
  for (const match of text.matchAll(/(?:\.\.\/)+shared\/[\w./-]*/g)) {
    const cited = match[0].replace(/[.,:;)]+$/, '');
    const target = resolve(root, dirname(file), cited);
    if (!target.startsWith(`${root}${sep}`) || !exists(target)) {
      problems.push({
        file,
        line: lineOf(text, match.index),
        problem: `cites ${cited}, not in the repository`,
      });
    }
  }
  return problems;
}

/** GitHub's heading anchor: lower case, punctuation dropped, each space a hyphen. */
function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/[`*]/g, '');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** Markdown without fenced code blocks and inline code, where links are not links. */
function prose(markdown: string): string {
  return markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, (block) => block.replace(/[^\n]/g, ' '))
    .replace(/`[^`\n]*`/g, (code) => ' '.repeat(code.length));
}

/** Every anchor a Markdown file offers: its headings' slugs (with GitHub's -1, -2 for repeats) and explicit ids. */
const anchorCache = new Map<string, Set<string>>();

function anchorsOf(markdown: string): Set<string> {
  const cached = anchorCache.get(markdown);
  if (cached !== undefined) return cached;
  const anchors = new Set<string>();
  anchorCache.set(markdown, anchors);
  const seen = new Map<string, number>();
  const text = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const [, heading] of text.matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm)) {
    const slug = githubSlug(heading ?? '');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  for (const [, id] of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(id ?? '');
  return anchors;
}

type Read = (path: string) => string | undefined;

/** Relative links of a Markdown file whose file, or heading, does not exist. */
function brokenLinks(file: string, markdown: string, read: Read): Problem[] {
  const problems: Problem[] = [];
  const text = prose(markdown);
  const targets = [
    ...[...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => ({
      target: m[1] ?? '',
      at: m.index,
    })),
    ...[...text.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((m) => ({ target: m[1] ?? '', at: m.index })),
  ];
  for (const { target, at } of targets) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
    const [pathPart = '', anchor] = target.split('#', 2);
    const path = decodeURIComponent(pathPart.split('?')[0] ?? '');
    const targetFile = path === '' ? file : join(dirname(file), path).split(sep).join('/');
    const content = read(targetFile);
    if (content === undefined) {
      problems.push({ file, line: lineOf(text, at), problem: `links to ${target}: no such file` });
    } else if (anchor !== undefined && anchor !== '' && targetFile.endsWith('.md')) {
      if (!anchorsOf(content).has(decodeURIComponent(anchor))) {
        problems.push({ file, line: lineOf(text, at), problem: `links to ${target}: no such heading` });
      }
    }
  }
  return problems;
}

/** `docs/contract.md#privacy` and `docs/contract.md#enrollments, #thresholds` named in any file. */
function brokenDocReferences(file: string, text: string, read: Read): Problem[] {
  const problems: Problem[] = [];
  for (const match of text.matchAll(/(?<![\w./-])docs\/[\w./-]*\.md((?:#[\w-]+)(?:,\s*#[\w-]+)*)?/g)) {
    const hash = match[0].indexOf('#');
    const path = hash < 0 ? match[0] : match[0].slice(0, hash);
    const anchorList = hash < 0 ? '' : match[0].slice(hash);
    const content = read(path);
    if (content === undefined) {
      problems.push({ file, line: lineOf(text, match.index), problem: `names ${path}: no such file` });
      continue;
    }
    const anchors = anchorsOf(content);
    for (const [, anchor] of anchorList.matchAll(/#([\w-]+)/g)) {
      if (!anchors.has(anchor ?? '')) {
        problems.push({
          file,
          line: lineOf(text, match.index),
          problem: `names ${path}#${anchor}: no such heading`,
        });
      }
    }
  }
  return problems;
}

const contents = new Map<string, string>();
const readRepositoryFile: Read = (path) => {
  const cached = contents.get(path);
  if (cached !== undefined) return cached;
  const full = join(root, path);
  if (!full.startsWith(`${root}${sep}`) || !existsSync(full)) return undefined;
  const text = statSync(full).isDirectory() ? '' : readFileSync(full, 'utf8');
  contents.set(path, text);
  return text;
};

const format = (problems: readonly Problem[]) => problems.map((p) => `${p.file}:${p.line}: ${p.problem}`);

describe('the checks themselves', () => {
  const docs: Record<string, string> = {
    'docs/guide.md':
      '# Guide\n\n## 1.2 Thresholds (per customer)\n\n## The `vigil` CLI\n\n## Notes\n\n## Notes\n\n<a id="privacy"></a>\n',
    'docs/decisions/0001-x.md': '# One\n',
  };
  const read: Read = (path) => docs[path];

  it('finds citations of documents kept outside the repository', () => {
    const sample = [
      'see SPEC §1.3',
      'as SPEC.md says',
      'ARCHITECTURE.md lists',
      '(ARCHITECTURE: a record',
      'STYLE.md',
    ];
    for (const line of sample)
      expect(outsideCitations('functions/x.ts', `// ${line}\n`, () => true)).toHaveLength(1);
    expect(format(outsideCitations('docs/x.md', 'See ../shared/notes.md.', existsSync))).toEqual([
      'docs/x.md:1: cites ../shared/notes.md, not in the repository',
    ]);
    expect(outsideCitations('docs/x.md', 'From /work/shared/notes.', existsSync)).toHaveLength(1);
    expect(outsideCitations('x.ts', "import '../../../shared/domain/alert.ts';", existsSync)).toHaveLength(1);
  });

  it('lets the repository cite its own shared/ folder and docs', () => {
    const text =
      "import { x } from '../shared/domain/alert.ts';\n// SPECIFIC rules (docs/contract.md#privacy).";
    expect(outsideCitations('functions/x.ts', text, existsSync)).toEqual([]);
  });

  it('makes GitHub’s anchors, repeats included', () => {
    expect(githubSlug('`POST /v1/banks/{bankId}/events`')).toBe('post-v1banksbankidevents');
    expect(githubSlug('1.2 Thresholds (per customer)')).toBe('12-thresholds-per-customer');
    expect(githubSlug('Callbacks, dead letters and redrive')).toBe('callbacks-dead-letters-and-redrive');
    expect([...anchorsOf(docs['docs/guide.md'] ?? '')]).toEqual([
      'guide',
      '12-thresholds-per-customer',
      'the-vigil-cli',
      'notes',
      'notes-1',
      'privacy',
    ]);
  });

  it('finds links to missing files and headings, and accepts the rest', () => {
    const markdown = [
      '[ok](guide.md#the-vigil-cli) [ok](guide.md#privacy) [ok](decisions/0001-x.md) [ok](#notes-1)',
      '[web](https://example.com/x.md#nope) `[code](missing.md)`',
      '```\n[fenced](missing.md)\n```',
      '[gone](missing.md) [bad anchor](guide.md#thresholds) [up](../README.md)',
    ].join('\n');
    const problems = brokenLinks('docs/guide.md', `${docs['docs/guide.md']}\n${markdown}`, read);
    expect(problems.map((p) => p.problem)).toEqual([
      'links to missing.md: no such file',
      'links to guide.md#thresholds: no such heading',
      'links to ../README.md: no such file',
    ]);
  });

  it('finds docs/ references in code whose file or anchor is missing', () => {
    const code = '// (docs/guide.md#privacy, #notes) (docs/guide.md#nope, #privacy, #gone) docs/none.md';
    expect(format(brokenDocReferences('x.ts', code, read))).toEqual([
      'x.ts:1: names docs/guide.md#nope: no such heading',
      'x.ts:1: names docs/guide.md#gone: no such heading',
      'x.ts:1: names docs/none.md: no such file',
    ]);
  });
});

describe('citations in the repository', () => {
  const files = repositoryFiles().filter((file) => file !== self && !file.endsWith('package-lock.json'));

  it('reads a real tree', () => {
    expect(files).toContain('docs/contract.md');
    expect(files).toContain('functions/receive-bank-event.ts');
  });

  it('cite no document that is not in the repository', () => {
    const problems = files.flatMap((file) =>
      outsideCitations(file, readRepositoryFile(file) ?? '', (path) => existsSync(path)),
    );
    expect(format(problems)).toEqual([]);
  });

  it('link only to files and headings that exist (docs/ and README.md)', () => {
    const markdown = files.filter((file) => file === 'README.md' || /^docs\/.*\.md$/.test(file));
    const problems = markdown.flatMap((file) =>
      brokenLinks(file, readRepositoryFile(file) ?? '', readRepositoryFile),
    );
    expect(format(problems)).toEqual([]);
  });

  it('name only docs/ files and anchors that exist', () => {
    const problems = files.flatMap((file) =>
      brokenDocReferences(file, readRepositoryFile(file) ?? '', readRepositoryFile),
    );
    expect(format(problems)).toEqual([]);
  });
});
