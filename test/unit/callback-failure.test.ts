import { describe, expect, it } from 'vitest';
import { findFreePort } from '../../local/dynamodb-local.ts';
import { GuardedCallbackSender } from '../../shared/adapters/guarded-callback-sender.ts';
import { describeFailure } from '../../shared/domain/deliver-callbacks.ts';

// What a callback retry's log line says went wrong: the network error, never the URL.

describe('callback failures, named', () => {
  it('a refused connection is ECONNREFUSED', async () => {
    const url = new URL(`http://127.0.0.1:${await findFreePort()}/cb`);
    const error = await new GuardedCallbackSender({ allowLoopback: true, timeoutMs: 2000 })
      .post(url, {}, '{}')
      .catch((thrown: unknown) => thrown);
    expect(describeFailure(error)).toBe('ECONNREFUSED');
  });

  it('an inside address refused at connect time is EFORBIDDENADDRESS', async () => {
    const url = new URL('https://bank.example/cb');
    const sender = new GuardedCallbackSender({ allowLoopback: false, resolve: async () => ['10.0.0.7'] });
    expect(describeFailure(await sender.post(url, {}, '{}').catch((thrown: unknown) => thrown))).toBe(
      'EFORBIDDENADDRESS',
    );
  });

  it('a timeout is timeout; anything else its name', () => {
    expect(
      describeFailure(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
    ).toBe('timeout');
    expect(describeFailure(new RangeError('x'))).toBe('RangeError');
    expect(describeFailure('text')).toBe('error');
  });
});
