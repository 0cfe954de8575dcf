import type { CallbackSender } from '../ports/callback-sender.ts';

/** Posts callbacks with fetch, bounded by a timeout so that a slow bank cannot hold a worker. */
export class FetchCallbackSender implements CallbackSender {
  constructor(private readonly timeoutMs = 5000) {}

  async post(url: URL, headers: Record<string, string>, body: string): Promise<number> {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    await response.body?.cancel();
    return response.status;
  }
}
