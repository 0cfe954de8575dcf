import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLocalStack, type TestLocalStack } from '../support/test-local-stack.ts';

// The signing examples of the bank integration guide, run as a bank would run them, against local
// mode: each must get its event accepted.

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const examples = join(root, 'docs', 'examples');
let local: TestLocalStack;

beforeAll(async () => {
  local = await startTestLocalStack();
});
afterAll(() => local.stop());

const commands: [string, string, string[]][] = [
  ['curl and openssl', 'bash', [join(examples, 'sign-and-send.sh')]],
  ['Node.js', process.execPath, [join(examples, 'sign-and-send.mjs')]],
  ['Python', 'python3', [join(examples, 'sign_and_send.py')]],
  ['Java', 'java', [join(examples, 'SignAndSend.java')]],
];

describe('signing examples of the bank integration guide', () => {
  it.each(commands)(
    '%s: the event is accepted',
    async (_, command, args) => {
      const { stdout } = await run(command, [...args, join(root, 'examples', 'card-transaction.json')], {
        env: {
          ...process.env,
          VIGIL_URL: local.apiUrl,
          BANK_ID: local.bank.bankId,
          SIGNING_SECRET: local.bank.signingSecret,
        },
        timeout: 60_000,
      });
      const [body, status] = stdout.trim().split('\n').slice(-2);
      expect(status).toBe('202');
      expect(JSON.parse(body ?? '{}')).toMatchObject({ status: 'accepted' });
    },
    90_000,
  );

  it('a wrong secret gets 401', async () => {
    const { stdout } = await run(
      process.execPath,
      [join(examples, 'sign-and-send.mjs'), join(root, 'examples', 'card-transaction.json')],
      {
        env: {
          ...process.env,
          VIGIL_URL: local.apiUrl,
          BANK_ID: 'demo-bank',
          SIGNING_SECRET: 'whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==',
        },
      },
    );
    expect(stdout.trim().split('\n').at(-1)).toBe('401');
  });
});

const adminCommands: [string, string, string[]][] = [
  ['curl and openssl', 'bash', [join(examples, 'sign-admin-request.sh')]],
  ['Node.js', process.execPath, [join(examples, 'sign-admin-request.mjs')]],
  ['Python', 'python3', [join(examples, 'sign_admin_request.py')]],
  ['Java', 'java', [join(examples, 'SignAdminRequest.java')]],
];

describe('administration signing examples of the bank integration guide', () => {
  const runAdmin = async (
    command: string,
    args: string[],
    request: string[],
    adminKey = local.bank.adminKey,
  ) => {
    const { stdout } = await run(command, [...args, ...request], {
      env: {
        ...process.env,
        VIGIL_URL: local.apiUrl,
        BANK_ID: local.bank.bankId,
        ADMIN_KEY: adminKey,
        ADMIN_KEY_ID: local.bank.adminKeyId,
      },
      timeout: 60_000,
    });
    // The body (empty for a 204), then the status on the last line.
    const lines = stdout.replace(/\n+$/, '').split('\n');
    return { status: lines.at(-1), body: lines.slice(0, -1).join('\n') };
  };

  it.each(adminCommands)(
    '%s: PUT with a body, GET and DELETE without are accepted',
    async (name, command, args) => {
      const path = `/customers/cus_example_${name.replace(/\W/g, '_')}/thresholds`;
      const put = await runAdmin(command, args, [
        'PUT',
        path,
        join(root, 'examples', 'customer-thresholds.json'),
      ]);
      expect(put.status).toBe('200');
      const got = await runAdmin(command, args, ['GET', path]);
      expect(got.status).toBe('200');
      expect(JSON.parse(got.body)).toMatchObject({
        homeCountries: ['FR', 'BE'],
        singleTransactionAmount: 80000,
      });
      expect((await runAdmin(command, args, ['DELETE', path])).status).toBe('204');
      expect((await runAdmin(command, args, ['GET', path])).status).toBe('404');
    },
    120_000,
  );

  it('a wrong administration key gets 401', async () => {
    const wrong = `vadm_${Buffer.alloc(32, 1).toString('base64')}`;
    const { status } = await runAdmin(
      process.execPath,
      [join(examples, 'sign-admin-request.mjs')],
      ['GET', '/thresholds'],
      wrong,
    );
    expect(status).toBe('401');
  });
});
