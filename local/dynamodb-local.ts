import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

// DynamoDB Local is the real DynamoDB engine (streams, transactions, TTL settings), shipped as a
// jar inside the amplify-dynamodb-simulator npm package: nothing is downloaded at run time.

const require = createRequire(import.meta.url);
const jarDirectory = join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');

export interface DynamoDbLocal {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Starts an in-memory DynamoDB Local on a free loopback port and waits until it answers. */
export async function startDynamoDbLocal(port?: number): Promise<DynamoDbLocal> {
  const chosenPort = port ?? (await findFreePort());
  const java = spawn(
    'java',
    [
      `-Djava.library.path=${join(jarDirectory, 'DynamoDBLocal_lib')}`,
      '-Xmx1g',
      '-jar',
      join(jarDirectory, 'DynamoDBLocal.jar'),
      '-inMemory',
      '-sharedDb',
      '-port',
      String(chosenPort),
      '-disableTelemetry',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  java.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${chosenPort}`;
  try {
    await waitUntilReady(endpoint, java);
  } catch (error) {
    java.kill('SIGKILL');
    throw new Error(`DynamoDB Local did not start: ${String(error)}\n${stderr}`, { cause: error });
  }
  return { endpoint, stop: () => stopProcess(java) };
}

async function waitUntilReady(endpoint: string, java: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (java.exitCode !== null) throw new Error(`java exited with code ${java.exitCode}`);
    try {
      await fetch(endpoint, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error('timed out after 30 s');
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A port that was free a moment ago on 127.0.0.1. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
