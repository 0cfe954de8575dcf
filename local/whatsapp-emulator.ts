import { createHmac, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { metaSignature } from '../shared/domain/verify-meta-signature.ts';

// The WhatsApp side of the emulator (docs/channels.md, "The emulator"): the Cloud API's
// `POST /{version}/{phone-number-id}/messages`, checked as Meta checks it (token, appsecret_proof,
// body, the 24 h customer service window), and people using WhatsApp through
// /__emulator/whatsapp/..., whose messages and message statuses are posted, signed, to Vigil's
// WhatsApp webhook.

/** The customer service window: free-form messages only this long after the person wrote. */
export const CUSTOMER_SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;
const STATUSES = new Set(['sent', 'delivered', 'read', 'failed']);

export interface WhatsAppEmulatorOptions {
  /** The banks' phone number ids the emulated business account owns. */
  readonly phoneNumberIds: readonly string[];
  readonly accessToken: string;
  readonly appSecret: string;
  /** Vigil's WhatsApp webhook. */
  readonly webhookUrl: string;
}

/** One line of a conversation on the chat page. */
export interface WhatsAppChatEntry {
  readonly from: 'page' | 'user';
  readonly text: string;
  readonly at: string;
  readonly quickReplies?: readonly { readonly title: string; readonly payload: string }[];
}

type Handler = (request: IncomingMessage, response: ServerResponse, match: string[]) => Promise<void>;
type Json = Record<string, unknown>;

interface Sent {
  readonly waId: string;
  readonly phoneNumberId: string;
  readonly opaque?: string;
  readonly body: Json;
}

export function whatsappEmulator(
  options: WhatsAppEmulatorOptions,
  note: (waId: string, entry: WhatsAppChatEntry) => void,
  io: {
    readJson(request: IncomingMessage): Promise<Json | undefined>;
    json(response: ServerResponse, status: number, body: unknown): void;
  },
) {
  /** The send bodies each person received, oldest first. */
  const received = new Map<string, Json[]>();
  const sent = new Map<string, Sent>();
  const lastInbound = new Map<string, number>();
  const error = (response: ServerResponse, status: number, code: number, message: string) =>
    io.json(response, status, {
      error: {
        message,
        type: code === 190 ? 'OAuthException' : 'OAuthException',
        code,
        fbtrace_id: randomUUID().replaceAll('-', '').slice(0, 11),
      },
    });

  const send = async (
    request: IncomingMessage,
    response: ServerResponse,
    version: string,
    phoneNumberId: string,
  ) => {
    const body = await io.readJson(request);
    const query = new URL(request.url ?? '', 'http://x').searchParams;
    const token = request.headers.authorization?.replace(/^Bearer /, '') ?? query.get('access_token');
    if (token !== options.accessToken) return error(response, 401, 190, 'Invalid OAuth access token.');
    const proof = query.get('appsecret_proof');
    if (proof !== createHmac('sha256', options.appSecret).update(token).digest('hex')) {
      return error(response, 400, 100, 'Invalid appsecret_proof provided in the API argument');
    }
    if (body?.messaging_product !== 'whatsapp') {
      return error(response, 400, 100, 'The parameter messaging_product is required and must be whatsapp');
    }
    const to = body.to;
    if (typeof to !== 'string' || !/^\d{5,20}$/.test(to))
      return error(response, 400, 100, 'Invalid parameter: to');
    const problem = bodyProblem(body);
    if (problem !== undefined) return error(response, 400, 100, problem);
    const wrote = lastInbound.get(to);
    if (
      body.type !== 'template' &&
      (wrote === undefined || Date.now() - wrote > CUSTOMER_SERVICE_WINDOW_MS)
    ) {
      return error(
        response,
        400,
        131047,
        'Re-engagement message: more than 24 hours have passed since the recipient last replied',
      );
    }
    const id = `wamid.${Buffer.from(randomUUID()).toString('base64url')}`;
    const opaque =
      typeof body.biz_opaque_callback_data === 'string' ? body.biz_opaque_callback_data : undefined;
    sent.set(id, { waId: to, phoneNumberId, body, ...(opaque !== undefined && { opaque }) });
    received.set(to, [
      ...(received.get(to) ?? []),
      { receivedAt: new Date().toISOString(), graphApiVersion: version, ...body },
    ]);
    note(to, chatEntryOf(body));
    io.json(response, 200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: to, wa_id: to }],
      messages: [{ id }],
    });
  };

  const post = async (value: Json, phoneNumberId: string) => {
    const payload = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '102290129340398',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: phoneNumberId, phone_number_id: phoneNumberId },
                ...value,
              },
            },
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
    return answer.status;
  };

  /** The person writes, or taps a reply button (interactive) or a template's quick-reply button. */
  const write: Handler = async (request, response, match) => {
    const waId = decodeURIComponent(match[1] ?? '');
    if (!/^\d{5,20}$/.test(waId))
      return io.json(response, 400, { error: { message: 'waId is digits only' } });
    const { text, buttonReplyId, phoneNumberId } = (await io.readJson(request)) ?? {};
    if (typeof text !== 'string' && typeof buttonReplyId !== 'string') {
      return io.json(response, 400, { error: { message: 'Give "text" or "buttonReplyId".' } });
    }
    const last = [...sent.values()].filter((s) => s.waId === waId).at(-1);
    const from =
      typeof phoneNumberId === 'string'
        ? phoneNumberId
        : (last?.phoneNumberId ?? options.phoneNumberIds[0] ?? '');
    const id = `wamid.${Buffer.from(randomUUID()).toString('base64url')}`;
    const base = { from: waId, id, timestamp: String(Math.floor(Date.now() / 1000)) };
    let message: Json;
    let shown: string;
    if (typeof buttonReplyId === 'string') {
      const button = buttonsOf(last?.body).find((b) => b.payload === buttonReplyId);
      shown = button?.title ?? buttonReplyId;
      message =
        last?.body.type === 'template'
          ? { ...base, type: 'button', button: { payload: buttonReplyId, text: shown } }
          : {
              ...base,
              type: 'interactive',
              interactive: { type: 'button_reply', button_reply: { id: buttonReplyId, title: shown } },
            };
    } else {
      shown = String(text);
      message = { ...base, type: 'text', text: { body: text } };
    }
    note(waId, { from: 'user', text: shown, at: new Date().toISOString() });
    lastInbound.set(waId, Date.now());
    const webhookStatus = await post(
      { contacts: [{ profile: { name: 'Emulated user' }, wa_id: waId }], messages: [message] },
      from,
    );
    io.json(response, 200, { messageId: id, webhookStatus });
  };

  /** A status of a message Vigil sent: `{"messageId"?, "waId"?, "status", "errorCode"?}`. */
  const status: Handler = async (request, response) => {
    const { messageId, waId, status: state, errorCode } = (await io.readJson(request)) ?? {};
    if (typeof state !== 'string' || !STATUSES.has(state)) {
      return io.json(response, 400, { error: { message: 'status is sent, delivered, read or failed' } });
    }
    const id =
      typeof messageId === 'string'
        ? messageId
        : [...sent.entries()].filter(([, s]) => s.waId === waId).at(-1)?.[0];
    const message = id === undefined ? undefined : sent.get(id);
    if (id === undefined || message === undefined) {
      return io.json(response, 404, { error: { message: 'No such message sent' } });
    }
    const webhookStatus = await post(
      {
        statuses: [
          {
            id,
            status: state,
            timestamp: String(Math.floor(Date.now() / 1000)),
            recipient_id: message.waId,
            ...(message.opaque !== undefined && { biz_opaque_callback_data: message.opaque }),
            ...(state === 'failed' && {
              errors: [
                { code: typeof errorCode === 'number' ? errorCode : 131026, title: 'Message undeliverable' },
              ],
            }),
          },
        ],
      },
      message.phoneNumberId,
    );
    io.json(response, 200, { messageId: id, webhookStatus });
  };

  const routes: [string, RegExp, Handler][] = [
    ['POST', /^\/__emulator\/whatsapp\/users\/([^/]+)\/messages$/, write],
    ['POST', /^\/__emulator\/whatsapp\/statuses$/, status],
    [
      'GET',
      /^\/__emulator\/whatsapp\/messages$/,
      async (request, response) => {
        const waId = new URL(request.url ?? '', 'http://x').searchParams.get('waId');
        io.json(response, 200, waId === null ? Object.fromEntries(received) : (received.get(waId) ?? []));
      },
    ],
  ];

  return {
    /** True when the Graph id is one of the business's phone numbers (not the Facebook page). */
    serves: (id: string) => options.phoneNumberIds.includes(id),
    send,
    routes,
  };
}

