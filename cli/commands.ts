import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DynamoDbAlertStore } from '../shared/adapters/dynamodb-alert-store.ts';
import { DynamoDbCustomerHistory } from '../shared/adapters/dynamodb-customer-history.ts';
import { DynamoDbRedriveStore } from '../shared/adapters/dynamodb-redrive-store.ts';
import type { BankKeyKind } from '../shared/adapters/secret-store-bank-secrets.ts';
import { bankIdPattern } from '../shared/domain/bank-event.ts';
import { InvalidCallbackUrlError, resolveCallbackUrl } from '../shared/domain/callback-url.ts';
import type { ClientError } from '../shared/domain/errors.ts';
import { redrive } from '../shared/domain/redrive.ts';
import { parseSourceAllowList } from '../shared/domain/source-allow-list.ts';
import type { ChannelName } from '../shared/ports/channel.ts';
import { systemClock } from '../shared/ports/clock.ts';
import { formatReport, runBacktest } from './backtest.ts';
import { type BankResponse, callBankApi } from './bank-client.ts';
import * as settings from './bank-settings.ts';
import { CliError } from './cli-error.ts';
import { migrate } from './migrate.ts';
import type { Target } from './target.ts';
import { verifyCapturedRequest } from './verify-request.ts';

export type Options = Readonly<Record<string, string | boolean | undefined>>;

export interface Command {
  /** The words that name it: `events send`. */
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  /** Positional arguments after the name, in order. */
  readonly arguments: readonly string[];
  /** Runs without local mode or a stage: no target is made for it. */
  readonly offline?: boolean;
  run(args: Readonly<Record<string, string>>, options: Options, target: Target): Promise<BankResponse>;
}

async function readJsonFile(file: unknown): Promise<Buffer> {
  if (typeof file !== 'string') throw new CliError('--file is required.', 2);
  const content = await readFile(file).catch(() => {
    throw new CliError(`Cannot read ${file}.`, 2);
  });
  try {
    JSON.parse(content.toString('utf8'));
  } catch {
    throw new CliError(`${file} is not JSON.`, 2);
  }
  return content;
}

interface ChannelSetup {
  readonly channel: ChannelName;
  /** What Meta subscribes with the callback URL and verify token. */
  readonly webhookOwner: string;
  /** The channel's access token: its option, environment variable and field in the secret. */
  readonly token: {
    readonly option: string;
    readonly variable: string;
    readonly field: string;
    readonly description: string;
    readonly whereShown: string;
  };
  readonly appSecretVariable: string;
}

/**
 * `<channel> show-verify-token` and `<channel> set-secrets`: the same for Messenger and WhatsApp
 * but for the names of the token, its option and the variables (docs/operator-guide.md).
 */
function channelSetupCommands({ channel, webhookOwner, token, appSecretVariable }: ChannelSetup): Command[] {
  const nothingToSet = `Nothing to set: give --${token.option} and/or --app-secret (or ${token.variable}, ${appSecretVariable}).`;
  return [
    {
      name: `${channel} show-verify-token`,
      usage: `${channel} show-verify-token`,
      summary: `Show the webhook callback URL and verify token to give Meta for ${webhookOwner}`,
      arguments: [],
      async run(_args, _options, target) {
        return { status: 200, body: await target.channelWebhook(channel) };
      },
    },
    {
      name: `${channel} set-secrets`,
      usage: `${channel} set-secrets [--${token.option} T] [--app-secret S]`,
      summary: `Store the ${token.description} and app secret from Meta (or from $${token.variable}, $${appSecretVariable}); never printed`,
      arguments: [],
      async run(_args, options, target) {
        const given = (option: string, variable: string) =>
          typeof options[option] === 'string' ? options[option] : process.env[variable] || undefined;
        const accessToken = given(token.option, token.variable);
        const appSecret = given('app-secret', appSecretVariable);
        if (accessToken === undefined && appSecret === undefined) throw new CliError(nothingToSet, 2);
        if (accessToken !== undefined && !/^EA[A-Za-z0-9]{20,}$/.test(accessToken)) {
          throw new CliError(
            `The ${token.description} is ${token.whereShown}, starting with EA (letters and digits only).`,
            2,
          );
        }
        if (appSecret !== undefined && !/^[0-9a-f]{32}$/.test(appSecret)) {
          throw new CliError('The app secret is 32 hexadecimal characters (Meta app, Settings, Basic).', 2);
        }
        const result = await target.setChannelSecrets(channel, { [token.field]: accessToken, appSecret });
        return {
          status: 200,
          body: { ...result, note: 'Functions use the new values within 5 minutes (their cache).' },
        };
      },
    },
  ];
}

