import { describe, expect, it } from 'vitest';
import { appSecretProof, toGraphRequest } from '../../shared/adapters/graph-api-messenger.ts';

// The Send API body and proof as Meta's Send API, utility message and "Securing Graph API
// requests" pages describe them.

describe('the Send API request', () => {
  it('labels a reply RESPONSE and a proactive message UPDATE', () => {
    const message = { text: 'hi' };
    expect(toGraphRequest({ psid: 'p', messagingType: 'RESPONSE', message })).toEqual({
      recipient: { id: 'p' },
      messaging_type: 'RESPONSE',
      message: { text: 'hi' },
    });
    expect(toGraphRequest({ psid: 'p', messagingType: 'UPDATE', message })).toMatchObject({
      messaging_type: 'UPDATE',
    });
  });

  it('sends a utility template with a lower-case body component and text parameters, in order', () => {
    const request = toGraphRequest({
      psid: 'p',
      messagingType: 'UTILITY',
      template: { name: 'vigil_fraud_check', language: 'en_US', parameters: ['Demo Bank', '4242'] },
    });
    expect(request).toEqual({
      recipient: { id: 'p' },
      messaging_type: 'UTILITY',
      message: {
        template: {
          name: 'vigil_fraud_check',
          language: { code: 'en_US' },
          components: [
            {
              type: 'body',
              parameters: [
                { type: 'text', text: 'Demo Bank' },
                { type: 'text', text: '4242' },
              ],
            },
          ],
        },
      },
    });
    expect(request).not.toHaveProperty('tag');
  });

  it('proves the app secret: HMAC-SHA256 of the token keyed with the secret, hex', () => {
    // From `echo -n page-token | openssl dgst -sha256 -hmac app-secret`.
    expect(appSecretProof('page-token', 'app-secret')).toBe(
      'd8b448b9cc7d64c51098271805b3cc20b5b715e52bd587eb71b610259587c856',
    );
    expect(appSecretProof('page-token', 'other-secret')).not.toBe(appSecretProof('page-token', 'app-secret'));
  });
});
