import { describe, expect, it } from 'vitest';
import {
  forbiddenAddressReason,
  guardedLookup,
  InvalidCallbackUrlError,
  parseCallbackUrl,
  resolveCallbackUrl,
} from '../../shared/domain/callback-url.ts';

const aws = { allowLoopback: false };
const local = { allowLoopback: true };

/** Every inside range, each in the encodings a URL may carry it in. */
const insideHosts: [string, RegExp][] = [
  // Loopback
  ['127.0.0.1', /loopback/],
  ['127.1', /loopback/],
  ['2130706433', /loopback/],
  ['0x7f000001', /loopback/],
  ['0177.0.0.1', /loopback/],
  ['[::1]', /loopback/],
  ['[::ffff:127.0.0.1]', /loopback/],
  ['[0:0:0:0:0:ffff:7f00:1]', /loopback/],
  ['localhost', /loopback/],
  ['api.localhost', /loopback/],
  ['LOCALHOST.', /loopback/],
  // Cloud metadata (link-local), in every IPv4 encoding and IPv6 forms
  ['169.254.169.254', /link-local/],
  ['2852039166', /link-local/],
  ['0xa9fea9fe', /link-local/],
  ['0xA9.0xFE.0xA9.0xFE', /link-local/],
  ['0251.0376.0251.0376', /link-local/],
  ['169.254.43518', /link-local/],
  ['[::ffff:a9fe:a9fe]', /link-local/],
  ['[::ffff:169.254.169.254]', /link-local/],
  ['[::a9fe:a9fe]', /outside IPv6 global unicast/],
  ['[64:ff9b::a9fe:a9fe]', /NAT64/],
  ['[2002:a9fe:a9fe::1]', /6to4/],
  ['[2001:0:4136:e378:8000:63bf:3fff:fdd2]', /Teredo/],
  ['[fd00:ec2::254]', /unique local/],
  ['[fe80::1]', /link-local/],
  ['metadata.google.internal', /internal host/],
  // Private
  ['10.0.0.1', /private/],
  ['012.0.0.1', /private/],
  ['167772161', /private/],
  ['172.16.0.1', /private/],
  ['172.31.255.255', /private/],
  ['192.168.0.1', /private/],
  ['0xc0a80001', /private/],
  ['[::ffff:192.168.0.1]', /private/],
  ['[fc00::1]', /unique local/],
  // Carrier-grade NAT (also Alibaba's metadata address)
  ['100.64.0.1', /carrier-grade NAT/],
  ['100.100.100.200', /carrier-grade NAT/],
  ['[::ffff:6464:64c8]', /carrier-grade NAT/],
  // Multicast, broadcast, unspecified, reserved
  ['224.0.0.1', /multicast/],
  ['239.255.255.250', /multicast/],
  ['[ff02::1]', /multicast/],
  ['255.255.255.255', /broadcast/],
  ['0.0.0.0', /unspecified/],
  ['0', /unspecified/],
  ['[::]', /unspecified/],
  ['240.0.0.1', /reserved/],
  ['192.0.0.192', /reserved/],
  ['198.18.0.1', /reserved/],
  ['[2001:db8::1]', /reserved/],
  // Names that only mean something inside
  ['intranet', /internal host/],
  ['printer.local', /internal host/],
  ['db.corp', /internal host/],
];

describe('callback URLs when they are set', () => {
  it.each(insideHosts)('refuses https://%s outside local mode (%s)', (host, reason) => {
    expect(() => parseCallbackUrl(`https://${host}/cb`, aws)).toThrow(InvalidCallbackUrlError);
    expect(() => parseCallbackUrl(`https://${host}/cb`, aws)).toThrow(reason);
  });

  it.each(insideHosts.filter(([, reason]) => String(reason) !== String(/loopback/)))(
    'refuses https://%s in local mode too: only loopback is relaxed',
    (host) => {
      expect(() => parseCallbackUrl(`https://${host}/cb`, local)).toThrow(InvalidCallbackUrlError);
    },
  );

  it.each([
    'http://127.0.0.1:3000/cb',
    'http://localhost:3000/cb',
    'http://[::1]:3000/cb',
    'https://127.0.0.1/cb',
  ])('allows %s in local mode', (url) => {
    expect(parseCallbackUrl(url, local).toString()).toBe(new URL(url).toString());
  });

  it.each([
    ['http://bank.example/cb', /https/],
    ['http://10.0.0.1/cb', /https/],
    ['ftp://bank.example/cb', /https/],
    ['javascript:alert(1)', /https/],
    ['file:///etc/passwd', /https/],
    ['https://user:pass@bank.example/cb', /credentials/],
    ['https://user@bank.example/cb', /credentials/],
    ['not a url', /not a URL/],
  ])('refuses %s in either mode', (url, reason) => {
    expect(() => parseCallbackUrl(url, aws)).toThrow(reason);
    expect(() => parseCallbackUrl(url, local)).toThrow(reason);
  });

  it('allows https to a public name or a public address', () => {
    expect(parseCallbackUrl('https://bank.example/vigil', aws).hostname).toBe('bank.example');
    expect(parseCallbackUrl('https://93.184.215.14/vigil', aws).hostname).toBe('93.184.215.14');
    expect(parseCallbackUrl('https://[2606:4700::1111]/vigil', aws).hostname).toBe('[2606:4700::1111]');
  });

  it('is a 400 problem that does not echo the URL', () => {
    const error = (() => {
      try {
        parseCallbackUrl('https://10.0.0.1/secret-path', aws);
      } catch (caught) {
        return caught as InvalidCallbackUrlError;
      }
    })();
    expect(error?.status).toBe(400);
    expect(error?.problemType).toBe('invalid-callback-url');
    expect(error?.message).not.toContain('secret-path');
  });
});

