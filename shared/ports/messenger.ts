import type { OutgoingMessage } from '../domain/render-message.ts';

export type SendRequest =
  | {
      readonly psid: string;
      /**
       * RESPONSE: a reply to a message the person just sent. UPDATE: a message the page sends
       * on its own initiative (an alert) inside the 24 h window.
       */
      readonly messagingType: 'RESPONSE' | 'UPDATE';
      readonly message: OutgoingMessage;
    }
  | {
      readonly psid: string;
      /** UTILITY: the bank's approved template, outside the window. */
      readonly messagingType: 'UTILITY';
      readonly template: {
        readonly name: string;
        readonly language: string;
        readonly parameters: readonly string[];
      };
    };

/** Messenger's Send API. */
export interface Messenger {
  send(request: SendRequest): Promise<{ readonly messageId: string }>;
}

export { SendApiError } from './channel.ts';
