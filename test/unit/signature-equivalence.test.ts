import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  signatureMatches,
  standardWebhookSignature,
  verifyBankSignature,
} from '../../shared/domain/verify-bank-signature.ts';

// The ingest signature check runs on node:crypto; the standardwebhooks library is the reference
// it must agree with, on the library's own example and on random inputs.

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

/** What the library says: true when its verify accepts. */
function libraryAccepts(secret: string, headers: Record<string, string>, body: Buffer): boolean {
  try {
    new Webhook(secret).verify(body, headers, { jsonParse: false });
    return true;
  } catch {
    return false;
  }
}

const secretArb = fc
  .uint8Array({ minLength: 1, maxLength: 64 })
  .map((bytes) => `whsec_${Buffer.from(bytes).toString('base64')}`);
const idArb = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,40}$/);
const bodyArb = fc.oneof(
  fc.string({ maxLength: 300 }).map((text) => Buffer.from(text)),
  fc.string({ unit: 'grapheme', maxLength: 100 }).map((text) => Buffer.from(text)),
  // Not always UTF-8: both read the body the same way.
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
);

describe('Standard Webhooks check on node:crypto', () => {
  it("accepts the library's documented example and refuses it altered", () => {
    // The example of the standardwebhooks test suite (javascript/src/index.test.ts).
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
    const timestamp = '1614265330';
    const body = Buffer.from('{"test": 2432232314}');
    const signature = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
    expect(new Webhook(secret).sign(id, new Date(Number(timestamp) * 1000), body.toString())).toBe(signature);
    expect(signatureMatches(secret, id, timestamp, body, signature)).toBe(true);
    expect(signatureMatches(secret.replace('whsec_', ''), id, timestamp, body, signature)).toBe(true);
    expect(signatureMatches(secret, id, timestamp, body, `v1,bad v2,x ${signature}`)).toBe(true);
    expect(signatureMatches(secret, id, timestamp, body, signature.replace('v1,', 'v2,'))).toBe(false);
    expect(signatureMatches(secret, id, timestamp, body, `${signature} `.replace('=', ''))).toBe(false);
    expect(signatureMatches(secret, `${id}x`, timestamp, body, signature)).toBe(false);
    expect(signatureMatches(secret, id, '1614265331', body, signature)).toBe(false);
    expect(signatureMatches(secret, id, timestamp, Buffer.from('{"test": 2432232315}'), signature)).toBe(
      false,
    );
    expect(signatureMatches('whsec_', id, timestamp, body, signature)).toBe(false);
    expect(signatureMatches('whsec_not*base64', id, timestamp, body, signature)).toBe(false);
  });

  it('agrees with the library on random secrets, ids, bodies and signature headers', () => {
    fc.assert(
      fc.property(
        secretArb,
        secretArb,
        idArb,
        fc.integer({ min: -250, max: 250 }),
        bodyArb,
        fc.array(fc.constantFrom('own', 'other', 'otherBody', 'mangled', 'v2', 'junk', 'bare'), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.string({ maxLength: 20 }),
        (secret, otherSecret, id, offset, body, kinds, junk) => {
          const at = new Date((Math.floor(Date.now() / 1000) + offset) * 1000);
          const own = new Webhook(secret).sign(id, at, body);
          const entries = kinds.map((kind) => {
            switch (kind) {
              case 'own':
                return own;
              case 'other':
                return new Webhook(otherSecret).sign(id, at, body);
              case 'otherBody':
                return new Webhook(secret).sign(id, at, Buffer.concat([body, Buffer.from('x')]));
              case 'mangled':
                return `${own.slice(0, -2)}A=`;
              case 'v2':
                return own.replace('v1,', 'v2,');
              case 'bare':
                return own.slice(3);
              default:
                return junk.replaceAll(' ', '');
            }
          });
          const header = entries.join(' ');
          const timestamp = String(Math.floor(at.getTime() / 1000));
          const headers = { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': header };
          expect(signatureMatches(secret, id, timestamp, body, header)).toBe(
            libraryAccepts(secret, headers, body),
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('agrees with the library on whole requests, timestamps out of tolerance included', () => {
    fc.assert(
      fc.property(
        secretArb,
        idArb,
        // Away from the tolerance's edge, where a second ticking between the two calls could matter.
        fc.oneof(
          fc.integer({ min: -290, max: 290 }),
          fc.integer({ min: 310, max: 5000 }).map((n) => -n),
        ),
        fc.integer({ min: 310, max: 5000 }),
        fc.boolean(),
        bodyArb,
        (secret, id, pastOffset, futureOffset, future, body) => {
          const offset = future ? futureOffset : pastOffset;
          const at = new Date((Math.floor(Date.now() / 1000) + offset) * 1000);
          const headers = {
            'webhook-id': id,
            'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
            'webhook-signature': new Webhook(secret).sign(id, at, body),
          };
          expect(verifyBankSignature([secret], { headers, body })).toBe(
            libraryAccepts(secret, headers, body),
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('matches under any of several secrets, and under none with an unknown one', () => {
    const secrets = Array.from({ length: 3 }, () => `whsec_${randomBytes(24).toString('base64')}`);
    const body = Buffer.from('{"a":1}');
    const now = new Date();
    for (const secret of secrets) {
      const headers = {
        'webhook-id': 'evt_1',
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': new Webhook(secret).sign('evt_1', now, body),
      };
      expect(verifyBankSignature(secrets, { headers, body }, now)).toBe(true);
      expect(
        verifyBankSignature([`whsec_${randomBytes(24).toString('base64')}`], { headers, body }, now),
      ).toBe(false);
      expect(verifyBankSignature([], { headers, body }, now)).toBe(false);
    }
  });
});

describe('Standard Webhooks signing on node:crypto (bank callbacks)', () => {
  it("signs the library's documented example as the library does", () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const at = new Date(1614265330 * 1000 + 999);
    expect(standardWebhookSignature(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', at, '{"test": 2432232314}')).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('gives the library’s signature, which the library verifies, on random secrets, ids, times and bodies', () => {
    fc.assert(
      fc.property(
        secretArb,
        idArb,
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        fc.integer({ min: -250, max: 250 }),
        fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 100 })),
        (secret, id, ms, offset, body) => {
          const anyTime = new Date(ms);
          const signature = standardWebhookSignature(secret, id, anyTime, body);
          expect(signature).toBe(new Webhook(secret).sign(id, anyTime, body));
          expect(standardWebhookSignature(secret.replace('whsec_', ''), id, anyTime, body)).toBe(signature);
          // The library verifies against its own clock (5 minutes' tolerance): a time near now.
          const at = new Date((Math.floor(Date.now() / 1000) + offset) * 1000);
          const headers = {
            'webhook-id': id,
            'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
            'webhook-signature': standardWebhookSignature(secret, id, at, body),
          };
          expect(libraryAccepts(secret, headers, Buffer.from(body))).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('refuses a secret that is not a whsec_ base64 key, as the library does', () => {
    for (const secret of ['whsec_', 'whsec_not*base64', '']) {
      expect(() => standardWebhookSignature(secret, 'id', new Date(), '{}')).toThrow(TypeError);
      expect(() => new Webhook(secret).sign('id', new Date(), '{}')).toThrow();
    }
  });
});
