import type { Messenger, SendRequest } from '../../../shared/ports/messenger.ts';

/**
 * The Send API: records every request; each send takes the next scripted failure, if any, and
 * otherwise succeeds with a fresh message id.
 */
export class FakeMessenger implements Messenger {
  readonly sent: SendRequest[] = [];
  private readonly failures: unknown[] = [];
  private count = 0;

  /** The next sends throw these errors, in order. */
  failNext(...errors: unknown[]): this {
    this.failures.push(...errors);
    return this;
  }

  async send(request: SendRequest): Promise<{ readonly messageId: string }> {
    this.sent.push(request);
    if (this.failures.length > 0) throw this.failures.shift();
    this.count += 1;
    return { messageId: `m_${this.count}` };
  }

  /** The texts sent to one PSID, in order (templates as `template:NAME`). */
  textsTo(psid: string): string[] {
    return this.sent
      .filter((r) => r.psid === psid)
      .map((r) => ('message' in r ? r.message.text : `template:${r.template.name}`));
  }
}
