import { parseArgs } from 'node:util';
import { type BankResponse, callBankApi } from './bank-client.ts';
import { CliError } from './cli-error.ts';
import { redriveLocal } from './redrive.ts';
import { sendEvent } from './send-event.ts';
import { getThresholds, setThresholds } from './thresholds.ts';

const USAGE = `Usage: vigil <command> [options]

Commands:
  events send <bankId> --file F [--id ID]              Sign a bank event and post it
  thresholds get <bankId> [--customer ID]             Show the bank default or a customer override
  thresholds set <bankId> --file F [--customer ID]    Replace them with the JSON file's content
  enroll <bankId> <customerId> [--locale fr_FR]       Create a Messenger enrollment link
  customers erase <bankId> <customerId>               Erase everything Vigil holds on a customer
  redrive [--older-than MINUTES]                      Retry events and alerts stuck longer than that (default 10)

Options:
  --json    Print the result as JSON: {"status", "body"}
  --help    Show this help

Runs against local mode (npm start), reading .vigil/local.json (VIGIL_HOME moves it).
Exit codes: 0 success, 1 the API refused or failed, 2 bad usage or Vigil unreachable.
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      file: { type: 'string', short: 'f' },
      id: { type: 'string' },
      customer: { type: 'string' },
      locale: { type: 'string', default: 'en_US' },
      'older-than': { type: 'string', default: '10' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [group, command, bankId] = positionals;
  if (values.help || group === undefined) {
    process.stdout.write(USAGE);
    return 0;
  }
  const usage = (text: string) => new CliError(`Usage: vigil ${text}`, 2);
  let result: BankResponse;
  if (group === 'events' && command === 'send') {
    if (bankId === undefined || values.file === undefined) throw usage('events send <bankId> --file F');
    result = await sendEvent(bankId, values.file, values.id);
  } else if (group === 'thresholds' && command === 'get') {
    if (bankId === undefined) throw usage('thresholds get <bankId> [--customer ID]');
    result = await getThresholds(bankId, values.customer);
  } else if (group === 'thresholds' && command === 'set') {
    if (bankId === undefined || values.file === undefined) throw usage('thresholds set <bankId> --file F');
    result = await setThresholds(bankId, values.file, values.customer);
  } else if (group === 'enroll') {
    const [, enrollBankId, customerId] = positionals;
    if (enrollBankId === undefined || customerId === undefined) throw usage('enroll <bankId> <customerId>');
    const body = Buffer.from(JSON.stringify({ customerId, locale: values.locale }));
    result = await callBankApi(enrollBankId, 'POST', '/enrollments', body);
  } else if (group === 'customers' && command === 'erase') {
    const customerId = positionals[3];
    if (bankId === undefined || customerId === undefined)
      throw usage('customers erase <bankId> <customerId>');
    result = await callBankApi(bankId, 'DELETE', `/customers/${encodeURIComponent(customerId)}`);
  } else if (group === 'redrive') {
    const minutes = Number(values['older-than']);
    if (!Number.isInteger(minutes) || minutes < 0) throw usage('redrive [--older-than MINUTES]');
    result = await redriveLocal(minutes);
  } else {
    throw new CliError(`Unknown command: ${positionals.join(' ')}\n\n${USAGE}`, 2);
  }
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${result.status} ${JSON.stringify(result.body, null, 2)}\n`);
  return result.status >= 200 && result.status < 300 ? 0 : 1;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const cliError =
    error instanceof CliError
      ? error
      : new CliError(error instanceof Error ? error.message : String(error), 2);
  process.stderr.write(`vigil: ${cliError.message}\n`);
  process.exitCode = cliError.exitCode;
}
