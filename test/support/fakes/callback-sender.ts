import type { CallbackSender } from '../../../shared/ports/callback-sender.ts';

/** A bank's callback endpoint: records every call and answers the scripted statuses or errors. */
export class FakeCallbackSender implements CallbackSender {
  readonly calls: {
    readonly url: string;
    readonly headers: Record<string, string>;
    readonly body: string;
  }[] = [];
  private readonly answers: (number | Error)[] = [];

  /** The next calls answer these, in order; then 200. */
  answerNext(...answers: (number | Error)[]): this {
    this.answers.push(...answers);
    return this;
  }

  async post(url: URL, headers: Record<string, string>, body: string): Promise<number> {
    this.calls.push({ url: url.href, headers, body });
    const answer = this.answers.shift() ?? 200;
    if (answer instanceof Error) throw answer;
    return answer;
  }
}
