import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DynamoDbAlertStore } from '../shared/adapters/dynamodb-alert-store.ts';
import { DynamoDbRedriveStore } from '../shared/adapters/dynamodb-redrive-store.ts';
import { bankIdPattern } from '../shared/domain/bank-event.ts';
import { redrive } from '../shared/domain/redrive.ts';
import { systemClock } from '../shared/ports/clock.ts';
import { formatReport, runBacktest } from './backtest.ts';
import { type BankResponse, callBankApi } from './bank-client.ts';
import { CliError } from './cli-error.ts';
import type { Target } from './target.ts';

export type Options = Readonly<Record<string, string | boolean | undefined>>;

export interface Command {
  /** The words that name it: `events send`. */
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  /** Positional arguments after the name, in order. */
  readonly arguments: readonly string[];
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

const thresholdsPath = (options: Options) =>
  typeof options.customer === 'string'
    ? `/customers/${encodeURIComponent(options.customer)}/thresholds`
    : '/thresholds';

export const commands: readonly Command[] = [
  {
    name: 'banks add',
    usage:
      'banks add <bankId> --name NAME --callback-url URL [--time-zone TZ] [--template NAME:LANG:PARAM,PARAM...]',
    summary: 'Register a bank: its signing and callback secrets (printed once) and its settings',
    arguments: ['bankId'],
    async run({ bankId = '' }, options, target) {
      if (!bankIdPattern.test(bankId)) {
        throw new CliError('A bank id is lower-case letters, digits and dashes.', 2);
      }
      if (typeof options.name !== 'string' || typeof options['callback-url'] !== 'string') {
        throw new CliError('--name and --callback-url are required.', 2);
      }
      if (!URL.canParse(options['callback-url'])) throw new CliError('--callback-url must be a URL.', 2);
      const template = typeof options.template === 'string' ? parseTemplate(options.template) : undefined;
      const secrets = await target.addBank({
        bankId,
        name: options.name,
        callbackUrl: options['callback-url'],
        timeZone: typeof options['time-zone'] === 'string' ? options['time-zone'] : undefined,
        utilityTemplate: template,
      });
      return { status: 201, body: { bankId, ...secrets } };
    },
  },
  {
    name: 'banks rotate-secret',
    usage: 'banks rotate-secret <bankId>',
    summary: 'Make a new signing secret (printed once); the old one stays valid until the next rotation',
    arguments: ['bankId'],
    async run({ bankId = '' }, _options, target) {
      return { status: 200, body: { bankId, ...(await target.rotateSigningSecret(bankId)) } };
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
    name: 'redrive',
    usage: 'redrive [--older-than MINUTES]',
    summary: 'Retry events and alerts stuck longer than that (default 10), and dead callbacks',
    arguments: [],
    async run(_args, options, target) {
      const minutes = Number(options['older-than'] ?? '10');
      if (!Number.isInteger(minutes) || minutes < 0)
        throw new CliError('--older-than must be a number of minutes.', 2);
      const { client, events, alerts, callbacks } = await target.tables();
      const result = await redrive(
        {
          store: new DynamoDbRedriveStore(client, { events, alerts, callbacks }),
          alerts: new DynamoDbAlertStore(client, alerts),
          clock: systemClock,
        },
        minutes,
      );
      return { status: 200, body: result };
    },
  },
  {
    name: 'backtest',
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

/** `name:language:param,param` → a utility template setting. */
function parseTemplate(value: string) {
  const [name, language, parameters] = value.split(':');
  const allowed = ['bankName', 'cardLast4', 'amount', 'merchant', 'time'];
  const list = (parameters ?? '').split(',').filter((item) => item !== '');
  if (!name || !language || list.some((item) => !allowed.includes(item))) {
    throw new CliError(`--template is name:language:params, params among ${allowed.join(',')}.`, 2);
  }
  return { name, language, parameters: list };
}
