import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLocalStack, type TestLocalStack } from '../support/test-local-stack.ts';
import { waitFor } from '../support/wait-for.ts';

// The emulator's chat page in a real browser (Debian's chromium, driven by playwright-core): a
// person enrolls, receives an alert, taps "No, it wasn't", and the bank receives the callback.

let local: TestLocalStack;
let browser: Browser;

beforeAll(async () => {
  local = await startTestLocalStack();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await local?.stop();
});

describe('the emulator chat page', () => {
  it('enrolls, shows an alert, and sends the tapped answer to the bank', async () => {
    const { body } = await local.callBank('POST', '/enrollments', { customerId: 'cus_browser' });
    const page = await browser.newPage();
    await page.goto(local.emulatorUrl);
    await page.getByLabel('user').fill('psid_browser');
    await page.getByLabel('enrollment link').fill(String(body?.link));
    await page.getByRole('button', { name: 'Open link as user' }).click();

    const chat = page.locator('section.chat[data-psid="psid_browser"]');
    await chat.getByText(/would like to send you alerts/).waitFor({ timeout: 10_000 });
    await chat.getByRole('button', { name: 'Agree' }).click();
    await chat.getByText(/You will get alerts from Demo Bank/).waitFor({ timeout: 10_000 });

    await local.callBank('POST', '/events', {
      type: 'card.transaction',
      customerId: 'cus_browser',
      occurredAt: '2026-11-29T10:05:00Z',
      transaction: {
        id: 'txn_browser',
        cardLast4: '4242',
        amount: 64900,
        currency: 'EUR',
        merchant: { name: 'GADGETS ONLINE', mcc: '5732', country: 'US' },
        channel: 'card_not_present',
        status: 'authorized',
      },
    });
    await chat.getByText(/Was this you\?/).waitFor({ timeout: 10_000 });
    await chat.getByRole('button', { name: "No, it wasn't" }).click();
    await chat.getByText(/has been warned/).waitFor({ timeout: 10_000 });

    const callback = await waitFor(async () => {
      const received = (await (await fetch(local.bank.callbackUrl)).json()) as {
        body: { type: string; data: { transactionId?: string } };
      }[];
      return received.find(
        (item) => item.body.type === 'alert.disputed' && item.body.data.transactionId === 'txn_browser',
      );
    });
    expect(callback.body.type).toBe('alert.disputed');
    await page.screenshot({ path: `${process.env.TMPDIR ?? '/tmp'}/vigil-chat-page.png`, fullPage: true });
  }, 60_000);
  it('shows a WhatsApp conversation beside Messenger’s: the wa.me text, Agree, the alert, No', async () => {
    const { body } = await local.callBank('POST', '/enrollments', { customerId: 'cus_browser_wa' });
    const links = body?.links as { whatsapp?: string } | undefined;
    expect(links?.whatsapp).toMatch(/^https:\/\/wa\.me\/\d+\?text=/);
    const page = await browser.newPage();
    await page.goto(local.emulatorUrl);
    await page.getByLabel('WhatsApp number').fill('33611112222');
    await page.getByLabel('wa.me link').fill(String(links?.whatsapp));
    await page.getByRole('button', { name: 'Send the wa.me text as user' }).click();

    const chat = page.locator('section.chat.whatsapp[data-wa-id="33611112222"]');
    await chat.getByRole('heading', { name: 'WhatsApp · 33611112222' }).waitFor({ timeout: 10_000 });
    await chat.getByText(/would like to send you alerts/).waitFor({ timeout: 10_000 });
    await chat.getByRole('button', { name: 'Agree' }).click();
    await chat.getByText(/You will get alerts from Demo Bank/).waitFor({ timeout: 10_000 });

    await local.callBank('POST', '/events', {
      type: 'card.transaction',
      customerId: 'cus_browser_wa',
      occurredAt: '2026-11-29T10:06:00Z',
      transaction: {
        id: 'txn_browser_wa',
        cardLast4: '4242',
        amount: 64900,
        currency: 'EUR',
        merchant: { name: 'GADGETS ONLINE', mcc: '5732', country: 'US' },
        channel: 'card_not_present',
        status: 'authorized',
      },
    });
    await chat.getByText(/Was this you\?/).waitFor({ timeout: 10_000 });
    await chat.getByRole('button', { name: "No, it wasn't" }).click();
    await chat.getByText(/has been warned/).waitFor({ timeout: 10_000 });
    // Messenger's conversations are still there, each in its own kind of box.
    expect(await page.locator('section.chat.messenger').count()).toBeGreaterThan(0);

    const callback = await waitFor(async () => {
      const received = (await (await fetch(local.bank.callbackUrl)).json()) as {
        body: { type: string; data: { transactionId?: string } };
      }[];
      return received.find(
        (item) => item.body.type === 'alert.disputed' && item.body.data.transactionId === 'txn_browser_wa',
      );
    });
    expect(callback.body.type).toBe('alert.disputed');
    await page.screenshot({
      path: `${process.env.TMPDIR ?? '/tmp'}/vigil-chat-page-whatsapp.png`,
      fullPage: true,
    });
  }, 60_000);
});
