import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../local/dynamodb-local.ts';
import { type LocalConfig, localAwsConfig } from '../../local/local-stack.ts';
import { documentClientFor } from '../../shared/runtime/aws-clients.ts';
import { waitFor } from '../support/wait-for.ts';

// `npm start` as a black box: started as a person would, used through the CLI, stopped with Ctrl-C.

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
let home: string;
let vigil: ChildProcess;
let output = '';

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'vigil-home-'));
  const [port, emulatorPort] = [await findFreePort(), await findFreePort()];
  vigil = spawn('npm', ['start'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      EMULATOR_PORT: String(emulatorPort),
      VIGIL_HOME: home,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  vigil.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  vigil.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const deadline = Date.now() + 60_000;
  while (!output.includes('Press Ctrl-C to stop.')) {
    if (Date.now() > deadline || vigil.exitCode !== null)
      throw new Error(`npm start did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, 90_000);

afterAll(() => {
  // Whatever a failed test left running in the group goes too.
  try {
    if (vigil.pid !== undefined) process.kill(-vigil.pid, 'SIGKILL');
  } catch {
    // The group has already exited.
  }
});

async function cli(...args: string[]) {
  try {
    const { stdout } = await run('node', ['bin/vigil.js', ...args, '--json'], {
      cwd: root,
      env: { ...process.env, VIGIL_HOME: home },
    });
    return { code: 0, result: JSON.parse(stdout) as { status: number; body: unknown } };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, result: JSON.parse(failed.stdout) as { status: number; body: unknown } };
  }
}

describe('npm start', () => {
  it('writes local.json as docs/contract.md#local-mode describes', async () => {
    const config = JSON.parse(await readFile(join(home, 'local.json'), 'utf8')) as LocalConfig;
    expect(Object.keys(config).sort()).toEqual(['apiUrl', 'banks', 'emulatorUrl', 'messenger', 'whatsapp']);
    expect(config.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(config.banks).toEqual([
      {
        bankId: 'demo-bank',
        signingSecret: expect.stringMatching(/^whsec_/),
        adminKey: expect.stringMatching(/^vadm_/),
        adminKeyId: expect.stringMatching(/^adm_[0-9a-f]{16}$/),
        callbackSecret: expect.stringMatching(/^whsec_/),
        callbackUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:/),
      },
    ]);
    expect(Object.keys(config.messenger).sort()).toEqual(['appSecret', 'pageId', 'verifyToken']);
    expect(Object.keys(config.whatsapp).sort()).toEqual([
      'appSecret',
      'displayNumber',
      'phoneNumberId',
      'verifyToken',
    ]);
  });

  it('accepts a signed event for the demo customer, and ignores one for a customer without subscription', async () => {
    const accepted = await cli(
      'events',
      'send',
      'demo-bank',
      '--file',
      'examples/card-transaction.json',
      '--id',
      'evt_e2e',
    );
    expect(accepted).toEqual({
      code: 0,
      result: expect.objectContaining({ status: 202, body: { id: 'evt_e2e', status: 'accepted' } }),
    });

    const again = await cli(
      'events',
      'send',
      'demo-bank',
      '--file',
      'examples/card-transaction.json',
      '--id',
      'evt_e2e',
    );
    expect(again.result).toMatchObject({ status: 200, body: { status: 'duplicate' } });

    const ignored = await cli('events', 'send', 'demo-bank', '--file', 'examples/not-subscribed.json');
    expect(ignored.result).toMatchObject({
      status: 202,
      body: { status: 'ignored', reason: 'not_subscribed' },
    });
  });

  it('scores a suspicious transaction into one alert with its reasons', async () => {
    const sent = await cli('events', 'send', 'demo-bank', '--file', 'examples/suspicious-transaction.json');
    expect(sent.result.status).toBe(202);
    const endpoint = /DynamoDB Local:\s+(\S+)/.exec(output)?.[1] ?? '';
    const documents = documentClientFor(new DynamoDBClient(localAwsConfig(endpoint)));
    // The open-check item is written before the alert (docs/scoring.md): wait for the alert.
    const items = await waitFor(async () => {
      const { Items = [] } = await documents.send(new ScanCommand({ TableName: 'vigil-alerts' }));
      return Items.some((item) => item.kind !== undefined) ? Items : undefined;
    });
    // Next to the alert, the customer's open fraud check item names it (docs/scoring.md); once
    // sent, the customer's hourly message counter is there too (docs/channels.md).
    expect(items.filter((item) => String(item.alertId).includes('#open-check#'))).toEqual([
      expect.objectContaining({
        alertId: 'demo-bank#open-check#cus_demo',
        checkId: 'demo-bank#txn#txn_suspicious_1',
      }),
    ]);
    const alerts = items.filter((item) => item.kind !== undefined);
    expect(alerts).toEqual([
      expect.objectContaining({
        alertId: 'demo-bank#txn#txn_suspicious_1',
        kind: 'fraud_check',
        // cus_demo is subscribed: notify-customer may already have sent it.
        status: expect.stringMatching(/^(pending|sent)$/),
        // €649 after the customer's €125 just before: large for them too (largeAmount).
        score: 150,
        reasons: [
          expect.objectContaining({ rule: 'singleTransaction' }),
          expect.objectContaining({ rule: 'foreignCountry' }),
          expect.objectContaining({ rule: 'cardNotPresent' }),
          expect.objectContaining({ rule: 'largeAmount', observed: 64_900, limit: 21_000 }),
        ],
      }),
    ]);
    // The log line follows the alert's write, through a pipe: wait for it too.
    const logged =
      /"message":"alert created".*"rules":\["singleTransaction","foreignCountry","cardNotPresent","largeAmount"\]/;
    await waitFor(async () => (logged.test(output) ? true : undefined), 10_000, 'the alert created log line');
  });

  it('reads and changes thresholds through the CLI', async () => {
    const before = await cli('thresholds', 'get', 'demo-bank');
    expect(before.result).toMatchObject({ status: 200, body: { currency: 'EUR', homeCountries: ['FR'] } });
    const set = await cli(
      'thresholds',
      'set',
      'demo-bank',
      '--customer',
      'cus_demo',
      '--file',
      'examples/customer-thresholds.json',
    );
    expect(set.result).toMatchObject({ status: 200, body: { homeCountries: ['FR', 'BE'] } });
    const bad = await cli('thresholds', 'set', 'demo-bank', '--file', 'examples/customer-thresholds.json');
    expect(bad).toMatchObject({ code: 1, result: { status: 400 } });
  });

  it('runs the whole Messenger journey: enroll, agree, alert, answer No, disputed', async () => {
    const config = JSON.parse(await readFile(join(home, 'local.json'), 'utf8')) as LocalConfig;
    const emulator = config.emulatorUrl;
    const post = (path: string, body: unknown) =>
      fetch(`${emulator}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const inbox = async () =>
      (await (await fetch(`${emulator}/__emulator/messages?psid=psid_e2e`)).json()) as {
        message: { text?: string; quick_replies?: { payload: string }[] };
      }[];
    const nth = (n: number) => waitFor(async () => (await inbox())[n], 10_000, `message ${n}`);

    const enrolled = await cli('enroll', 'demo-bank', 'cus_e2e');
    expect(enrolled.result.status).toBe(201);
    const link = (enrolled.result.body as { link: string }).link;
    await post('/__emulator/users/psid_e2e/referral', { ref: new URL(link).searchParams.get('ref') });
    const consent = await nth(0);
    await post('/__emulator/users/psid_e2e/messages', {
      text: 'Agree',
      quickReplyPayload: consent.message.quick_replies?.[0]?.payload,
    });
    await nth(1);

    const event = JSON.parse(await readFile(join(root, 'examples/suspicious-transaction.json'), 'utf8'));
    const file = join(home, 'e2e-event.json');
    await writeFile(
      file,
      JSON.stringify({
        ...event,
        customerId: 'cus_e2e',
        transaction: { ...event.transaction, id: 'txn_e2e' },
      }),
    );
    expect((await cli('events', 'send', 'demo-bank', '--file', file)).result.status).toBe(202);
    const alert = await nth(2);
    expect(alert.message.text).toMatch(/Was this you\?$/);
    await post('/__emulator/users/psid_e2e/messages', {
      text: "No, it wasn't",
      quickReplyPayload: alert.message.quick_replies?.[1]?.payload,
    });
    expect((await nth(3)).message.text).toMatch(/has been warned/);

    const endpoint = /DynamoDB Local:\s+(\S+)/.exec(output)?.[1] ?? '';
    const documents = documentClientFor(new DynamoDBClient(localAwsConfig(endpoint)));
    const { Items = [] } = await documents.send(new ScanCommand({ TableName: 'vigil-alerts' }));
    expect(Items.find((item) => item.transactionId === 'txn_e2e')?.status).toBe('disputed');

    // The bank hears of it within seconds, signed with its callback secret (checked here too).
    const bank = config.banks[0];
    const disputed = await waitFor(async () => {
      const received = (await (await fetch(bank?.callbackUrl ?? '')).json()) as {
        webhookId: string;
        body: { type: string; data: { transactionId?: string } };
      }[];
      return received.find(
        (callback) =>
          callback.body.type === 'alert.disputed' && callback.body.data.transactionId === 'txn_e2e',
      );
    });
    expect(disputed.webhookId).toMatch(/^cb_/);
  });

  it('runs the whole WhatsApp journey: the wa.me text, agree, alert, delivered, answer No, disputed', async () => {
    const config = JSON.parse(await readFile(join(home, 'local.json'), 'utf8')) as LocalConfig;
    const emulator = config.emulatorUrl;
    const waId = '33600000042';
    const post = async (path: string, body: unknown) => {
      const answer = await fetch(`${emulator}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return (await answer.json()) as { webhookStatus?: number };
    };
    type Sent = {
      type: string;
      biz_opaque_callback_data?: string;
      text?: { body: string };
      interactive?: {
        body: { text: string };
        action: { buttons: { reply: { id: string; title: string } }[] };
      };
    };
    const inbox = async () =>
      (await (await fetch(`${emulator}/__emulator/whatsapp/messages?waId=${waId}`)).json()) as Sent[];
    const nth = (n: number) => waitFor(async () => (await inbox())[n], 10_000, `WhatsApp message ${n}`);

    const enrolled = await cli('enroll', 'demo-bank', 'cus_wa_e2e');
    expect(enrolled.result.status).toBe(201);
    const { links } = enrolled.result.body as { links: { messenger: string; whatsapp: string } };
    const wa = new URL(links.whatsapp);
    expect(`${wa.origin}${wa.pathname}`).toBe(`https://wa.me/${config.whatsapp.displayNumber}`);
    // The customer sends the prefilled text as it is.
    expect(
      await post(`/__emulator/whatsapp/users/${waId}/messages`, { text: wa.searchParams.get('text') }),
    ).toEqual(expect.objectContaining({ webhookStatus: 200 }));
    const consent = await nth(0);
    expect(consent.type).toBe('interactive');
    await post(`/__emulator/whatsapp/users/${waId}/messages`, {
      buttonReplyId: consent.interactive?.action.buttons[0]?.reply.id,
    });
    expect((await nth(1)).text?.body).toMatch(/Demo Bank/);

    const event = JSON.parse(await readFile(join(root, 'examples/suspicious-transaction.json'), 'utf8'));
    const file = join(home, 'e2e-wa-event.json');
    await writeFile(
      file,
      JSON.stringify({
        ...event,
        customerId: 'cus_wa_e2e',
        transaction: { ...event.transaction, id: 'txn_wa_e2e' },
      }),
    );
    expect((await cli('events', 'send', 'demo-bank', '--file', file)).result.status).toBe(202);
    const alert = await nth(2);
    expect(alert.interactive?.body.text).toMatch(/Was this you\?$/);
    expect(await post('/__emulator/whatsapp/statuses', { waId, status: 'delivered' })).toEqual(
      expect.objectContaining({ webhookStatus: 200 }),
    );
    await post(`/__emulator/whatsapp/users/${waId}/messages`, {
      buttonReplyId: alert.interactive?.action.buttons[1]?.reply.id,
    });
    expect((await nth(3)).text?.body).toMatch(/has been warned/);

    const received = await waitFor(async () => {
      const all = (await (await fetch(config.banks[0]?.callbackUrl ?? '')).json()) as {
        body: { type: string; data: { transactionId?: string; channel?: string; subscriberRef?: string } };
      }[];
      const mine = all.filter(
        (c) =>
          c.body.data.transactionId === 'txn_wa_e2e' ||
          (c.body.type === 'customer.subscribed' && c.body.data.channel === 'whatsapp'),
      );
      return mine.some((c) => c.body.type === 'alert.disputed') &&
        mine.some((c) => c.body.type === 'alert.delivered')
        ? mine
        : undefined;
    });
    expect(received.map((c) => c.body.type)).toEqual(
      expect.arrayContaining(['customer.subscribed', 'alert.sent', 'alert.delivered', 'alert.disputed']),
    );
    // The bank never sees the WhatsApp id.
    expect(JSON.stringify(received)).not.toContain(waId);
  });

  it('re-drives stuck work on request (nothing is stuck here)', async () => {
    const redriven = await cli('redrive');
    expect(redriven).toEqual({
      code: 0,
      result: {
        status: 200,
        body: {
          eventsRescored: 0,
          eventsPastLedgerWindow: 0,
          alertsResent: 0,
          alertsUndeliverable: 0,
          callbacksRequeued: 0,
        },
      },
    });
  });

  it('stops everything it started on Ctrl-C', async () => {
    const dynamoDbEndpoint = /DynamoDB Local:\s+(\S+)/.exec(output)?.[1] ?? '';
    const config = JSON.parse(await readFile(join(home, 'local.json'), 'utf8')) as LocalConfig;
    const exited = new Promise<boolean>((resolve) =>
      vigil.once('exit', (code, signal) => resolve(code === 0 || signal === 'SIGINT')),
    );

    // Ctrl-C in a terminal signals the whole foreground process group.
    process.kill(-(vigil.pid ?? 0), 'SIGINT');

    expect(await exited).toBe(true);
    expect(await closedWithin(config.apiUrl, 10_000)).toBe(true);
    expect(await closedWithin(dynamoDbEndpoint, 10_000)).toBe(true);
  });
});

async function closedWithin(url: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(500) });
    } catch {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}