const thresholdsPath = (options: Options) =>
  typeof options.customer === 'string'
    ? `/customers/${encodeURIComponent(options.customer)}/thresholds`
    : '/thresholds';

export const commands: readonly Command[] = [
  {
    name: 'banks add',
    usage:
      'banks add <bankId> --name NAME --callback-url URL [--time-zone TZ] [--template NAME:LANG:PARAM,PARAM...] [--allowed-ips CIDR,CIDR...] [--client-cert-subject DN]',
    summary:
      'Register a bank: its event signing secret, administration key (and keyid) and callback secret (printed once) and its settings',
    arguments: ['bankId'],
    async run({ bankId = '' }, options, target) {
      if (!bankIdPattern.test(bankId)) {
        throw new CliError('A bank id is lower-case letters, digits and dashes.', 2);
      }
      if (typeof options.name !== 'string' || typeof options['callback-url'] !== 'string') {
        throw new CliError('--name and --callback-url are required.', 2);
      }
      // The settings that need no look-up first; the callback URL's host is resolved last.
      const name = settings.bankName(options.name);
      const timeZone =
        typeof options['time-zone'] === 'string' ? settings.timeZone(options['time-zone']) : undefined;
      const utilityTemplate =
        typeof options.template === 'string' ? settings.templateFromText(options.template) : undefined;
      const allowedSourceIps = allowList(options['allowed-ips']);
      const callbackUrl = await checkedCallbackUrl(settings.callbackUrl(options['callback-url']), target);
      const secrets = await target.addBank({
        bankId,
        name,
        callbackUrl,
        timeZone,
        utilityTemplate,
        allowedSourceIps,
        clientCertificateSubject:
          typeof options['client-cert-subject'] === 'string' ? options['client-cert-subject'] : undefined,
      });
      return { status: 201, body: { bankId, ...secrets } };
    },
  },
  {
    name: 'banks rotate-secret',
    usage: 'banks rotate-secret <bankId> [--key events|admin|callbacks]',
    summary:
      'Make a new key of that kind (default events; printed once); the old one stays valid until banks finish-rotation',
    arguments: ['bankId'],
    async run({ bankId = '' }, options, target) {
      const kind = keyKind(options.key);
      return { status: 200, body: { bankId, key: kind, ...(await target.rotateSecret(bankId, kind)) } };
    },
  },
  {
    name: 'banks finish-rotation',
    usage: 'banks finish-rotation <bankId> [--key events|admin|callbacks]',
    summary: 'Drop the previous key of that kind (default events): from now on only the new one is valid',
    arguments: ['bankId'],
    async run({ bankId = '' }, options, target) {
      const kind = keyKind(options.key);
      const dropped = await target.finishRotation(bankId, kind);
      return { status: 200, body: { bankId, key: kind, previousKeyDropped: dropped } };
    },
  },
  {
    name: 'banks update',
    usage:
      'banks update <bankId> [--name NAME] [--callback-url URL] [--alert-expiry-minutes N] [--max-messages-per-hour N] [--time-zone TZ] [--utility-template FILE|none] [--channels messenger,whatsapp] [--whatsapp FILE|none]',
    summary: 'Change a bank’s settings (only those given); functions see the change within a minute',
    arguments: ['bankId'],
    async run({ bankId = '' }, options, target) {
      const text = (key: string) => (typeof options[key] === 'string' ? options[key] : undefined);
      const changes = {
        name: mapDefined(text('name'), settings.bankName),
        callbackUrl: await mapDefined(text('callback-url'), (url) =>
          checkedCallbackUrl(settings.callbackUrl(url), target),
        ),
        alertExpiryMinutes: mapDefined(text('alert-expiry-minutes'), settings.alertExpiryMinutes),
        maxMessagesPerHour: mapDefined(text('max-messages-per-hour'), settings.maxMessagesPerHour),
        timeZone: mapDefined(text('time-zone'), settings.timeZone),
        utilityTemplate: await mapDefined(text('utility-template'), settings.templateFromFile),
        channels: mapDefined(text('channels'), settings.channels),
        whatsapp: await mapDefined(text('whatsapp'), settings.whatsappFromFile),
      };
      if (Object.values(changes).every((value) => value === undefined)) {
        throw new CliError(
          'Nothing to change: give at least one of --name, --callback-url, --alert-expiry-minutes, --max-messages-per-hour, --time-zone, --utility-template, --channels, --whatsapp.',
          2,
        );
      }
      // WhatsApp is offered only with a number to send from (docs/channels.md, "WhatsApp").
      if (changes.channels !== undefined || changes.whatsapp === null) {
        const current = await target.showBank(knownBankId(bankId));
        const offered = changes.channels ?? current.channels ?? ['messenger'];
        const number = changes.whatsapp === null ? undefined : (changes.whatsapp ?? current.whatsapp);
        if (offered.includes('whatsapp') && number === undefined) {
          throw new CliError(
            'The bank would offer WhatsApp without a WhatsApp number: give --whatsapp FILE too (docs/channels.md).',
            2,
          );
        }
      }
      return { status: 200, body: await target.updateBank(knownBankId(bankId), changes) };
    },
  },
  {
    name: 'banks show',
    usage: 'banks show <bankId>',
    summary: 'Show a bank’s settings (never its secrets)',
    arguments: ['bankId'],
    async run({ bankId = '' }, _options, target) {
      return { status: 200, body: await target.showBank(knownBankId(bankId)) };
    },
  },
  {
    name: 'thresholds get',
    usage: 'thresholds get <bankId> [--customer ID]',
    summary: 'Show the bank default thresholds, or a customer override',
    arguments: ['bankId'],
    run: ({ bankId = '' }, options, target) => callBankApi(target, bankId, 'GET', thresholdsPath(options)),
  },
  {
    name: 'thresholds set',
    usage: 'thresholds set <bankId> --file F [--customer ID]',
    summary: "Replace the bank default thresholds, or a customer override, with the file's content",
    arguments: ['bankId'],
    run: async ({ bankId = '' }, options, target) =>
      callBankApi(target, bankId, 'PUT', thresholdsPath(options), await readJsonFile(options.file)),
  },
  {
    name: 'events send',
    usage: 'events send <bankId> --file F [--id ID]',
    summary: "Sign a bank event with the bank's secret and post it",
    arguments: ['bankId'],
    run: async ({ bankId = '' }, options, target) =>
      callBankApi(
        target,
        bankId,
        'POST',
        '/events',
        await readJsonFile(options.file),
        typeof options.id === 'string' ? options.id : `evt_${randomUUID()}`,
      ),
  },
  {
    name: 'events verify',
    usage: 'events verify --file BODY --headers FILE [--bank ID]',
    summary:
      'Check a request you made (its exact body, and its headers as curl -v prints them): valid, or which check fails and why',
    arguments: [],
    run: (_args, options, target) => {
      if (typeof options.file !== 'string' || typeof options.headers !== 'string') {
        throw new CliError('--file and --headers are required.', 2);
      }
      return verifyCapturedRequest(target, {
        bank: typeof options.bank === 'string' ? options.bank : undefined,
        bodyFile: options.file,
        headersFile: options.headers,
      });
    },
  },
  {
    name: 'enroll',
    usage: 'enroll <bankId> <customerId> [--locale fr_FR]',
    summary: 'Create a Messenger enrollment link for a customer',
    arguments: ['bankId', 'customerId'],
    run: ({ bankId = '', customerId = '' }, options, target) =>
      callBankApi(
        target,
        bankId,
        'POST',
        '/enrollments',
        Buffer.from(
          JSON.stringify({
            customerId,
            locale: typeof options.locale === 'string' ? options.locale : 'en_US',
          }),
        ),
      ),
  },
  {
    name: 'customers erase',
    usage: 'customers erase <bankId> <customerId>',
    summary: 'Erase everything Vigil holds on a customer',
    arguments: ['bankId', 'customerId'],
    run: ({ bankId = '', customerId = '' }, _options, target) =>
      callBankApi(target, bankId, 'DELETE', `/customers/${encodeURIComponent(customerId)}`),
  },
  {
    name: 'fraud-reports send',
    usage: 'fraud-reports send <bankId> --file F',
    summary:
      'Report confirmed fraudulent payments (the file\'s {"reports": [...]}): their merchants are marked compromised',
    arguments: ['bankId'],
    run: async ({ bankId = '' }, options, target) =>
      callBankApi(target, bankId, 'POST', '/fraud-reports', await readJsonFile(options.file)),
  },
  {
    name: 'redrive',
    usage: 'redrive [--older-than MINUTES] [--force-past-ledger-window]',
    summary:
      'Retry events and alerts stuck longer than that (default 10), and dead callbacks; card transactions dated more than 48 hours ago are counted (eventsPastLedgerWindow), retried only with the flag',
    arguments: [],
    async run(_args, options, target) {
      return {
        status: 200,
        body: await redriveTables(target, olderThan(options), pastLedgerWindow(options)),
      };
    },
  },
  {
    name: 'migrate',
    usage: 'migrate',
    summary:
      'Move what an earlier version stored where this one no longer reads it (customers’ preferences, the banks’ sets of marked merchants); run once after deploying, safe to run again',
    arguments: [],
    async run(_args, _options, target) {
      return { status: 200, body: await migrate(await target.tables()) };
    },
  },
  ...channelSetupCommands({
    channel: 'messenger',
    webhookOwner: 'the page’s webhook',
    token: {
      option: 'page-access-token',
      variable: 'MESSENGER_PAGE_ACCESS_TOKEN',
      field: 'pageAccessToken',
      description: 'page access token',
      whereShown: 'the long token Meta shows for the page',
    },
    appSecretVariable: 'MESSENGER_APP_SECRET',
  }),
  ...channelSetupCommands({
    channel: 'whatsapp',
    webhookOwner: 'the WhatsApp app’s webhook',
    token: {
      option: 'access-token',
      variable: 'WHATSAPP_ACCESS_TOKEN',
      field: 'accessToken',
      description: 'access token',
      whereShown: 'the system user’s long token for the Cloud API (whatsapp_business_messaging)',
    },
    appSecretVariable: 'WHATSAPP_APP_SECRET',
  }),
  {
    name: 'dead-letters list',
    usage: 'dead-letters list',
    summary: 'List the stream batches that failed all their retries (function, shard, sequence range)',
    arguments: [],
    async run(_args, _options, target) {
      const box = await target.deadLetters();
      try {
        const deadLetters = await box.list();
        return { status: 200, body: { location: box.location, count: deadLetters.length, deadLetters } };
      } finally {
        await box.release();
      }
    },
  },
  {
    name: 'dead-letters redrive',
    usage: 'dead-letters redrive [--older-than MINUTES] [--force-past-ledger-window]',
    summary:
      'Redrive the tables (as vigil redrive), then remove the dead letters older than that (default 10): what they describe was redriven',
    arguments: [],
    async run(_args, options, target) {
      const minutes = olderThan(options);
      const box = await target.deadLetters();
      try {
        const letters = await box.list();
        const redriven = await redriveTables(target, minutes, pastLedgerWindow(options));
        const cutoff = Date.now() - minutes * 60_000;
        const handled = letters.filter((letter) => Date.parse(letter.failedAt) <= cutoff);
        const removed = await box.remove(handled.map((letter) => letter.id));
        return {
          status: 200,
          body: { redriven, deadLettersRemoved: removed, deadLettersKept: letters.length - removed },
        };
      } finally {
        await box.release();
      }
    },
  },
  {
    name: 'dead-letters purge',
    usage: 'dead-letters purge',
    summary: 'Remove every dead letter (once handled: the tables keep each record’s status)',
    arguments: [],
    async run(_args, _options, target) {
      const box = await target.deadLetters();
      try {
        const letters = await box.list();
        return { status: 200, body: { purged: await box.remove(letters.map((letter) => letter.id)) } };
      } finally {
        await box.release();
      }
    },
  },
  {
    name: 'backtest',
    offline: true,
    usage:
      'backtest --events history.jsonl [--thresholds bank.json] [--customer-thresholds DIR] [--fraud-reports reports.csv --report-delay-days 7] [--labels labels.csv] [--decisions out.jsonl]',
    summary:
      'Replay a history of bank events offline through the scoring rules and report the alerts (docs/scoring.md)',
    arguments: [],
    async run(_args, options) {
      const run = await runBacktest(options);
      return {
        status: 200,
        body: {
          ...run.report,
          seconds: Math.round(run.seconds * 100) / 100,
          cpuSeconds: Math.round(run.cpuSeconds * 100) / 100,
        },
        text: formatReport(run),
      };
    },
  },
];

