import { describe, expect, it } from 'vitest';
import { guardedLookup, resolveCallbackUrl } from '../../shared/domain/callback-url.ts';

// Where the resolver fails, answers nothing, or is not needed: never a connection to an
// unchecked address, and never a crash of the caller.

const aws = { allowLoopback: false };

function lookup(answer: () => Promise<readonly string[]>, options: { all?: boolean; family?: number }) {
  return new Promise<unknown[]>((done) =>
    guardedLookup(aws, answer)('bank.example', options, (...args) => done(args)),
  );
}

describe('resolveCallbackUrl', () => {
  it('checks an address literal without asking the resolver', async () => {
    const asked: string[] = [];
    const resolve = async (host: string) => {
      asked.push(host);
      return ['93.184.215.14'];
    };
    const url = await resolveCallbackUrl('https://93.184.215.14/cb', aws, resolve);
    expect(url.host).toBe('93.184.215.14');
    expect(asked).toEqual([]);
  });

  it('refuses a name the resolver answers with no address at all', async () => {
    await expect(resolveCallbackUrl('https://bank.example/cb', aws, async () => [])).rejects.toThrow(
      /does not resolve/,
    );
  });
});

describe('guardedLookup', () => {
  it('refuses a forbidden answer in the single-address form with an empty address', async () => {
    const [error, address] = await lookup(async () => ['10.0.0.7'], { family: 4 });
    expect((error as Error).name).toBe('ForbiddenAddressError');
    expect(address).toBe('');
  });

  it('hands a resolver failure to the connection, in both forms, with no address', async () => {
    const failure = Object.assign(new Error('queryA ETIMEOUT bank.example'), { code: 'ETIMEOUT' });
    const [singleError, singleAddress] = await lookup(async () => Promise.reject(failure), { family: 0 });
    expect(singleError).toBe(failure);
    expect(singleAddress).toBe('');
    const [allError, allAddresses] = await lookup(async () => Promise.reject(failure), { all: true });
    expect(allError).toBe(failure);
    expect(allAddresses).toEqual([]);
  });
});
