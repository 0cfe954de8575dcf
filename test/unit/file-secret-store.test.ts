import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSecretStore } from '../../shared/adapters/file-secret-store.ts';

describe("local mode's secret file", () => {
  it('sees every change of the file at once, a change of the same size included', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'vigil-secrets-')), 'secrets.json');
    writeFileSync(path, JSON.stringify({ a: { key: 'one' } }));
    const store = new FileSecretStore(path);
    expect(await store.getJson('a')).toEqual({ key: 'one' });
    expect(await store.getJson('b')).toBeUndefined();
    writeFileSync(path, JSON.stringify({ a: { key: 'two' } }));
    expect(await store.getJson('a')).toEqual({ key: 'two' });
    writeFileSync(path, JSON.stringify({ a: { key: 'two' }, b: 1 }));
    expect(await store.getJson('b')).toBe(1);
  });

  it('answers from the parsed file while it does not change', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'vigil-secrets-')), 'secrets.json');
    writeFileSync(path, JSON.stringify({ a: { key: 'one' } }));
    // Written a while ago: read once, then reused.
    const past = new Date(Date.now() - 10_000);
    utimesSync(path, past, past);
    const store = new FileSecretStore(path);
    const first = await store.getJson('a');
    expect(await store.getJson('a')).toBe(first);
    // The same size and times, another content: still the cached one (what makes it cheap).
    writeFileSync(path, JSON.stringify({ a: { key: 'two' } }));
    utimesSync(path, past, past);
    expect(await store.getJson('a')).toEqual({ key: 'one' });
    writeFileSync(path, JSON.stringify({ a: { key: 'three' } }));
    expect(await store.getJson('a')).toEqual({ key: 'three' });
  });
});