/** The `--key` option: which of a bank's keys a rotation is about. */
function keyKind(value: unknown): BankKeyKind {
  if (value === undefined) return 'events';
  if (value === 'events' || value === 'admin' || value === 'callbacks') return value;
  throw new CliError('--key is events, admin or callbacks.', 2);
}

/**
 * A callback URL Vigil may call from this target (shared/domain/callback-url.ts), as it will be
 * stored: every command that sets one goes through here. A refused URL is a usage error.
 */
export async function checkedCallbackUrl(value: unknown, target: Target): Promise<string> {
  if (typeof value !== 'string') throw new CliError('--callback-url is required.', 2);
  const { resolve, ...policy } = target.callbackUrlPolicy;
  try {
    return (await resolveCallbackUrl(value, policy, resolve)).toString();
  } catch (error) {
    if (error instanceof InvalidCallbackUrlError) throw new CliError(`--callback-url: ${error.detail}`, 2);
    throw error;
  }
}

/** `--allowed-ips 203.0.113.0/24,2001:db8::/48` → the bank's allow-list, checked before anything is created. */
export function allowList(value: unknown): string[] | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return parseSourceAllowList(value.split(','));
  } catch (error) {
    throw new CliError(`--allowed-ips: ${(error as ClientError).detail}`, 2);
  }
}

