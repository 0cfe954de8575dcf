import { MESSAGING_WINDOW_MS } from '../../../shared/domain/subscriber.ts';
import type { Channel, ChannelLimits, ChannelMessage, ChannelName } from '../../../shared/ports/channel.ts';

/** A channel that records every message; each send takes the next scripted failure, if any. */
export class FakeChannel implements Channel {
  readonly sent: ChannelMessage[] = [];
  readonly limits: ChannelLimits = { windowMs: MESSAGING_WINDOW_MS, maxAnswers: 10, maxTextChars: 1024 };
  private readonly failures: unknown[] = [];

  constructor(readonly name: ChannelName) {}

  failNext(...errors: unknown[]): this {
    this.failures.push(...errors);
    return this;
  }

  async send(message: ChannelMessage): Promise<{ messageId: string; sentAs: string }> {
    this.sent.push(message);
    if (this.failures.length > 0) throw this.failures.shift();
    return { messageId: `wamid.${this.sent.length}`, sentAs: message.kind };
  }
}
