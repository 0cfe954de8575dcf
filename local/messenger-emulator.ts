import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { metaSignature } from '../shared/domain/verify-meta-signature.ts';
import { CHAT_PAGE } from './emulator-chat-page.ts';

// A stand-in for Meta's Graph API and for people using Messenger (docs/contract.md#emulator): Vigil sends to its
// Send API; tests and developers play customers through its /__emulator endpoints, which post
// signed webhook events to Vigil exactly as Meta would.

/** Message tags Meta retired in April 2026: sending one is error 100. */
const RETIRED_TAGS = new Set(['ACCOUNT_UPDATE', 'CONFIRMED_EVENT_UPDATE', 'POST_PURCHASE_UPDATE']);
const MESSAGING_TYPES = new Set(['RESPONSE', 'UPDATE', 'MESSAGE_TAG', 'UTILITY']);

export interface EmulatorOptions {
  readonly port: number;
  readonly pageId: string;
  readonly pageAccessToken: string;
  readonly appSecret: string;
  /** Vigil's webhook, where customer events are posted. */
  readonly webhookUrl: string;
}

export interface ReceivedMessage {
  readonly receivedAt: string;
  readonly [field: string]: unknown;
}

interface Fault {
  readonly status: number;
  readonly error?: { readonly code?: number; readonly error_subcode?: number; readonly message?: string };
}

/** One line of a conversation on the chat page. */
interface ChatEntry {
  readonly from: 'page' | 'user';
  readonly text: string;
  readonly at: string;
  readonly quickReplies?: readonly { readonly title: string; readonly payload: string }[];
}

function chatEntryOf(message: Record<string, unknown>): ChatEntry {
  const replies = message.quick_replies as { title: string; payload: string }[] | undefined;
  const template = message.template as
    | { name?: string; components?: { parameters?: { text?: string }[] }[] }
    | undefined;
  const text =
    typeof message.text === 'string'
      ? message.text
      : `[utility template ${template?.name ?? ''}: ${(template?.components?.[0]?.parameters ?? []).map((p) => p.text).join(' · ')}]`;
  return {
    from: 'page',
    text,
    at: new Date().toISOString(),
    ...(replies && { quickReplies: replies.map(({ title, payload }) => ({ title, payload })) }),
  };
}

export interface MessengerEmulator {
  readonly url: string;
  close(): Promise<void>;
}

