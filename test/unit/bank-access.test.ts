import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/receive-bank-event.ts';
import { checkBankAccess } from '../../shared/domain/bank-access.ts';
import type { BankProfile } from '../../shared/domain/bank-profile.ts';
import { parseSourceAllowList } from '../../shared/domain/source-allow-list.ts';
import type { StoredEvent } from '../../shared/domain/stored-event.ts';
import { systemClock } from '../../shared/ports/clock.ts';
import { toHttpApiEvent } from '../../shared/runtime/rest-api-event.ts';
import { cardTransaction } from '../fixtures/bank-events.ts';
import { signedHeaders } from '../fixtures/signed-request.ts';

const bank = (extra: Partial<BankProfile> = {}): BankProfile => ({ bankId: 'acme', name: 'ACME', ...extra });

describe('a bank’s source IP allow-list and client certificate', () => {
  const listed = bank({
    allowedSourceIps: parseSourceAllowList(['203.0.113.0/24', '2001:db8:1::/48', '198.51.100.7']),
  });

  it.each([
    ['203.0.113.9', true],
    ['::ffff:203.0.113.9', true],
    ['198.51.100.7', true],
    ['2001:db8:1:ffff::1', true],
    ['203.0.114.1', false],
    ['198.51.100.8', false],
    ['2001:db8:2::1', false],
    ['10.0.0.1', false],
    ['not-an-ip', false],
  ])('from %s: allowed %s', (sourceIp, allowed) => {
    const check = () => checkBankAccess(listed, { sourceIp });
    if (allowed) expect(check).not.toThrow();
    else expect(check).toThrow(expect.objectContaining({ status: 403, problemType: 'caller-not-allowed' }));
  });

  it('refuses a request without a source address when the bank has a list, and restricts no bank without one', () => {
    expect(() => checkBankAccess(listed, {})).toThrow(/allow-list/);
    expect(() => checkBankAccess(bank(), { sourceIp: '10.9.9.9' })).not.toThrow();
    expect(() => checkBankAccess(undefined, { sourceIp: '10.9.9.9' })).not.toThrow();
    expect(() => checkBankAccess(bank({ allowedSourceIps: [] }), {})).not.toThrow();
  });

  it('requires the named client certificate subject when the bank has one', () => {
    const mtls = bank({ clientCertificateSubject: 'CN=acme-vigil,O=ACME Bank' });
    expect(() =>
      checkBankAccess(mtls, { clientCertificateSubject: 'CN=acme-vigil,O=ACME Bank' }),
    ).not.toThrow();
    expect(() => checkBankAccess(mtls, {})).toThrow(/client certificate/);
    expect(() => checkBankAccess(mtls, { clientCertificateSubject: 'CN=other,O=Other Bank' })).toThrow(
      /client certificate/,
    );
  });

  it('stores allow-lists in canonical form and names an entry that is not an address', () => {
    expect(parseSourceAllowList([' 203.0.113.0/24', '2001:DB8::1', '198.51.100.7'])).toEqual([
      '203.0.113.0/24',
      '2001:db8::1/128',
      '198.51.100.7/32',
    ]);
    for (const bad of ['203.0.113.0/33', 'bank.example', '', '1.2.3.4/8/1']) {
      expect(() => parseSourceAllowList([bad])).toThrow(expect.objectContaining({ status: 400 }));
    }
  });
});

/**
 * The allow-list check as it was with ipaddr.js (which still parses the lists as they are stored):
 * the reference the check on Node's BlockList must agree with.
 */
function ipaddrAllows(sourceIp: string, allowList: readonly string[]): boolean {
  if (!ipaddr.isValid(sourceIp)) return false;
  let address = ipaddr.parse(sourceIp);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress())
    address = (address as ipaddr.IPv6).toIPv4Address();
  return allowList.some((entry) => {
    try {
      const range = ipaddr.parseCIDR(entry);
      return address.kind() === range[0].kind() && address.match(range);
    } catch {
      return false;
    }
  });
}

const allows = (sourceIp: string, allowList: string[]) => {
  try {
    checkBankAccess(bank({ allowedSourceIps: allowList }), { sourceIp });
    return true;
  } catch {
    return false;
  }
};

