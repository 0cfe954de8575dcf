import { describe, expect, it } from 'vitest';
import { webhookItems, webhookPayloadSchema } from '../../shared/domain/messenger-webhook-schema.ts';

// Items Meta would never send, or that a forger might: each skipped with a reason, none acted on,
// and the batch never fails.

describe('hostile webhook items', () => {
  it('skips standby items that are not objects, and entries or messaging items of any other shape', () => {
    // As the webhook reads its body: JSON.parse, where `__proto__` is an own key, not a prototype.
    const payload = webhookPayloadSchema.parse(
      JSON.parse(
        JSON.stringify({
          object: 'page',
          entry: [
            { id: '1', time: 1, standby: [42, null, 'x', [], { message: { mid: 'm', text: 'STOP' } }] },
            { id: '1', time: 1, messaging: [null, 7, 'PROTO'] },
            'not an entry',
          ],
        }).replace('"PROTO"', '{"__proto__":{"message":{"mid":"m","text":"STOP"}}}'),
      ),
    );
    const items = webhookItems(payload);
    expect(items.filter((item) => item.act)).toEqual([]);
    expect(items.map((item) => [item.type, 'reason' in item ? item.reason : ''])).toEqual([
      ['unknown', 'standby'],
      ['unknown', 'standby'],
      ['unknown', 'standby'],
      ['unknown', 'standby'],
      ['message', 'standby'],
      ['unknown', 'invalid'],
      ['unknown', 'invalid'],
      ['unknown', 'not_used'],
      ['entry', 'invalid'],
    ]);
  });
});