/** What the Cloud API refuses in a body: a type it does not know, or one not shaped as Meta's reference says. */
function bodyProblem(body: Json): string | undefined {
  switch (body.type) {
    case 'text': {
      const text = body.text as { body?: unknown } | undefined;
      return typeof text?.body === 'string' && text.body.length <= 4096
        ? undefined
        : 'text.body is required (at most 4096 characters)';
    }
    case 'interactive': {
      const interactive = body.interactive as
        | {
            type?: unknown;
            body?: { text?: unknown };
            action?: { buttons?: unknown; sections?: unknown; button?: unknown };
          }
        | undefined;
      if (typeof interactive?.body?.text !== 'string' || interactive.body.text.length > 1024) {
        return 'interactive.body.text is required (at most 1024 characters)';
      }
      if (interactive.type === 'button') {
        const buttons = Array.isArray(interactive.action?.buttons)
          ? (interactive.action.buttons as Json[])
          : [];
        if (buttons.length < 1 || buttons.length > 3)
          return 'An interactive button message has 1 to 3 buttons';
        for (const button of buttons) {
          const reply = button.reply as { id?: unknown; title?: unknown } | undefined;
          if (button.type !== 'reply' || typeof reply?.id !== 'string' || typeof reply.title !== 'string') {
            return 'A button is {"type": "reply", "reply": {"id", "title"}}';
          }
          if ([...reply.title].length > 20) return 'A button title has at most 20 characters';
        }
        return undefined;
      }
      if (interactive.type === 'list') {
        const sections = Array.isArray(interactive.action?.sections)
          ? (interactive.action.sections as Json[])
          : [];
        const rows = sections.flatMap((s) => (Array.isArray(s.rows) ? (s.rows as Json[]) : []));
        if (typeof interactive.action?.button !== 'string' || rows.length < 1 || rows.length > 10) {
          return 'A list message has a button label and 1 to 10 rows';
        }
        return rows.every(
          (r) => typeof r.id === 'string' && typeof r.title === 'string' && [...r.title].length <= 24,
        )
          ? undefined
          : 'A row is {"id", "title"} with a title of at most 24 characters';
      }
      return 'interactive.type must be button or list';
    }
    case 'template': {
      const template = body.template as
        | { name?: unknown; language?: { code?: unknown }; components?: unknown }
        | undefined;
      if (typeof template?.name !== 'string' || typeof template.language?.code !== 'string') {
        return 'The template needs a name and language.code';
      }
      for (const component of Array.isArray(template.components) ? (template.components as Json[]) : []) {
        const parameters = Array.isArray(component.parameters) ? (component.parameters as Json[]) : [];
        if (component.type === 'body') {
          if (!parameters.every((p) => p.type === 'text' && typeof p.text === 'string')) {
            return 'A body parameter is {"type": "text", "text": "..."}';
          }
        } else if (component.type === 'button') {
          if (component.sub_type !== 'quick_reply' || typeof component.index !== 'string') {
            return 'A button component needs sub_type quick_reply and a string index';
          }
          if (!parameters.every((p) => p.type === 'payload' && typeof p.payload === 'string')) {
            return 'A quick-reply button parameter is {"type": "payload", "payload": "..."}';
          }
        } else if (component.type !== 'header') {
          return `Invalid template component type: ${String(component.type)}`;
        }
      }
      return undefined;
    }
    default:
      return `Unsupported message type: ${String(body.type)}`;
  }
}