function mapDefined<T>(value: string | undefined, parse: (value: string) => T): T | undefined {
  return value === undefined ? undefined : parse(value);
}

function knownBankId(bankId: string): string {
  if (!bankIdPattern.test(bankId)) {
    throw new CliError('A bank id is lower-case letters, digits and dashes.', 2);
  }
  return bankId;
}

function olderThan(options: Options): number {
  const text = options['older-than'] ?? '10';
  const minutes = Number(text);
  if (typeof text !== 'string' || !/^\d+$/.test(text)) {
    throw new CliError('--older-than is a whole number of minutes (0 for everything).', 2);
  }
  return minutes;
}

/** `--force-past-ledger-window`: also retry the card transactions redrive cannot tell apart. */
function pastLedgerWindow(options: Options): boolean {
  return options['force-past-ledger-window'] === true;
}

/** `vigil redrive`: unscored events and unsent alerts written again, dead callbacks requeued. */
async function redriveTables(target: Target, minutes: number, forcePastLedgerWindow: boolean) {
  const { client, events, alerts, callbacks, activity } = await target.tables();
  return redrive(
    {
      store: new DynamoDbRedriveStore(client, { events, alerts, callbacks }),
      alerts: new DynamoDbAlertStore(client, alerts),
      clock: systemClock,
      history: new DynamoDbCustomerHistory(client, activity),
    },
    minutes,
    { pastLedgerWindow: forcePastLedgerWindow },
  );
}
