/** Posts a signed callback to a bank. */
export interface CallbackSender {
  /** The HTTP status; throws on network errors and timeouts. */
  post(url: URL, headers: Record<string, string>, body: string): Promise<number>;
}
