import type { IncomingHttpHeaders } from 'node:http';

// Local mode's servers listen on 127.0.0.1 only, but a web page the developer visits can still
// reach them through the browser: by DNS rebinding (a foreign name resolving to 127.0.0.1, sent
// as the Host) or by a cross-origin request (a form or a no-cors fetch). Every local server
// answers only requests whose Host names the loopback address and port it listens on, and whose
// Origin, when there is one, is one of local mode's own.

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/** The origins a server on this port is reached at. */
export function loopbackOrigins(port: number): string[] {
  return LOOPBACK_NAMES.map((name) => `http://${name}:${port}`);
}

/**
 * Why the request is refused, or undefined when it may be served: `port` is the server's own;
 * `allowedOrigins` adds the origins of local mode's other pages (the emulator's chat page).
 */
export function foreignRequestReason(
  headers: IncomingHttpHeaders,
  port: number,
  allowedOrigins: readonly string[] = [],
): string | undefined {
  const host = headers.host?.toLowerCase();
  if (host === undefined || !LOOPBACK_NAMES.some((name) => host === `${name}:${port}`)) return 'foreign Host';
  const origin = headers.origin;
  if (origin !== undefined && ![...loopbackOrigins(port), ...allowedOrigins].includes(origin.toLowerCase()))
    return 'foreign Origin';
  // Browsers that send no Origin on a cross-site request still say so here.
  if (headers['sec-fetch-site'] === 'cross-site') return 'foreign Origin';
  return undefined;
}