describe('the allow-list check, against the ipaddr.js reference', () => {
  // Addresses as API Gateway reports them, and their IPv4-mapped forms (both notations).
  const ipv4 = fc.ipV4();
  const mapped = ipv4.chain((address) =>
    fc.constantFrom(`::ffff:${address}`, ipaddr.IPv4.parse(address).toIPv4MappedAddress().toString()),
  );
  // Not `::a.b.c.d` (IPv4-compatible, deprecated by RFC 4291), which ipaddr.js reads as
  // `::ffff:a.b.c.d` and Node as `::a.b.c.d`, rightly: see the case below.
  const address = fc.oneof(ipv4, fc.ipV6(), mapped).filter((a) => !/^::\d+\.\d+\.\d+\.\d+$/.test(a));
  // Blocks around an address (host bits set or not), of both families, mapped ranges included.
  const block = fc
    .tuple(address, fc.integer({ min: 0, max: 128 }))
    .map(([base, bits]) => `${base}/${ipaddr.parse(base).kind() === 'ipv4' ? bits % 33 : bits}`);
  const nearBlock = fc
    .tuple(address, fc.integer({ min: 0, max: 128 }))
    .map(([base, bits]) => ({ base, bits }));

  it('allows exactly the addresses ipaddr.js allows, for any list as stored', () => {
    fc.assert(
      fc.property(
        address,
        fc.array(fc.oneof(block, address), { maxLength: 4 }),
        nearBlock,
        (sourceIp, entries, { base, bits }) => {
          // A block around the source itself, so that matches are frequent.
          const kind = ipaddr.parse(sourceIp).kind();
          const own = `${sourceIp}/${kind === 'ipv4' ? bits % 33 : bits}`;
          const list = parseSourceAllowList([...entries, own, base]);
          expect(allows(sourceIp, list)).toBe(ipaddrAllows(sourceIp, list));
          // Without the source's own block (an empty list restricts nothing).
          const others = list.slice(0, -2);
          expect(allows(sourceIp, others)).toBe(others.length === 0 || ipaddrAllows(sourceIp, others));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it.each([
    // A mapped range is an IPv6 block: it matches neither the IPv4 address nor its mapped form.
    ['10.1.2.3', ['::ffff:a00:0/104'], false],
    ['::ffff:10.1.2.3', ['::ffff:a00:0/104'], false],
    ['::ffff:10.1.2.3', ['10.0.0.0/8'], true],
    ['::ffff:a01:203', ['10.0.0.0/8'], true],
    // Every IPv6 address is not every address.
    ['10.1.2.3', ['::/0'], false],
    ['::ffff:10.1.2.3', ['::/0'], false],
    ['2001:db8::1', ['0.0.0.0/0'], false],
    ['10.1.2.3', ['0.0.0.0/0'], true],
    ['10.0.0.77', ['10.0.0.5/24'], true],
    // Entries that are not blocks are skipped, never an error.
    ['10.1.2.3', ['10.0.0.0/33', '10.0.0.0', '10.0.0.0/8/1', 'x/8', '10.0.0.0/-1', '10.1.2.3/32'], true],
    ['10.1.2.3', ['10.0.0.0/33', '10.0.0.0', '10.0.0.0/8/1', 'x/8', '10.0.0.0/-1'], false],
    ['', ['0.0.0.0/0'], false],
  ])('%s in %j: %s', (sourceIp, list, allowed) => {
    expect(allows(sourceIp, list)).toBe(allowed);
    expect(ipaddrAllows(sourceIp, list)).toBe(allowed);
  });

  it('reads `::a.b.c.d` as the IPv6 address it is, not as the mapped IPv4 address ipaddr.js saw', () => {
    // API Gateway reports an IPv4 caller as `a.b.c.d` and an IPv6 one in hexadecimal: this
    // notation only comes from a hand-made event.
    expect(allows('::1.2.3.4', ['1.2.3.4/32'])).toBe(false);
    expect(ipaddrAllows('::1.2.3.4', ['1.2.3.4/32'])).toBe(true);
    expect(allows('::1.2.3.4', ['::102:304/128'])).toBe(true);
  });
});

describe('the bank request path behind the REST API', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const stored: StoredEvent[] = [];
  let settings: BankProfile = bank();
  const handler = createHandler({
    secrets: {
      signingSecrets: async (id) => (id === 'acme' ? [secret] : []),
      callbackSecret: async () => undefined,
      adminKeys: async () => [],
      callbackSecrets: async () => [],
    },
    subscribers: { isSubscribed: async () => true },
    erasure: { refOf: async (bankId, customerId) => `er_${bankId}_${customerId}` },
    events: {
      putIfAbsent: async (event) => {
        stored.push(event);
        return { stored: true };
      },
      isScored: async () => false,
      markScored: async () => undefined,
    },
    clock: systemClock,
    banks: { get: async (id) => (id === 'acme' ? settings : undefined), list: async () => ['acme'] },
  });

  /** A request as API Gateway's REST API (payload format 1.0) hands it to the function. */
  const restEvent = (
    body: string,
    headers: Record<string, string>,
    sourceIp: string,
    clientCert?: { subjectDN: string },
  ): APIGatewayProxyEvent =>
    ({
      resource: '/v1/banks/{bankId}/events',
      path: '/v1/banks/acme/events',
      httpMethod: 'POST',
      headers: Object.fromEntries(
        Object.entries(headers).map(([name, value]) => [name.toUpperCase(), value]),
      ),
      multiValueHeaders: Object.fromEntries(
        Object.entries(headers).map(([name, value]) => [name.toUpperCase(), [value]]),
      ),
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: { bankId: 'acme' },
      stageVariables: null,
      isBase64Encoded: true,
      body: Buffer.from(body).toString('base64'),
      requestContext: {
        accountId: '123456789012',
        apiId: 'abc123',
        domainName: 'api.vigil.example',
        domainPrefix: 'api',
        httpMethod: 'POST',
        path: '/dev/v1/banks/acme/events',
        protocol: 'HTTP/1.1',
        requestId: 'r1',
        requestTimeEpoch: Date.now(),
        resourceId: 'x',
        resourcePath: '/v1/banks/{bankId}/events',
        stage: 'dev',
        identity: { sourceIp, userAgent: 'bank', ...(clientCert && { clientCert }) },
      },
    }) as unknown as APIGatewayProxyEvent;

  const post = async (
    sourceIp: string,
    options: { sign?: boolean; clientCert?: { subjectDN: string } } = {},
  ) => {
    const body = JSON.stringify(cardTransaction());
    const headers = signedHeaders(
      options.sign === false ? 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' : secret,
      body,
    );
    const result = await (
      handler as unknown as (
        event: APIGatewayProxyEvent,
        context: Context,
      ) => Promise<{ statusCode: number; body: string }>
    )(restEvent(body, headers, sourceIp, options.clientCert), {
      functionName: 'receive-bank-event',
    } as Context);
    return { status: result.statusCode, body: JSON.parse(result.body) as Record<string, unknown> };
  };

  it('accepts a signed event from the REST API, body bytes intact', async () => {
    settings = bank();
    const before = stored.length;
    expect((await post('198.51.100.20')).status).toBe(202);
    expect(stored).toHaveLength(before + 1);
  });

  it('refuses a signed event from outside the bank’s allow-list with 403, storing nothing', async () => {
    settings = bank({ allowedSourceIps: ['203.0.113.0/24'] });
    const before = stored.length;
    const refused = await post('198.51.100.20');
    expect(refused).toMatchObject({
      status: 403,
      body: { type: expect.stringMatching(/caller-not-allowed$/) },
    });
    expect(stored).toHaveLength(before);
    expect((await post('203.0.113.77')).status).toBe(202);
  });

  it('answers a bad signature 401 whatever the source, so the allow-list tells an outsider nothing', async () => {
    settings = bank({ allowedSourceIps: ['203.0.113.0/24'] });
    expect((await post('198.51.100.20', { sign: false })).status).toBe(401);
  });

  it('requires the bank’s client certificate, as API Gateway’s mutual TLS reports it', async () => {
    settings = bank({ clientCertificateSubject: 'CN=acme-vigil,O=ACME Bank' });
    expect((await post('198.51.100.20')).status).toBe(403);
    expect((await post('198.51.100.20', { clientCert: { subjectDN: 'CN=someone,O=Else' } })).status).toBe(
      403,
    );
    expect(
      (await post('198.51.100.20', { clientCert: { subjectDN: 'CN=acme-vigil,O=ACME Bank' } })).status,
    ).toBe(202);
  });
});

describe('REST API events as HTTP API events', () => {
  it('keeps the path, method, lower-cased headers, repeated values, query and source address', () => {
    const converted = toHttpApiEvent({
      resource: '/messenger/webhook',
      path: '/messenger/webhook',
      httpMethod: 'GET',
      headers: { 'X-Hub-Signature-256': 'sha256=1', Accept: 'b' },
      multiValueHeaders: { Accept: ['a', 'b'] },
      queryStringParameters: { 'hub.mode': 'subscribe', 'hub.challenge': 'c' },
      multiValueQueryStringParameters: { 'hub.mode': ['subscribe'], 'hub.challenge': ['c'] },
      pathParameters: null,
      stageVariables: null,
      isBase64Encoded: false,
      body: null,
      requestContext: {
        accountId: '1',
        apiId: 'a',
        domainName: 'id.execute-api.eu-west-1.amazonaws.com',
        protocol: 'HTTP/1.1',
        requestId: 'r',
        requestTimeEpoch: 1,
        stage: 'dev',
        identity: { sourceIp: '198.51.100.1' },
      },
    } as unknown as APIGatewayProxyEvent);
    expect(converted).toMatchObject({
      version: '2.0',
      routeKey: 'GET /messenger/webhook',
      rawPath: '/messenger/webhook',
      rawQueryString: 'hub.mode=subscribe&hub.challenge=c',
      headers: { 'x-hub-signature-256': 'sha256=1', accept: 'a,b' },
      queryStringParameters: { 'hub.mode': 'subscribe', 'hub.challenge': 'c' },
      requestContext: {
        domainName: 'id.execute-api.eu-west-1.amazonaws.com',
        http: { method: 'GET', path: '/messenger/webhook', sourceIp: '198.51.100.1' },
      },
    });
    expect(converted.body).toBeUndefined();
  });

  it('passes an HTTP API event through unchanged', () => {
    const event = { version: '2.0', rawPath: '/x' } as never;
    expect(toHttpApiEvent(event)).toBe(event);
  });
});
