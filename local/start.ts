import { startLocalStack } from './local-stack.ts';
import { readableLogs, wantsReadableLogs } from './readable-logs.ts';

// `npm start`: Vigil on this machine. Ctrl-C stops everything it started. On a terminal the
// functions' logs are one readable line each; `npm start -- --json-logs` keeps them JSON.

if (wantsReadableLogs(process.stdout.isTTY, process.argv)) {
  readableLogs(process.stdout);
  readableLogs(process.stderr);
}

const port = Number(process.env.PORT ?? 3000);
const emulatorPort = Number(process.env.EMULATOR_PORT ?? 3001);
const home = process.env.VIGIL_HOME ?? '.vigil';

const graphApiVersion = process.env.GRAPH_API_VERSION;

const stack = await startLocalStack({
  home,
  port,
  emulatorPort,
  ...(graphApiVersion !== undefined && { graphApiVersion }),
});
const bank = stack.config.banks[0];
process.stdout.write(
  [
    'Vigil is running locally.',
    `  Bank API:        ${stack.config.apiUrl}  (OpenAPI: ${stack.config.apiUrl}/openapi.json)`,
    `  Messenger:       ${stack.config.emulatorUrl}  (the emulator's chat page)`,
    `  Bank callbacks:  ${bank?.callbackUrl}`,
    `  DynamoDB Local:  ${stack.dynamoDbEndpoint}`,
    `  Settings:        ${stack.configPath} (bank ${bank?.bankId}, its secrets, Messenger settings)`,
    `  Try:             npx vigil enroll ${bank?.bankId} cus_jane, then open the link on the chat page;`,
    '                   or npm run demo',
    'Press Ctrl-C to stop.',
    '',
  ].join('\n'),
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping Vigil...\n');
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${String(error)}\n`);
        process.exit(1);
      },
    );
  });
}