describe('callback host names, resolved', () => {
  const dns = (answers: Record<string, string[]>) => async (host: string) => {
    const found = answers[host];
    if (found === undefined) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
    return found;
  };

  it('refuses a name when any of its addresses is inside', async () => {
    const resolve = dns({ 'bank.example': ['93.184.215.14', '10.0.0.7'] });
    await expect(resolveCallbackUrl('https://bank.example/cb', aws, resolve)).rejects.toThrow(
      /resolves to a private address/,
    );
  });

  it.each([
    ['127.0.0.1', /loopback/],
    ['::1', /loopback/],
    ['169.254.169.254', /link-local/],
    ['::ffff:169.254.169.254', /link-local/],
    ['fd00:ec2::254', /unique local/],
    ['100.64.1.1', /carrier-grade NAT/],
    ['224.0.0.251', /multicast/],
  ])('refuses a name resolving to %s', async (address, reason) => {
    await expect(
      resolveCallbackUrl('https://bank.example/cb', aws, dns({ 'bank.example': [address] })),
    ).rejects.toThrow(reason);
  });

  it('refuses a name that does not resolve, and accepts one whose every address is public', async () => {
    await expect(resolveCallbackUrl('https://gone.example/cb', aws, dns({}))).rejects.toThrow(
      /does not resolve/,
    );
    const url = await resolveCallbackUrl(
      'https://bank.example/cb',
      aws,
      dns({ 'bank.example': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'] }),
    );
    expect(url.toString()).toBe('https://bank.example/cb');
  });

  it('lets a name resolve to loopback in local mode only', async () => {
    const resolve = dns({ 'bank.test': ['127.0.0.1'] });
    await expect(resolveCallbackUrl('https://bank.test/cb', local, resolve)).resolves.toBeInstanceOf(URL);
    await expect(resolveCallbackUrl('https://bank.test/cb', aws, resolve)).rejects.toThrow(/loopback/);
  });
});

describe('the connect-time lookup', () => {
  const lookupWith = (policy: typeof aws, answers: string[]) =>
    new Promise<{ error: Error | null; address: unknown }>((done) =>
      guardedLookup(policy, async () => answers)('bank.example', { all: true }, (error, address) =>
        done({ error, address }),
      ),
    );

  it('hands net.connect the checked addresses', async () => {
    expect(await lookupWith(aws, ['93.184.215.14'])).toEqual({
      error: null,
      address: [{ address: '93.184.215.14', family: 4 }],
    });
  });

  it('refuses the connection when any answer is inside', async () => {
    const { error } = await lookupWith(aws, ['93.184.215.14', '169.254.169.254']);
    expect(error?.name).toBe('ForbiddenAddressError');
    expect((await lookupWith(aws, [])).error?.name).toBe('ForbiddenAddressError');
  });

  it('answers the single-address form too', async () => {
    const single = await new Promise<unknown[]>((done) =>
      guardedLookup(aws, async () => ['2606:4700::1111'])('bank.example', { family: 0 }, (...args) =>
        done(args),
      ),
    );
    expect(single).toEqual([null, '2606:4700::1111', 6]);
  });

  it('judges a few special addresses exactly', () => {
    expect(forbiddenAddressReason('8.8.8.8', aws)).toBeUndefined();
    expect(forbiddenAddressReason('2606:4700::1111', aws)).toBeUndefined();
    expect(forbiddenAddressReason('::ffff:8.8.8.8', aws)).toBeUndefined();
    expect(forbiddenAddressReason('127.0.0.1', local)).toBeUndefined();
    expect(forbiddenAddressReason('10.0.0.1', local)).toMatch(/private/);
    expect(forbiddenAddressReason('not-an-ip', aws)).toMatch(/not an IP address/);
  });
});
