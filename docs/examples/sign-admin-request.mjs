// Signs an administration request with HTTP Message Signatures (RFC 9421, hmac-sha256, with
// Content-Digest per RFC 9530) using the `http-message-signatures` npm package, and sends it.
// Usage: VIGIL_URL=https://... BANK_ID=acme-bank ADMIN_KEY=vadm_... ADMIN_KEY_ID=adm_... \
//        node sign-admin-request.mjs METHOD PATH [BODY_FILE]    e.g. PUT /thresholds thresholds.json
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import signatures from 'http-message-signatures';

const { VIGIL_URL, BANK_ID, ADMIN_KEY, ADMIN_KEY_ID } = process.env;
const [method, path, file] = process.argv.slice(2);
const body = file === undefined ? undefined : await readFile(file);
const url = `${VIGIL_URL}/v1/banks/${BANK_ID}${path}`;
const headers =
  body === undefined
    ? {}
    : {
        'content-type': 'application/json',
        'content-digest': `sha-256=:${createHash('sha256').update(body).digest('base64')}:`,
      };
const key = Buffer.from(ADMIN_KEY.replace(/^vadm_/, ''), 'base64');
const signed = await signatures.httpbis.signMessage(
  {
    key: { ...signatures.createSigner(key, 'hmac-sha256', ADMIN_KEY_ID), alg: 'hmac-sha256' },
    name: 'sig',
    params: ['created', 'nonce', 'keyid', 'alg'],
    fields: ['@method', '@authority', '@path', '@query', ...(body === undefined ? [] : ['content-digest'])],
    // A new nonce for every request; sign again with the same nonce only to retry it.
    paramValues: { nonce: randomBytes(18).toString('base64url') },
  },
  { method, url, headers },
);

const response = await fetch(url, { method, headers: signed.headers, body });
console.log(await response.text());
console.log(response.status);
