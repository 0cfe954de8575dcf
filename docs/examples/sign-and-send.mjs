// Signs a bank event with Standard Webhooks using Node's crypto only, and posts it.
// Usage: VIGIL_URL=https://... BANK_ID=acme-bank SIGNING_SECRET=whsec_... node sign-and-send.mjs event.json
// (The `standardwebhooks` npm package does the same: new Webhook(secret).sign(id, date, body).)
import { createHmac, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';

const { VIGIL_URL, BANK_ID, SIGNING_SECRET } = process.env;
const body = await readFile(process.argv[2], 'utf8');
const id = `evt_${randomUUID()}`; // your event id: the idempotency key; reuse it on retries
const timestamp = Math.floor(Date.now() / 1000);
const key = Buffer.from(SIGNING_SECRET.replace(/^whsec_/, ''), 'base64');
const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');

const response = await fetch(`${VIGIL_URL}/v1/banks/${BANK_ID}/events`, {
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': `v1,${signature}`,
  },
  body,
});
console.log(await response.text());
console.log(response.status);
