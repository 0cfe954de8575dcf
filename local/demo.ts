import { randomUUID } from 'node:crypto';
import { callBankApi as signedCall } from '../cli/bank-client.ts';
import { CliError } from '../cli/cli-error.ts';
import { readLocalConfig } from '../cli/local-settings.ts';
import { LocalTarget } from '../cli/local-target.ts';

// npm run demo: against a running `npm start`, a bank enrolls a customer, the customer agrees in
// the Messenger emulator, the bank sends a day of card transactions (some suspicious), the
// customer answers the alerts, and a short report tells what happened. Then a second customer
// does the same on WhatsApp: the wa.me link's text, Agree, one alert, No.

async function demo(): Promise<void> {
  const config = await readLocalConfig();
  const target = new LocalTarget();
  const callBankApi = (bankId: string, method: 'POST', path: string, body: Buffer) =>
    signedCall(target, bankId, method, path, body);
  const emulator = config.emulatorUrl;
  const customerId = `cus_demo_${randomUUID().slice(0, 6)}`;
  const psid = `psid_${customerId}`;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  type Sent = { message: { text?: string; quick_replies?: { title: string; payload: string }[] } };

  async function inbox(): Promise<Sent[]> {
    return (await (await fetch(`${emulator}/__emulator/messages?psid=${psid}`)).json()) as Sent[];
  }
  async function say(text: string, quickReplyPayload?: string) {
    await fetch(`${emulator}/__emulator/users/${psid}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text, quickReplyPayload }),
    });
  }
  async function waitForMessages(count: number) {
    for (let i = 0; i < 100; i++) {
      const messages = await inbox();
      if (messages.length >= count) return messages;
      await sleep(100);
    }
    throw new Error(`Only ${(await inbox()).length} messages arrived; is npm start running?`);
  }

  const log = (text: string) => process.stdout.write(`${text}\n`);
  log(`Demo against ${config.apiUrl} (emulator ${emulator}), customer ${customerId}`);

  const enrollment = await callBankApi(
    'demo-bank',
    'POST',
    '/enrollments',
    Buffer.from(JSON.stringify({ customerId })),
  );
  if (enrollment.status !== 201) {
    throw new CliError(`The enrollment was refused: ${enrollment.status} ${JSON.stringify(enrollment.body)}`);
  }
  const link = (enrollment.body as { link: string }).link;
  await fetch(`${emulator}/__emulator/users/${psid}/referral`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ref: new URL(link).searchParams.get('ref') }),
  });
  const [consent] = await waitForMessages(1);
  await say('Agree', consent?.message.quick_replies?.[0]?.payload);
  await waitForMessages(2);
  log('1. Enrolled: link opened, consent given.');

  const merchants = [
    { name: 'BOULANGERIE PAUL', mcc: '5462', country: 'FR', channel: 'card_present', amount: 640 },
    { name: 'MONOPRIX', mcc: '5411', country: 'FR', channel: 'card_present', amount: 4_320 },
    { name: 'SNCF', mcc: '4112', country: 'FR', channel: 'card_not_present', amount: 8_900 },
    { name: 'GADGETS ONLINE', mcc: '5732', country: 'US', channel: 'card_not_present', amount: 64_900 },
    { name: 'LUCKY SPINS', mcc: '7995', country: 'MT', channel: 'card_not_present', amount: 25_000 },
    { name: 'CAFE DE FLORE', mcc: '5812', country: 'FR', channel: 'card_present', amount: 1_250 },
  ];
  const count = 20;
  const start = Date.parse('2026-11-29T08:00:00Z');
  for (let i = 0; i < count; i++) {
    const merchant = merchants[i % 3 === 2 && i > 5 ? 3 + (i % 2) : i % 3] ?? merchants[0];
    const event = {
      type: 'card.transaction',
      customerId,
      occurredAt: new Date(start + i * 17 * 60_000).toISOString(),
      transaction: {
        id: `txn_${customerId}_${i}`,
        cardLast4: '4242',
        amount: merchant?.amount,
        currency: 'EUR',
        merchant: { name: merchant?.name, mcc: merchant?.mcc, country: merchant?.country },
        channel: merchant?.channel,
        status: 'authorized',
      },
    };
    await callBankApi('demo-bank', 'POST', '/events', Buffer.from(JSON.stringify(event)));
    if (process.stdout.isTTY) {
      const done = Math.round(((i + 1) / count) * 30);
      process.stdout.write(
        `\r2. Sending transactions [${'#'.repeat(done)}${'.'.repeat(30 - done)}] ${i + 1}/${count}`,
      );
    }
  }
  // The progress bar redraws itself on a terminal only; in a file or a pipe, one line says it.
  log(process.stdout.isTTY ? '' : `2. Sent ${count} transactions.`);
  await sleep(3000);

  // The customer recognises the first alert and not the others.
  const alerts = (await inbox()).filter((message) => message.message.text?.endsWith('Was this you?'));
  for (const [index, alert] of alerts.entries()) {
    const reply = alert.message.quick_replies?.[index === 0 ? 0 : 1];
    await say(reply?.title ?? '', reply?.payload);
  }
  log(
    `3. ${alerts.length} alerts reached Messenger; the customer answered Yes to the first, No to the others.`,
  );
  await sleep(3000);

  log('\nAlerts:');
  for (const alert of alerts) log(`  - ${alert.message.text}`);
  const callbacks = (await (await fetch(config.banks[0]?.callbackUrl ?? '')).json()) as {
    body: {
      type: string;
      data: { customerId?: string; transactionId?: string; reasons?: { rule: string }[] };
    };
  }[];
  const ours = callbacks.filter((callback) => callback.body.data.customerId === customerId);
  log('\nCallbacks the bank received (all signature-checked):');
  for (const { body } of ours) {
    const reasons = body.data.reasons?.map((reason) => reason.rule).join(', ');
    log(
      `  - ${body.type}${body.data.transactionId ? ` ${body.data.transactionId}` : ''}${reasons ? ` (${reasons})` : ''}`,
    );
  }
  const tally = (type: string) => ours.filter((callback) => callback.body.type === type).length;
  log(
    `\nSummary: ${count} transactions, ${alerts.length} alerts, ${tally('alert.confirmed')} confirmed, ${tally('alert.disputed')} disputed.`,
  );

  await whatsappCustomer(config, callBankApi, log);
}

/** A second customer, on WhatsApp: enrolls with the wa.me text, agrees, gets one alert, answers No. */
async function whatsappCustomer(
  config: Awaited<ReturnType<typeof readLocalConfig>>,
  callBankApi: (
    bankId: string,
    method: 'POST',
    path: string,
    body: Buffer,
  ) => Promise<{ status: number; body: unknown }>,
  log: (text: string) => void,
): Promise<void> {
  const emulator = config.emulatorUrl;
  const customerId = `cus_wa_${randomUUID().slice(0, 6)}`;
  const waId = `3361${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  type Sent = {
    type: string;
    text?: { body: string };
    interactive?: { body: { text: string }; action: { buttons: { reply: { id: string } }[] } };
  };
  const inbox = async () =>
    (await (await fetch(`${emulator}/__emulator/whatsapp/messages?waId=${waId}`)).json()) as Sent[];
  const write = (body: { text?: string; buttonReplyId?: string }) =>
    fetch(`${emulator}/__emulator/whatsapp/users/${waId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const nth = async (n: number) => {
    for (let i = 0; i < 100; i++) {
      const message = (await inbox())[n];
      if (message !== undefined) return message;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`Only ${(await inbox()).length} WhatsApp messages arrived; is npm start running?`);
  };

  log(`\nOn WhatsApp, customer ${customerId}:`);
  const enrollment = await callBankApi(
    'demo-bank',
    'POST',
    '/enrollments',
    Buffer.from(JSON.stringify({ customerId })),
  );
  const whatsappLink = (enrollment.body as { links?: { whatsapp?: string } }).links?.whatsapp;
  if (enrollment.status !== 201 || whatsappLink === undefined) {
    throw new CliError(
      `The demo bank offers no WhatsApp link: ${enrollment.status} ${JSON.stringify(enrollment.body)}`,
    );
  }
  await write({ text: new URL(whatsappLink).searchParams.get('text') ?? '' });
  const consent = await nth(0);
  await write({ buttonReplyId: consent.interactive?.action.buttons[0]?.reply.id ?? '' });
  await nth(1);
  log('1. Enrolled: the wa.me link’s text sent, consent given.');
  const event = {
    type: 'card.transaction',
    customerId,
    occurredAt: '2026-11-29T21:40:00Z',
    transaction: {
      id: `txn_${customerId}`,
      cardLast4: '1881',
      amount: 89_900,
      currency: 'EUR',
      merchant: { name: 'GADGETS ONLINE', mcc: '5732', country: 'US' },
      channel: 'card_not_present',
      status: 'authorized',
    },
  };
  await callBankApi('demo-bank', 'POST', '/events', Buffer.from(JSON.stringify(event)));
  const alert = await nth(2);
  log(`2. Alert on WhatsApp: ${alert.interactive?.body.text ?? alert.text?.body ?? alert.type}`);
  await fetch(`${emulator}/__emulator/whatsapp/statuses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ waId, status: 'delivered' }),
  });
  await write({ buttonReplyId: alert.interactive?.action.buttons[1]?.reply.id ?? '' });
  await nth(3);
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const callbacks = (await (await fetch(config.banks[0]?.callbackUrl ?? '')).json()) as {
    body: { type: string; data: { customerId?: string; channel?: string } };
  }[];
  const ours = callbacks.filter((callback) => callback.body.data.customerId === customerId);
  log(`3. The customer answered No. Callbacks: ${ours.map((c) => c.body.type).join(', ')}.`);
}

try {
  await demo();
} catch (error) {
  // Vigil down or not started: the hint, without a stack trace.
  const message =
    error instanceof CliError
      ? error.message
      : error instanceof TypeError && error.message === 'fetch failed'
        ? 'Cannot reach Vigil. Is it running? Start it with: npm start'
        : error instanceof Error
          ? error.message
          : String(error);
  process.stderr.write(`demo: ${message}\n`);
  process.exitCode = error instanceof CliError ? error.exitCode : 1;
}