/** The answers a sent message offers: its reply buttons or rows, or its template's quick-reply buttons. */
function buttonsOf(body: Json | undefined): { title: string; payload: string }[] {
  if (body === undefined) return [];
  if (body.type === 'template') {
    const components = ((body.template as { components?: Json[] } | undefined)?.components ?? []) as Json[];
    return components
      .filter((c) => c.type === 'button')
      .map((c) => {
        const payload = String(
          ((c.parameters as Json[] | undefined)?.[0] as { payload?: unknown } | undefined)?.payload ?? '',
        );
        // The approved template's labels live at Meta; the emulator names the answers Vigil sends.
        const title = payload.startsWith('ALERT_YES')
          ? 'Yes'
          : payload.startsWith('ALERT_NO')
            ? 'No'
            : payload;
        return { title, payload };
      });
  }
  const interactive = body.interactive as { action?: { buttons?: Json[]; sections?: Json[] } } | undefined;
  const buttons = (interactive?.action?.buttons ?? []).map((b) => b.reply as { id: string; title: string });
  const rows = (interactive?.action?.sections ?? []).flatMap(
    (s) => (s.rows as { id: string; title: string }[]) ?? [],
  );
  return [...buttons, ...rows].map(({ id, title }) => ({ title, payload: id }));
}

function chatEntryOf(body: Json): WhatsAppChatEntry {
  const at = new Date().toISOString();
  const replies = buttonsOf(body);
  let text: string;
  if (body.type === 'text') text = String((body.text as { body?: unknown }).body);
  else if (body.type === 'interactive')
    text = String((body.interactive as { body: { text: unknown } }).body.text);
  else {
    const template = body.template as { name?: string; components?: Json[] };
    const values = (
      (template.components?.find((c) => c.type === 'body')?.parameters ?? []) as { text?: string }[]
    ).map((p) => p.text);
    text = `[utility template ${template.name ?? ''}: ${values.join(' · ')}]`;
  }
  return { from: 'page', text, at, ...(replies.length > 0 && { quickReplies: replies }) };
}
