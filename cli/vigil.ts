import { parseArgs } from 'node:util';
import { CliError } from './cli-error.ts';
import { type Command, commands } from './commands.ts';
import type { Target } from './target.ts';

// The `vigil` operator CLI (docs/contract.md#cli): against local mode by default, or a deployed stage.

/** Every option a command takes, all with a value. */
const STRING_OPTIONS = [
  'file',
  'id',
  'customer',
  'locale',
  'name',
  'callback-url',
  'allowed-ips',
  'client-cert-subject',
  'time-zone',
  'template',
  'older-than',
  'alert-expiry-minutes',
  'max-messages-per-hour',
  'utility-template',
  'channels',
  'whatsapp',
  'page-access-token',
  'access-token',
  'app-secret',
  'key',
  'headers',
  'bank',
  'events',
  'thresholds',
  'customer-thresholds',
  'fraud-reports',
  'report-delay-days',
  'labels',
  'decisions',
];

/** The options that take no value. */
const FLAG_OPTIONS = ['force-past-ledger-window'];

const USAGE = `Usage: vigil <command> [options]

Commands:
${commands.map((command) => `  ${command.usage}\n      ${command.summary}`).join('\n')}

Options:
  --stage NAME   Act on the deployed stage NAME (stack Vigil-NAME, your AWS credentials);
                 without it, on local mode (npm start), through .vigil/ (VIGIL_HOME moves it)
  --json         Print the result as JSON: {"status", "body"}
  --help         Show this help, or a command's: vigil <command> --help

Exit codes: 0 success, 1 refused or failed, 2 bad usage or Vigil unreachable.
`;

export interface CliOutput {
  readonly code: number;
  readonly stdout: string;
}

/**
 * Where commands act: local mode or a stage. Loaded only when a command needs one: an offline
 * replay (backtest) loads no AWS client.
 */
async function defaultTarget(stage: string | undefined): Promise<Target> {
  if (stage === undefined) return new (await import('./local-target.ts')).LocalTarget();
  return new (await import('./stage-target.ts')).StageTarget(stage);
}

/** What an offline command (backtest) gets instead of a target: using it is a bug. */
const NO_TARGET = new Proxy({} as Target, {
  get(_target, property) {
    throw new Error(`An offline command has no target (it asked for ${String(property)}).`);
  },
});

/** Runs one command line; `targetFor` is where tests put their own target. */
export async function runCli(
  argv: readonly string[],
  targetFor: (stage: string | undefined) => Target | Promise<Target> = defaultTarget,
): Promise<CliOutput> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      stage: { type: 'string' },
      ...Object.fromEntries(STRING_OPTIONS.map((name) => [name, { type: 'string' as const }])),
      ...Object.fromEntries(FLAG_OPTIONS.map((name) => [name, { type: 'boolean' as const }])),
    },
  });
  const command = findCommand(positionals);
  if (command === undefined) {
    if (positionals.length === 0 || values.help) return { code: 0, stdout: USAGE };
    throw new CliError(`Unknown command: ${positionals.join(' ')}\n\n${USAGE}`, 2);
  }
  if (values.help) return { code: 0, stdout: `Usage: vigil ${command.usage}\n\n${command.summary}.\n` };
  const given = positionals.slice(command.name.split(' ').length);
  if (given.length !== command.arguments.length) throw new CliError(`Usage: vigil ${command.usage}`, 2);
  const args = Object.fromEntries(command.arguments.map((name, index) => [name, given[index] ?? '']));
  const stage = typeof values.stage === 'string' ? values.stage : undefined;
  const result = await command.run(args, values, command.offline ? NO_TARGET : await targetFor(stage));
  const stdout = values.json
    ? `${JSON.stringify({ status: result.status, body: result.body })}\n`
    : (result.text ?? `${result.status} ${JSON.stringify(result.body, null, 2)}\n`);
  return { code: result.status >= 200 && result.status < 300 ? 0 : 1, stdout };
}

function findCommand(positionals: readonly string[]): Command | undefined {
  return commands.find(
    (command) => command.name === positionals.slice(0, command.name.split(' ').length).join(' '),
  );
}

/**
 * The `vigil` command: runs `argv`, prints the result and sets the exit code. `bin/vigil.js` calls it,
 * however the CLI was started (npx, npm exec, a global install, node bin/vigil.js, npm run vigil).
 */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  try {
    const { code, stdout } = await runCli(argv);
    process.stdout.write(stdout);
    process.exitCode = code;
  } catch (error) {
    // Exit codes as --help documents them: a bad option is usage (2), anything unexpected a failure (1).
    const usage = String((error as { code?: unknown }).code ?? '').startsWith('ERR_PARSE_ARGS');
    const cliError =
      error instanceof CliError
        ? error
        : new CliError(error instanceof Error ? error.message : String(error), usage ? 2 : 1);
    process.stderr.write(`vigil: ${cliError.message}\n`);
    process.exitCode = cliError.exitCode;
  }
  return Number(process.exitCode);
}
