import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';

// DynamoDB Local is the real DynamoDB engine (streams, transactions, TTL settings), shipped as a
// jar inside the amplify-dynamodb-simulator npm package: nothing is downloaded at run time.

const require = createRequire(import.meta.url);
const jarDirectory = join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
const launcherSource = join(import.meta.dirname, 'java', 'LoopbackDynamoDbLocal.java');
const jarClassPath = [join(jarDirectory, 'DynamoDBLocal.jar'), join(jarDirectory, 'DynamoDBLocal_lib', '*')];

export interface DynamoDbLocal {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts an in-memory DynamoDB Local on a free port of 127.0.0.1 and waits until it answers.
 *
 * DynamoDB Local has no option for its listening address and listens on every interface; it is
 * started through local/java/LoopbackDynamoDbLocal.java, which binds it to 127.0.0.1 and refuses
 * a foreign Host or Origin (DNS rebinding); it is compiled once with javac into a cache. Its CORS
 * allow-list names only its own loopback origin instead of its default `*`. It never outlives this
 * process: it exits when its standard input, a pipe from here, closes.
 */
export async function startDynamoDbLocal(port?: number): Promise<DynamoDbLocal> {
  const chosenPort = port ?? (await findFreePort());
  const launcher = await compiledLauncher();
  const endpoint = `http://127.0.0.1:${chosenPort}`;
  const options = ['-inMemory', '-sharedDb', '-port', String(chosenPort), '-disableTelemetry'];
  const java = spawn(
    'java',
    [
      `-Djava.library.path=${join(jarDirectory, 'DynamoDBLocal_lib')}`,
      '-Xmx1g',
      '-cp',
      [launcher, ...jarClassPath].join(delimiter),
      'LoopbackDynamoDbLocal',
      // Exits when this process ends, however it ends: it holds the other end of java's stdin.
      '-exitWithParent',
      ...options,
      '-cors',
      endpoint,
    ],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  java.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  try {
    await waitUntilReady(endpoint, java);
  } catch (error) {
    java.kill('SIGKILL');
    throw new Error(`DynamoDB Local did not start: ${String(error)}\n${stderr}`, { cause: error });
  }
  return { endpoint, stop: () => stopProcess(java) };
}

/**
 * The directory holding LoopbackDynamoDbLocal.class, compiled from its source on first use into a
 * cache keyed by the source's hash (javac, from the JDK: scripts/system-deps.sh installs it).
 */
async function compiledLauncher(): Promise<string> {
  const source = await readFile(launcherSource);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const directory = join(tmpdir(), `vigil-dynamodb-local-${hash}`);
  try {
    await access(join(directory, 'LoopbackDynamoDbLocal.class'));
    return directory;
  } catch {
    // Not compiled yet: compile into a fresh directory, then move it into place, so that runs
    // started side by side never see half a class file.
  }
  await mkdir(tmpdir(), { recursive: true });
  const building = await mkdtemp(join(tmpdir(), 'vigil-dynamodb-local-build-'));
  try {
    await promisify(execFile)('javac', [
      '-nowarn',
      '-cp',
      jarClassPath.join(delimiter),
      '-d',
      building,
      launcherSource,
    ]);
  } catch (error) {
    await rm(building, { recursive: true, force: true });
    throw new Error(
      `Cannot compile ${launcherSource} (DynamoDB Local on 127.0.0.1 needs a JDK's javac): ${String(error)}`,
      { cause: error },
    );
  }
  await rename(building, directory).catch(() => rm(building, { recursive: true, force: true }));
  return directory;
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
