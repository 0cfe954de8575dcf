import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import {
  type CallbackUrlPolicy,
  ForbiddenAddressError,
  forbiddenAddressReason,
  guardedLookup,
  hostOf,
  type Resolve,
  systemResolve,
} from '../domain/callback-url.ts';
import type { CallbackSender } from '../ports/callback-sender.ts';

export interface GuardedCallbackSenderOptions extends CallbackUrlPolicy {
  /** A slow bank cannot hold a worker longer than this. */
  readonly timeoutMs?: number;
  /** How host names are resolved at connect time (tests pass their own). */
  readonly resolve?: Resolve;
}

/**
 * Posts callbacks over node:http(s) with a `lookup` that checks the addresses a host resolves to
 * at connect time, so the address connected to is the one checked: a bank host whose DNS answer
 * changes to an inside address after registration is refused (ForbiddenAddressError). Redirects
 * are never followed; the answer's status is all that is read.
 */
export class GuardedCallbackSender implements CallbackSender {
  private readonly timeoutMs: number;
  private readonly lookup: ReturnType<typeof guardedLookup>;

  constructor(private readonly options: GuardedCallbackSenderOptions) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.lookup = guardedLookup(options, options.resolve ?? systemResolve);
  }

  post(url: URL, headers: Record<string, string>, body: string): Promise<number> {
    // An IP literal is connected to without a lookup: it is checked here instead.
    const host = hostOf(url);
    const reason = isIP(host) === 0 ? undefined : forbiddenAddressReason(host, this.options);
    if (reason !== undefined) return Promise.reject(new ForbiddenAddressError(reason));
    const send =
      url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : undefined;
    if (send === undefined) return Promise.reject(new TypeError('unsupported protocol'));
    return new Promise<number>((resolve, reject) => {
      const outgoing = send(
        url,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          lookup: this.lookup as never,
          // A fresh connection for every callback: each one is looked up and checked.
          agent: false,
          signal: AbortSignal.timeout(this.timeoutMs),
        },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }
}
