import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalTarget } from '../../cli/local-target.ts';
import { runCli } from '../../cli/vigil.ts';
import { signAdminRequest } from '../../shared/domain/admin-signature.ts';
import { cardTransaction } from '../fixtures/bank-events.ts';
import { signedHeaders } from '../fixtures/signed-request.ts';
import { captureLogs, debugLogger } from '../support/capture-logs.ts';
import { startTestBankApi } from '../support/test-bank-api.ts';
import { startTestLocalStack, type TestLocalStack } from '../support/test-local-stack.ts';
import { createTestTables } from '../support/test-tables.ts';

// `vigil events verify` tells an integrator which check their request fails, where the API only
// ever answers one 401 body.

let local: TestLocalStack;
let dir: string;
beforeAll(async () => {
  local = await startTestLocalStack();
  dir = await mkdtemp(join(tmpdir(), 'vigil-verify-'));
});
afterAll(() => local.stop());

const body = JSON.stringify(cardTransaction());

async function verify(headers: string, requestBody = body, extra: string[] = []) {
  const bodyFile = join(dir, 'body.json');
  const headersFile = join(dir, 'headers.txt');
  await writeFile(bodyFile, requestBody);
  await writeFile(headersFile, headers);
  const result = await runCli(
    ['events', 'verify', '--file', bodyFile, '--headers', headersFile, ...extra, '--json'],
    () => new LocalTarget(join(local.stack.configPath, '..')),
  );
  return { code: result.code, ...(JSON.parse(result.stdout).body as Record<string, unknown>) } as Record<
    string,
    unknown
  >;
}

/** Headers as `curl -v` prints them. */
const curlStyle = (
  headers: Record<string, string>,
  requestLine = 'POST /v1/banks/demo-bank/events HTTP/1.1',
) =>
  [`> ${requestLine}`, ...Object.entries(headers).map(([name, value]) => `> ${name}: ${value}`), '>'].join(
    '\n',
  );

describe('vigil events verify', () => {
  it('says a correctly signed event is valid', async () => {
    expect(await verify(curlStyle(signedHeaders(local.bank.signingSecret, body)))).toMatchObject({
      code: 0,
      valid: true,
      bankId: 'demo-bank',
    });
  });

  it('names a stale timestamp and by how much', async () => {
    const stale = signedHeaders(local.bank.signingSecret, body, {
      timestamp: new Date(Date.now() - 360_000),
    });
    const result = await verify(curlStyle(stale));
    expect(result).toMatchObject({ code: 1, valid: false, check: 'timestamp-skew' });
    expect(Number(result.skewSeconds)).toBeGreaterThanOrEqual(359);
    expect(result.detail).toMatch(/s in the past; the tolerance is 300 s/);
  });

  it('names a millisecond timestamp, v1= instead of v1, and a wrong secret', async () => {
    const headers = signedHeaders(local.bank.signingSecret, body);
    expect(await verify(curlStyle({ ...headers, 'webhook-timestamp': String(Date.now()) }))).toMatchObject({
      check: 'timestamp-skew',
      detail: expect.stringMatching(/milliseconds/),
    });
    const equals = headers['webhook-signature'].replace('v1,', 'v1=');
    expect(await verify(curlStyle({ ...headers, 'webhook-signature': equals }))).toMatchObject({
      check: 'header-format',
      detail: expect.stringMatching(/comma after v1/),
    });
    const wrong = signedHeaders('whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==', body);
    expect(await verify(curlStyle(wrong))).toMatchObject({ check: 'signature-mismatch' });
    expect(await verify(curlStyle(headers), body.replace('12500', '12501'))).toMatchObject({
      check: 'signature-mismatch',
    });
  });

  it('checks an administration request with its request line and Host header', async () => {
    const url = `${local.apiUrl}/v1/banks/demo-bank/thresholds`;
    const thresholds = '{"alertScore":55}';
    const headers = {
      host: new URL(local.apiUrl).host,
      'content-type': 'application/json',
      ...(await signAdminRequest(local.bank.adminKey, { method: 'PUT', url, body: thresholds })),
    };
    expect(
      await verify(curlStyle(headers, 'PUT /v1/banks/demo-bank/thresholds HTTP/1.1'), thresholds),
    ).toMatchObject({
      valid: true,
    });
    expect(
      await verify(
        curlStyle(headers, 'PUT /v1/banks/demo-bank/customers/cus_1/thresholds HTTP/1.1'),
        thresholds,
      ),
    ).toMatchObject({ valid: false, check: 'signature-mismatch' });
    expect(
      await verify(curlStyle(headers, 'PUT /v1/banks/demo-bank/thresholds HTTP/1.1'), '{}'),
    ).toMatchObject({
      check: 'content-digest',
    });
  });

  it('reads headers as a JSON object too, with the bank named by --bank', async () => {
    const headers = JSON.stringify(signedHeaders(local.bank.signingSecret, body));
    expect(await verify(headers, body, ['--bank', 'demo-bank'])).toMatchObject({ valid: true });
    await expect(verify(headers)).rejects.toThrow(/--bank ID/);
  });
});

describe("the operator's log of a refused request", () => {
  it('names the failed check and the skew, and holds no secret; the client gets the one 401 body', async () => {
    const api = await startTestBankApi(await createTestTables(), ['acme-bank'], {}, debugLogger());
    const secret = api.secrets['acme-bank'] ?? '';
    const answers: string[] = [];
    const logs = await captureLogs(async () => {
      const stale = signedHeaders(secret, body, { timestamp: new Date(Date.now() - 400_000) });
      answers.push(await (await api.post('acme-bank', body, stale)).text());
      const url = `${api.url}/v1/banks/acme-bank/thresholds`;
      const moved = await signAdminRequest(api.adminKeys['acme-bank'] ?? '', { method: 'GET', url });
      answers.push(
        await (
          await fetch(`${api.url}/v1/banks/acme-bank/customers/cus_1/thresholds`, { headers: moved })
        ).text(),
      );
    });
    await api.close();
    expect(answers).toHaveLength(2);
    expect(new Set(answers).size).toBe(1);
    expect(logs).toMatch(/"signatureCheck":"timestamp-skew"/);
    expect(logs).toMatch(/"skewSeconds":(399|400|401)/);
    expect(logs).toMatch(/"signatureCheck":"signature-mismatch"/);
    expect(logs).not.toContain(secret.slice(6));
    expect(logs).not.toContain((api.adminKeys['acme-bank'] ?? 'x').slice(5));
  });
});
