import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { metaSignature } from '../shared/domain/verify-meta-signature.ts';
import { CHAT_PAGE } from './emulator-chat-page.ts';
import { foreignRequestReason } from './loopback-guard.ts';
import { type WhatsAppEmulatorOptions, whatsappEmulator } from './whatsapp-emulator.ts';

// A stand-in for Meta's Graph API and for people using Messenger (docs/contract.md#emulator): Vigil sends to its
// Send API; tests and developers play customers through its /__emulator endpoints, which post
// signed webhook events to Vigil exactly as Meta would.

/** Message tags Meta retired in April 2026: sending one is error 100. */
const RETIRED_TAGS = new Set(['ACCOUNT_UPDATE', 'CONFIRMED_EVENT_UPDATE', 'POST_PURCHASE_UPDATE']);
const MESSAGING_TYPES = new Set(['RESPONSE', 'UPDATE', 'MESSAGE_TAG', 'UTILITY']);
/** Template component types as the Send API spells them (lower case; `BODY` is for creating one). */
const TEMPLATE_COMPONENT_TYPES = new Set(['header', 'body', 'buttons']);
/** How long after a person's last message a RESPONSE still counts as the reply to it. */
export const DEFAULT_REPLY_WINDOW_MS = 60_000;

export interface EmulatorOptions {
  readonly port: number;
  readonly pageId: string;
  readonly pageAccessToken: string;
  readonly appSecret: string;
  /** Vigil's webhook, where customer events are posted. */
  readonly webhookUrl: string;
  /**
   * The strict reading of `messaging_type: RESPONSE` ("a reply to a received message"): it is
   * accepted only this long after the person's last message, postback or referral that went
   * through the emulator; a proactive message must be UPDATE. Default 60 s.
   */
  readonly replyWindowMs?: number;
  /** The WhatsApp Cloud API too, for these phone numbers (docs/channels.md, "The emulator"). */
  readonly whatsapp?: WhatsAppEmulatorOptions;
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
  /** When each person last wrote, tapped or opened a link: what a RESPONSE can answer. */
  const lastInbound = new Map<string, number>();
  const replyWindowMs = options.replyWindowMs ?? DEFAULT_REPLY_WINDOW_MS;
  // WhatsApp conversations are listed beside Messenger's, as `whatsapp:<waId>`.
  const whatsapp =
    options.whatsapp &&
    whatsappEmulator(options.whatsapp, (waId, entry) => note(`whatsapp:${waId}`, entry), { readJson, json });

  const sendApi = async (
    request: IncomingMessage,
    response: ServerResponse,
    graphApiVersion: string,
    pageId: string,
  ) => {
    const body = await readJson(request);
    const query = new URL(request.url ?? '', 'http://x').searchParams;
    const token = request.headers.authorization?.replace(/^Bearer /, '') ?? query.get('access_token');
    if (token !== options.pageAccessToken)
      return graphError(response, 401, 190, 'Invalid OAuth access token.');
    // The app requires the app secret ("Require App Secret"), as Meta recommends.
    const proof = query.get('appsecret_proof') ?? body?.appsecret_proof;
    if (typeof proof !== 'string' || proof === '')
      return graphError(response, 400, 100, 'API calls from the server require an appsecret_proof argument');
    if (proof !== createHmac('sha256', options.appSecret).update(token).digest('hex'))
      return graphError(response, 400, 100, 'Invalid appsecret_proof provided in the API argument');
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
    const problem = messagingTypeProblem(String(body?.messaging_type), message, lastInbound.get(recipient));
    if (problem !== undefined) return graphError(response, 400, 100, problem);
    const list = received.get(recipient) ?? [];
    list.push({ receivedAt: new Date().toISOString(), graphApiVersion, ...body });
    received.set(recipient, list);
    note(recipient, chatEntryOf(message));
    json(response, 200, { recipient_id: recipient, message_id: `m_${randomUUID()}` });
  };

  /** What a strict reading of Meta's messaging types refuses: a proactive RESPONSE, a misplaced template. */
  const messagingTypeProblem = (
    messagingType: string,
    message: Record<string, unknown>,
    inboundAt: number | undefined,
  ): string | undefined => {
    if (messagingType === 'UTILITY') return templateProblem(message.template);
    if (message.template !== undefined) return '(#100) A utility template needs messaging_type UTILITY';
    if (messagingType === 'RESPONSE' && (inboundAt === undefined || Date.now() - inboundAt > replyWindowMs)) {
      return '(#100) messaging_type RESPONSE is for replies to a message the person sent; use UPDATE for a message the page sends on its own';
    }
    return undefined;
  };

