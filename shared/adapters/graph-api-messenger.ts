import { createHmac } from 'node:crypto';
import type { OutgoingMessage } from '../domain/render-message.ts';
import { type Messenger, SendApiError, type SendRequest } from '../ports/messenger.ts';

/**
 * Graph API error codes worth another try (docs/contract.md#alerts): 1 unknown, 2 service, 4 app rate limit,
 * 9 and 32 page rate limits, 613 calls within one hour exceeded, 80006 Messenger rate limit.
 * Anything else (user unavailable, outside the window, invalid parameter, bad token) is final.
 */
const TRANSIENT_CODES = new Set([1, 2, 4, 9, 32, 613, 80006]);

/**
 * The Graph API version used unless the stage (cdk.json `graphApiVersion`) or local mode
 * (`GRAPH_API_VERSION`) names another: the newest one when this was written (v27.0, released
 * 2026-11-04, per Meta's Graph API changelog).
 */
export const CURRENT_GRAPH_API_VERSION = 'v27.0';

export interface GraphApiSettings {
  /** https://graph.facebook.com in AWS; the emulator's URL in local mode. */
  readonly baseUrl: string;
  /** e.g. v27.0 */
  readonly version: string;
  readonly pageId: string;
  readonly timeoutMs?: number;
}

export interface GraphApiCredentials {
  readonly pageAccessToken: string;
  /** Signs every call (appsecret_proof), as an app with "Require App Secret" on demands. */
  readonly appSecret: string;
}

/**
 * Meta's `appsecret_proof` ("Securing Graph API requests"): HMAC-SHA256 of the access token,
 * keyed with the app secret, in lower-case hex.
 */
export function appSecretProof(accessToken: string, appSecret: string): string {
  return createHmac('sha256', appSecret).update(accessToken).digest('hex');
}

/** The Send API: `POST /{version}/{page-id}/messages` with the page access token and its proof. */
export class GraphApiMessenger implements Messenger {
  constructor(
    private readonly settings: GraphApiSettings,
    private readonly credentials: () => Promise<GraphApiCredentials>,
  ) {}

  async send(request: SendRequest): Promise<{ messageId: string }> {
    const { baseUrl, version, pageId, timeoutMs = 5000 } = this.settings;
    // Read first: a token that cannot be had (a placeholder) is no Send API failure to retry here.
    const { pageAccessToken, appSecret } = await this.credentials();
    const url = new URL(`${baseUrl}/${version}/${pageId}/messages`);
    url.searchParams.set('appsecret_proof', appSecretProof(pageAccessToken, appSecret));
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${pageAccessToken}`,
        },
        body: JSON.stringify(toGraphRequest(request)),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new SendApiError(`Send API unreachable: ${(error as Error).name}`, 0, undefined, undefined, true);
    }
    const body = (await response.json().catch(() => ({}))) as {
      message_id?: string;
      error?: { code?: number; error_subcode?: number; message?: string };
    };
    if (response.ok && typeof body.message_id === 'string') return { messageId: body.message_id };
    const { code, error_subcode: subcode, message = 'no error body' } = body.error ?? {};
    const transient =
      response.status >= 500 || response.status === 429 || (code !== undefined && TRANSIENT_CODES.has(code));
    throw new SendApiError(
      `Send API ${response.status}: ${message}`,
      response.status,
      code,
      subcode,
      transient,
    );
  }
}

/**
 * The Send API body. `messaging_type` as Meta's Send API reference defines it: RESPONSE for a
 * reply to a received message, UPDATE for a message the page sends on its own initiative inside
 * the 24 h window, UTILITY for a utility template. Never a message tag: Meta retired the update
 * tags in April 2026 (error 100).
 */
export function toGraphRequest(request: SendRequest): Record<string, unknown> {
  const recipient = { id: request.psid };
  if (request.messagingType !== 'UTILITY') {
    return { recipient, messaging_type: request.messagingType, message: toGraphMessage(request.message) };
  }
  // Utility message outside the 24 h window, per Meta's "Send a utility message" page
  // (https://developers.facebook.com/documentation/business-messaging/messenger-platform/send-messages/utility-messages,
  // updated 2026-03-13): messaging_type UTILITY and message.template {name, language.code,
  // components: [{type: "body", parameters: [{type: "text", text}]}]}, the parameters in the
  // order of the template's {{1}}, {{2}}... placeholders. The component type is lower-case
  // `body` when sending; the upper-case `BODY` belongs to creating a template.
  const { name, language, parameters } = request.template;
  return {
    recipient,
    messaging_type: 'UTILITY',
    message: {
      template: {
        name,
        language: { code: language },
        components: [{ type: 'body', parameters: parameters.map((text) => ({ type: 'text', text })) }],
      },
    },
  };
}

function toGraphMessage(message: OutgoingMessage): Record<string, unknown> {
  return {
    text: message.text,
    ...(message.quickReplies && {
      quick_replies: message.quickReplies.map(({ title, payload }) => ({
        content_type: 'text',
        title,
        payload,
      })),
    }),
  };
}
