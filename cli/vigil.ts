import { parseArgs } from 'node:util';
import { CliError } from './cli-error.ts';
import { sendEvent } from './send-event.ts';

const USAGE = `Usage: vigil <command> [options]

Commands:
  events send <bankId> --file F [--id ID]   Sign a bank event with the bank's secret and post it

Options:
  --json    Print the result as JSON
  --help    Show this help

Runs against local mode (npm start), reading .vigil/local.json (VIGIL_HOME moves it).
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      file: { type: 'string', short: 'f' },
      id: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [group, command, bankId] = positionals;
  if (values.help || group === undefined) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (group === 'events' && command === 'send') {
    if (bankId === undefined || values.file === undefined)
      throw new CliError('Usage: vigil events send <bankId> --file F', 2);
    const result = await sendEvent({ bankId, file: values.file, eventId: values.id });
    const ok = result.status >= 200 && result.status < 300;
    if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stdout.write(`${result.status} ${JSON.stringify(result.body, null, 2)}\n`);
    return ok ? 0 : 1;
  }
  throw new CliError(`Unknown command: ${positionals.join(' ')}\n\n${USAGE}`, 2);
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
