import type { ChannelName } from '../ports/channel.ts';
import { type Command, commandOf } from './commands.ts';
import { CONTROL_ACTIONS } from './customer-controls.ts';

/**
 * What a customer did, in Vigil's own terms, whatever the channel (docs/channels.md): each
 * channel's adapter turns its webhook items into these, and one conversation handles them.
 */
export type CustomerAction =
  /** Opened the bank's enrollment link (Messenger's m.me `ref`, WhatsApp's prefilled text). */
  | { readonly type: 'opened_link'; readonly token: string }
  | { readonly type: 'agreed'; readonly enrollmentId: string }
  | { readonly type: 'declined'; readonly enrollmentId: string }
  /** Yes / No to a fraud check, by its opaque ref. */
  | { readonly type: 'answered'; readonly ref: string; readonly answer: 'confirmed' | 'disputed' }
  /** A quick reply of the customer's own controls (TRAVEL, ALERTS OVER, SETTINGS). */
  | { readonly type: 'control'; readonly action: string; readonly argument: string }
  /** Messenger's Get Started button: the help text. */
  | { readonly type: 'get_started' }
  /** STOP, START or HELP, in any of their usual forms. */
  | { readonly type: 'command'; readonly command: Command }
  /** Anything else written: a control command (TRAVEL...) or not understood. */
  | { readonly type: 'text'; readonly text: string };

export interface ChannelEvent {
  readonly channel: ChannelName;
  /** The customer's address on the channel: personal data, never logged. */
  readonly address: string;
  /** The business identity it was written to, when the channel has several (a phone number id). */
  readonly via?: string;
  /** Deduplicates redeliveries: the platform's message id, or a hash without personal data. */
  readonly key: string;
  /** When the customer wrote: opens the channel's window. */
  readonly at: Date;
  readonly action: CustomerAction;
}

/** The action a button or quick-reply payload stands for; undefined for one Vigil never sent. */
export function actionOfPayload(payload: string): CustomerAction | undefined {
  const [action = '', argument = ''] = payload.split(':', 2);
  if ((CONTROL_ACTIONS as readonly string[]).includes(action)) return { type: 'control', action, argument };
  switch (action) {
    case 'CONSENT_AGREE':
      return { type: 'agreed', enrollmentId: argument };
    case 'CONSENT_DECLINE':
      return { type: 'declined', enrollmentId: argument };
    case 'ALERT_YES':
      return { type: 'answered', ref: argument, answer: 'confirmed' };
    case 'ALERT_NO':
      return { type: 'answered', ref: argument, answer: 'disputed' };
    case 'GET_STARTED':
      return { type: 'get_started' };
    default:
      return undefined;
  }
}

/** The action of a written text: a command, or text. */
export function actionOfText(text: string): CustomerAction {
  const command = commandOf(text);
  return command === undefined ? { type: 'text', text } : { type: 'command', command };
}
