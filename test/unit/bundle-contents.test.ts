import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle } from '../../bench/bundles.ts';

// What a Lambda bundle holds, from esbuild's metafile with the stack's bundling options
// (cdk/lambda-bundling.ts): the schemas' zod is the mini API only, no function holds the X-Ray
// SDK, and the HTTP Message Signatures libraries and ipaddr.js are only in the functions that
// use them. Each function bundles only the schemas it parses and the adapter methods it calls.

const root = join(import.meta.dirname, '..', '..');
let outdir: string;
beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'vigil-bundle-contents-'));
});
afterAll(() => rm(outdir, { recursive: true, force: true }));

const inputsOf = async (name: string) =>
  (await bundle(join(root, 'functions', `${name}.ts`), outdir, name)).inputs;
const outputOf = async (name: string) =>
  readFile((await bundle(join(root, 'functions', `${name}.ts`), outdir, name)).file, 'utf8');
const holds = (inputs: readonly string[], file: string) => inputs.some((path) => path.endsWith(file));

describe('Lambda bundles', () => {
  it('hold zod’s mini API and core, never its classic API', async () => {
    const inputs = await inputsOf('expire-alerts');
    expect(inputs.some((path) => path.includes('node_modules/zod/v4/mini/'))).toBe(true);
    expect(inputs.some((path) => path.includes('node_modules/zod/v4/classic/'))).toBe(false);
  }, 60_000);

  it('leave out the X-Ray SDK: the traces are Lambda’s own segments (decision 18)', async () => {
    const xray = (inputs: readonly string[]) =>
      inputs.some((path) =>
        /node_modules\/(aws-xray-sdk-core|@aws-lambda-powertools\/tracer|cls-hooked)\//.test(path),
      );
    // The ingest and scoring path, which imported it until then.
    expect(xray(await inputsOf('receive-bank-event'))).toBe(false);
    expect(xray(await inputsOf('score-bank-event'))).toBe(false);
  }, 60_000);

  it('leave out the HTTP Message Signatures libraries where no administration request is checked', async () => {
    const signatures = (inputs: readonly string[]) =>
      inputs.some((path) => /node_modules\/(http-message-signatures|structured-headers)\//.test(path));
    // It reads the bank's secrets, the administration key among them, but checks no signature.
    expect(signatures(await inputsOf('deliver-callbacks'))).toBe(false);
    // Events are signed with Standard Webhooks: their authentication is apart from the administration one.
    expect(signatures(await inputsOf('receive-bank-event'))).toBe(false);
    expect(signatures(await inputsOf('bank-admin'))).toBe(true);
  }, 60_000);

  it('hold middy’s router only where a function has routes', async () => {
    const router = (inputs: readonly string[]) =>
      inputs.some((path) => path.includes('node_modules/@middy/http-router/'));
    expect(router(await inputsOf('receive-bank-event'))).toBe(false);
    expect(router(await inputsOf('messenger-webhook'))).toBe(true);
  }, 60_000);

  it('sign callbacks on node:crypto, without the standardwebhooks library’s JavaScript HMAC', async () => {
    const library = (inputs: readonly string[]) =>
      inputs.some((path) => /node_modules\/(standardwebhooks|fast-sha256|@stablelib\/base64)\//.test(path));
    const deliver = await inputsOf('deliver-callbacks');
    expect(holds(deliver, 'shared/domain/verify-bank-signature.ts')).toBe(true);
    expect(library(deliver)).toBe(false);
    expect(library(await inputsOf('notify-bank'))).toBe(false);
  });

  it('hold ipaddr.js only where a callback URL is guarded or an allow-list parsed', async () => {
    const ipaddr = (inputs: readonly string[]) =>
      inputs.some((path) => path.includes('node_modules/ipaddr.js/'));
    // It checks the caller against the bank's allow-list with Node's own BlockList.
    expect(ipaddr(await inputsOf('receive-bank-event'))).toBe(false);
    expect(ipaddr(await inputsOf('deliver-callbacks'))).toBe(true);
  }, 60_000);

  it('hold the stored event’s schema only where the event stream is read', async () => {
    const schema = 'shared/domain/stored-event-schema.ts';
    // It writes events (toStoredEvent) and never reads one back.
    expect(holds(await inputsOf('receive-bank-event'), schema)).toBe(false);
    expect(holds(await inputsOf('score-bank-event'), schema)).toBe(true);
  }, 60_000);

  it('hold no bank registry: showing and changing a bank is the command line’s', async () => {
    for (const name of ['receive-bank-event', 'bank-admin', 'expire-alerts']) {
      const inputs = await inputsOf(name);
      expect(holds(inputs, 'shared/adapters/dynamodb-bank-directory.ts')).toBe(true);
      expect(holds(inputs, 'shared/adapters/dynamodb-bank-registry.ts')).toBe(false);
    }
  }, 60_000);

  it('hold no zod URL schema: endpoints in the environment are read with envUrl', async () => {
    // receive-bank-event reads LOCAL_DYNAMODB_ENDPOINT, messenger-webhook GRAPH_API_BASE_URL too.
    for (const name of ['receive-bank-event', 'messenger-webhook']) {
      const output = await outputOf(name);
      expect(output).toContain('"$ZodString"');
      expect(output).not.toContain('"$ZodURL"');
    }
  }, 60_000);

  it('carry no bundled legal comments, and non-ASCII text as UTF-8', async () => {
    const output = await outputOf('messenger-webhook');
    expect(output).not.toContain('Bundled license information');
    expect(output).not.toContain('@preserve');
    // The reply texts' typographic apostrophe, unescaped.
    expect(output).toContain('’');
    expect(output).not.toMatch(/\\u2019/);
  }, 60_000);

  it('hold zod’s ISO date and time schema, not z.iso’s date, time and duration ones', async () => {
    for (const name of ['receive-bank-event', 'bank-admin']) {
      const output = await outputOf(name);
      expect(output).toContain('"$ZodISODateTime"');
      for (const unused of ['"$ZodISODate"', '"$ZodISOTime"', '"$ZodISODuration"'])
        expect(output).not.toContain(unused);
    }
  }, 60_000);
});
