import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { UNSAFE_TEXT_CHARACTERS } from '../shared/domain/bank-event.ts';
import {
  MAX_BANK_NAME_LENGTH,
  MAX_MESSAGES_PER_HOUR,
  type TemplateParameter,
  type UtilityTemplate,
  type WhatsAppSettings,
} from '../shared/domain/bank-profile.ts';
import { CHANNEL_NAMES, type ChannelName } from '../shared/ports/channel.ts';
import { CliError } from './cli-error.ts';

// The bank settings `vigil banks add` and `vigil banks update` take, checked the same way for both.

export const TEMPLATE_PARAMETERS: readonly TemplateParameter[] = [
  'bankName',
  'cardLast4',
  'amount',
  'merchant',
  'time',
];

/** The longest alert expiry: a customer's answer after a day no longer helps the bank. */
export const MAX_ALERT_EXPIRY_MINUTES = 1440;

export function bankName(value: string): string {
  const name = value.trim();
  // Capped so that every message naming the bank stays within Messenger's limits.
  if (name === '' || [...name].length > MAX_BANK_NAME_LENGTH || UNSAFE_TEXT_CHARACTERS.test(name)) {
    throw new CliError(
      `--name is the name customers see (e.g. "ACME Bank"): 1 to ${MAX_BANK_NAME_LENGTH} characters, without control, format or bidirectional characters.`,
      2,
    );
  }
  return name;
}

export function callbackUrl(value: string): string {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new CliError(
      `--callback-url must be an https:// URL (http:// for a local receiver), not ${JSON.stringify(value)}.`,
      2,
    );
  }
  return value;
}

export function timeZone(value: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    throw new CliError(
      `--time-zone must be an IANA time zone such as Europe/Paris or UTC, not ${JSON.stringify(value)}.`,
      2,
    );
  }
}

export function maxMessagesPerHour(value: string): number {
  const count = Number(value);
  if (!/^\d+$/.test(value) || count < 1 || count > MAX_MESSAGES_PER_HOUR) {
    throw new CliError(
      `--max-messages-per-hour must be a whole number from 1 to ${MAX_MESSAGES_PER_HOUR}, not ${JSON.stringify(value)}.`,
      2,
    );
  }
  return count;
}

export function alertExpiryMinutes(value: string): number {
  const minutes = Number(value);
  if (!/^\d+$/.test(value) || minutes < 1 || minutes > MAX_ALERT_EXPIRY_MINUTES) {
    throw new CliError(
      `--alert-expiry-minutes must be a whole number of minutes from 1 to ${MAX_ALERT_EXPIRY_MINUTES}, not ${JSON.stringify(value)}.`,
      2,
    );
  }
  return minutes;
}

/** `name:language:param,param` → a utility template setting (`banks add --template`). */
export function templateFromText(value: string): UtilityTemplate {
  const [name, language, parameters] = value.split(':');
  return parseTemplate(
    { name, language, parameters: (parameters ?? '').split(',').filter((item) => item !== '') },
    `--template is name:language:params, params among ${TEMPLATE_PARAMETERS.join(',')}`,
  );
}

const templateSchema = z.object({
  name: z.string().regex(/^[a-z0-9_]{1,512}$/),
  language: z.string().regex(/^[a-z]{2,3}(?:_[A-Z]{2})?$/),
  parameters: z.array(z.enum(TEMPLATE_PARAMETERS as [TemplateParameter, ...TemplateParameter[]])),
});

/** The parsed JSON of a settings file, or a clear error if it cannot be read or is not JSON. */
async function jsonFile(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new CliError(`Cannot read ${file}.`, 2);
  });
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`${file} is not JSON.`, 2);
  }
}

/**
 * A JSON file `{"name", "language", "parameters"}` → a utility template setting
 * (`banks update --utility-template FILE`); `none` removes the bank's template.
 */
export async function templateFromFile(file: string): Promise<UtilityTemplate | null> {
  if (file === 'none') return null;
  const value = await jsonFile(file);
  return parseTemplate(
    value,
    `${file} must be {"name": "fraud_alert", "language": "en_US", "parameters": [...]}, parameters among ${TEMPLATE_PARAMETERS.join(', ')}`,
  );
}

/** `messenger,whatsapp` → the channels the bank offers, in its order (`banks update --channels`). */
export function channels(value: string): ChannelName[] {
  const names = value.split(',').map((name) => name.trim());
  const known = names.every((name): name is ChannelName =>
    (CHANNEL_NAMES as readonly string[]).includes(name),
  );
  if (!known || names.length === 0 || new Set(names).size !== names.length) {
    throw new CliError(
      `--channels is a comma-separated list of ${CHANNEL_NAMES.join(', ')}, each at most once, not ${JSON.stringify(value)}.`,
      2,
    );
  }
  return names as ChannelName[];
}

const whatsappSchema = z.strictObject({
  phoneNumberId: z.string().regex(/^\d{5,20}$/),
  displayNumber: z.string().regex(/^[1-9]\d{6,14}$/),
  template: templateSchema.optional(),
});

/**
 * A JSON file `{"phoneNumberId", "displayNumber", "template"?}` → the bank's WhatsApp number
 * (`banks update --whatsapp FILE`); `none` removes it. The template is the approved utility
 * template with two quick-reply buttons, Yes then No.
 */
export async function whatsappFromFile(file: string): Promise<WhatsAppSettings | null> {
  if (file === 'none') return null;
  const value = await jsonFile(file);
  const result = whatsappSchema.safeParse(value);
  if (!result.success) {
    const where = result.error.issues[0]?.path.join('.') || '(the whole file)';
    throw new CliError(
      `${file} must be {"phoneNumberId": "<the Cloud API's id of the number>", "displayNumber": "<the number with its country code, digits only>", "template"?: {"name", "language", "parameters": [...]}}, parameters among ${TEMPLATE_PARAMETERS.join(', ')}; wrong: ${where}.`,
      2,
    );
  }
  const { template, ...number } = result.data;
  return { ...number, ...(template !== undefined && { template }) };
}

function parseTemplate(value: unknown, usage: string): UtilityTemplate {
  const result = templateSchema.safeParse(value);
  if (!result.success) {
    const problem = result.error.issues[0];
    const where = problem === undefined || problem.path.length === 0 ? '' : ` (${problem.path.join('.')})`;
    throw new CliError(
      `${usage}: the template name is lower-case letters, digits and _, the language like en_US${where}.`,
      2,
    );
  }
  return result.data;
}
