import { describe, expect, it } from 'vitest';
import { ClientError, ForbiddenError } from '../../shared/domain/errors.ts';
import { verifySubscription } from '../../shared/domain/verify-subscription.ts';

const TOKEN = 'verify-token-1234';

describe("the webhook's subscription check (docs/channels.md)", () => {
  it('answers the challenge when the mode is subscribe and the verify token matches', () => {
    expect(
      verifySubscription(
        { 'hub.mode': 'subscribe', 'hub.verify_token': TOKEN, 'hub.challenge': 'c-42' },
        TOKEN,
      ),
    ).toBe('c-42');
    expect(verifySubscription({ 'hub.mode': 'subscribe', 'hub.verify_token': TOKEN }, TOKEN)).toBe('');
  });

  it.each([
    ['a wrong token', { 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-token-1235' }],
    ['a longer token', { 'hub.mode': 'subscribe', 'hub.verify_token': `${TOKEN}x` }],
    ['a prefix of the token', { 'hub.mode': 'subscribe', 'hub.verify_token': TOKEN.slice(0, -1) }],
    ['no token', { 'hub.mode': 'subscribe' }],
    ['another mode', { 'hub.mode': 'unsubscribe', 'hub.verify_token': TOKEN }],
    ['no mode', { 'hub.verify_token': TOKEN }],
  ])('refuses %s with the shared 403 problem', (_name, query) => {
    const call = () => verifySubscription({ ...query, 'hub.challenge': 'c' }, TOKEN);
    expect(call).toThrow(ForbiddenError);
    try {
      call();
    } catch (error) {
      expect(error).toBeInstanceOf(ClientError);
      expect(error).toMatchObject({ status: 403, problemType: 'forbidden' });
    }
  });
});