export async function startMessengerEmulator(options: EmulatorOptions): Promise<MessengerEmulator> {
  const received = new Map<string, ReceivedMessage[]>();
  /** Both sides of each conversation, for the chat page. */
  const conversations = new Map<string, ChatEntry[]>();
  const note = (psid: string, entry: ChatEntry) =>
    conversations.set(psid, [...(conversations.get(psid) ?? []), entry]);
  let faults: Fault[] = [];

  const sendApi = async (request: IncomingMessage, response: ServerResponse, pageId: string) => {
    const body = await readJson(request);
    const token =
      request.headers.authorization?.replace(/^Bearer /, '') ??
      new URL(request.url ?? '', 'http://x').searchParams.get('access_token');
    if (token !== options.pageAccessToken)
      return graphError(response, 401, 190, 'Invalid OAuth access token.');
    if (pageId !== options.pageId)
      return graphError(
        response,
        400,
        100,
        `Unsupported post request. Object with ID '${pageId}' does not exist.`,
      );
    const fault = faults.shift();
    if (fault !== undefined) {
      const { code = 2, error_subcode, message = 'Emulated fault' } = fault.error ?? {};
      return graphError(response, fault.status, code, message, error_subcode);
    }
    const recipient = (body?.recipient as { id?: unknown } | undefined)?.id;
    const message = body?.message as Record<string, unknown> | undefined;
    if (typeof recipient !== 'string')
      return graphError(response, 400, 100, 'The parameter recipient is required');
    if (!MESSAGING_TYPES.has(String(body?.messaging_type)))
      return graphError(response, 400, 100, 'Invalid messaging_type');
    if (typeof body?.tag === 'string' && RETIRED_TAGS.has(body.tag)) {
      return graphError(response, 400, 100, `(#100) Tag ${body.tag} is no longer supported`);
    }
    if (
      message === undefined ||
      (message.text === undefined && message.template === undefined && message.attachment === undefined)
    ) {
      return graphError(response, 400, 100, 'The parameter message is required');
    }
    const list = received.get(recipient) ?? [];
    list.push({ receivedAt: new Date().toISOString(), ...body });
    received.set(recipient, list);
    note(recipient, chatEntryOf(message));
    json(response, 200, { recipient_id: recipient, message_id: `m_${randomUUID()}` });
  };

  /** Posts a messaging event from the user to Vigil's webhook, signed like Meta's. */
  const deliver = async (psid: string, event: Record<string, unknown>, shown: string) => {
    note(psid, { from: 'user', text: shown, at: new Date().toISOString() });
    const payload = JSON.stringify({
      object: 'page',
      entry: [
        {
          id: options.pageId,
          time: Date.now(),
          messaging: [
            { sender: { id: psid }, recipient: { id: options.pageId }, timestamp: Date.now(), ...event },
          ],
        },
      ],
    });
    const answer = await fetch(options.webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': metaSignature(options.appSecret, payload),
      },
      body: payload,
    });
    return { webhookStatus: answer.status };
  };

  const routes: [
    string,
    RegExp,
    (request: IncomingMessage, response: ServerResponse, match: string[]) => Promise<void>,
  ][] = [
    ['POST', /^\/(v\d+\.\d+)\/([^/]+)\/messages$/, (req, res, m) => sendApi(req, res, m[2] ?? '')],
    [
      'GET',
      /^\/__emulator\/messages$/,
      async (req, res) => {
        const psid = new URL(req.url ?? '', 'http://x').searchParams.get('psid');
        json(res, 200, psid === null ? Object.fromEntries(received) : (received.get(psid) ?? []));
      },
    ],
    [
      'POST',
      /^\/__emulator\/users\/([^/]+)\/referral$/,
      async (req, res, m) => {
        const { ref } = (await readJson(req)) ?? {};
        json(
          res,
          200,
          await deliver(
            decodeURIComponent(m[1] ?? ''),
            { referral: { ref, source: 'SHORTLINK', type: 'OPEN_THREAD' } },
            '(opened the bank’s link)',
          ),
        );
      },
    ],
    [
      'POST',
      /^\/__emulator\/users\/([^/]+)\/messages$/,
      async (req, res, m) => {
        const { text, quickReplyPayload, mid = `m_${randomUUID()}` } = (await readJson(req)) ?? {};
        const message = {
          mid,
          text,
          ...(quickReplyPayload !== undefined && { quick_reply: { payload: quickReplyPayload } }),
        };
        json(res, 200, {
          mid,
          ...(await deliver(decodeURIComponent(m[1] ?? ''), { message }, String(text ?? ''))),
        });
      },
    ],
    [
      'POST',
      /^\/__emulator\/faults$/,
      async (req, res) => {
        const { responses = [] } = (await readJson(req)) ?? {};
        faults = Array.isArray(responses) ? (responses as Fault[]) : [];
        json(res, 200, { queued: faults.length });
      },
    ],
    [
      'GET',
      /^\/__emulator\/conversations$/,
      async (_req, res) => json(res, 200, Object.fromEntries(conversations)),
    ],
    [
      'GET',
      /^\/$/,
      async (_req, res) => {
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': "default-src 'self' 'unsafe-inline'",
        });
        res.end(CHAT_PAGE);
      },
    ],
  ];

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const route = routes.find(([method, pattern]) => method === request.method && pattern.test(path));
    if (route === undefined) return graphError(response, 404, 803, 'Unknown path components');
    route[2](request, response, route[1].exec(path)?.slice(0) ?? []).catch((error: unknown) => {
      if (!response.headersSent) json(response, 502, { error: { message: String(error) } });
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${options.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function json(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** An error body shaped like the Graph API's. */
function graphError(
  response: ServerResponse,
  status: number,
  code: number,
  message: string,
  subcode?: number,
): void {
  json(response, status, {
    error: {
      message,
      type: code === 190 ? 'OAuthException' : 'GraphMethodException',
      code,
      ...(subcode !== undefined && { error_subcode: subcode }),
      fbtrace_id: randomUUID().replaceAll('-', '').slice(0, 11),
    },
  });
}