  /** Posts a signed payload to Vigil's webhook as Meta would, noting who wrote (for RESPONSE). */
  const post = async (payload: string) => {
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

  /** Posts a messaging event from the user to Vigil's webhook, signed like Meta's. */
  const deliver = async (psid: string, event: Record<string, unknown>, shown: string) => {
    note(psid, { from: 'user', text: shown, at: new Date().toISOString() });
    lastInbound.set(psid, Date.now());
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
    return post(payload);
  };

  /** A whole webhook payload, as given (Meta's reference examples, batches), signed and posted. */
  const deliverRaw = async (payload: unknown) => {
    for (const psid of peopleWhoWrote(payload)) lastInbound.set(psid, Date.now());
    return post(JSON.stringify(payload));
  };

  const routes: [
    string,
    RegExp,
    (request: IncomingMessage, response: ServerResponse, match: string[]) => Promise<void>,
  ][] = [
    [
      'POST',
      /^\/(v\d+\.\d+)\/([^/]+)\/messages$/,
      (req, res, m) =>
        whatsapp?.serves(m[2] ?? '')
          ? whatsapp.send(req, res, m[1] ?? '', m[2] ?? '')
          : sendApi(req, res, m[1] ?? '', m[2] ?? ''),
    ],
    ...(whatsapp?.routes ?? []),
    [
      'POST',
      /^\/__emulator\/webhook$/,
      async (req, res) => json(res, 200, await deliverRaw((await readJson(req)) ?? {})),
    ],
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
          // No other page may frame it (clickjacking its buttons).
          'content-security-policy': "default-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        });
        res.end(CHAT_PAGE);
      },
    ],
  ];

  const server = createServer((request, response) => {
    // The chat page's own fetches come from this origin; anything else is a foreign page.
    const refused = foreignRequestReason(request.headers, options.port);
    if (refused !== undefined) {
      request.resume();
      return json(response, 403, { error: { message: `The emulator refuses a ${refused}.` } });
    }
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

/** The senders of a payload's messages, postbacks and referrals (not echoes, not standby). */
function peopleWhoWrote(payload: unknown): string[] {
  const entries = (payload as { entry?: unknown })?.entry;
  if (!Array.isArray(entries)) return [];
  return entries.flatMap((entry) => {
    const items = (entry as { messaging?: unknown } | null)?.messaging;
    if (!Array.isArray(items)) return [];
    return items.flatMap((item) => {
      const event = item as {
        sender?: { id?: unknown };
        message?: { is_echo?: unknown };
        postback?: unknown;
        referral?: unknown;
      } | null;
      const wrote =
        (event?.message !== undefined && event.message.is_echo !== true) ||
        event?.postback !== undefined ||
        event?.referral !== undefined;
      return wrote && typeof event?.sender?.id === 'string' ? [event.sender.id] : [];
    });
  });
}

/** A utility template as the Send API takes it: name, language.code, lower-case components. */
function templateProblem(template: unknown): string | undefined {
  const t = template as { name?: unknown; language?: { code?: unknown }; components?: unknown } | undefined;
  if (t === undefined || typeof t !== 'object' || t === null)
    return '(#100) messaging_type UTILITY needs message.template';
  if (typeof t.name !== 'string' || typeof t.language?.code !== 'string')
    return '(#100) The template needs a name and language.code';
  if (!Array.isArray(t.components)) return '(#100) The template needs components';
  for (const component of t.components as { type?: unknown; parameters?: unknown }[]) {
    if (!TEMPLATE_COMPONENT_TYPES.has(String(component?.type)))
      return `(#100) Invalid template component type: ${String(component?.type)}`;
    if (component.type !== 'body') continue;
    const parameters = Array.isArray(component.parameters) ? component.parameters : [];
    for (const parameter of parameters as { type?: unknown; text?: unknown }[]) {
      if (parameter?.type !== 'text' || typeof parameter.text !== 'string')
        return '(#100) A body parameter is {"type": "text", "text": "..."}';
    }
  }
  return undefined;
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
