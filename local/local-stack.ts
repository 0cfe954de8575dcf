import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as deliverCallbacks from '../functions/deliver-callbacks.ts';
import * as expireAlerts from '../functions/expire-alerts.ts';
import { FileSecretStore } from '../shared/adapters/file-secret-store.ts';
import { CURRENT_GRAPH_API_VERSION } from '../shared/adapters/graph-api-messenger.ts';
import { SecretStoreBankSecrets } from '../shared/adapters/secret-store-bank-secrets.ts';
import { documentClientFor } from '../shared/runtime/aws-clients.ts';
import { tableEnvironmentVariable, tableKeys } from '../shared/runtime/table-definitions.ts';
import { bankReceiverRoutes } from './bank-receiver.ts';
import { createTables, type TableNames, tableNamesWithPrefix } from './create-tables.ts';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.ts';
import { type LocalHttpServer, startLambdaHttpServer } from './lambda-http-server.ts';
import { type LocalEnvironment, localHandler } from './local-functions.ts';
import { localRoutes } from './local-routes.ts';
import { type LocalScheduler, startLocalScheduler } from './local-scheduler.ts';
import { LocalSecretsFile } from './local-secrets.ts';
import { startLocalStreams } from './local-streams.ts';
import { type MessengerEmulator, startMessengerEmulator } from './messenger-emulator.ts';
import { DEMO_BANK_ID, seedDemo } from './seed-demo.ts';
import type { StreamPoller } from './stream-poller.ts';

export const LOCAL_SECRET_PREFIX = 'vigil/local';
export const LOCAL_PAGE_ID = '100000000000001';
/** The demo bank's WhatsApp Business phone number: its Cloud API id and the number customers write to. */
export const LOCAL_WHATSAPP_PHONE_NUMBER_ID = '100000000000002';
export const LOCAL_WHATSAPP_NUMBER = '15550100001';

export interface LocalStackOptions {
  /** Where local.json and the secrets file go (default `.vigil`). */
  readonly home: string;
  readonly port: number;
  readonly emulatorPort: number;
  /** Uses this DynamoDB endpoint instead of starting DynamoDB Local. */
  readonly dynamoDbEndpoint?: string;
  readonly tablePrefix?: string;
  /** The Graph API version Vigil calls (`GRAPH_API_VERSION` for `npm start`); the current one by default. */
  readonly graphApiVersion?: string;
}

/** What `.vigil/local.json` holds (docs/contract.md#local-mode): everything a developer or test needs to talk to local mode. */
export interface LocalConfig {
  readonly apiUrl: string;
  readonly emulatorUrl: string;
  readonly banks: readonly {
    readonly bankId: string;
    /** Signs events (Standard Webhooks). */
    readonly signingSecret: string;
    /** Signs administration requests (HTTP Message Signatures), under the keyid `adminKeyId`. */
    readonly adminKey: string;
    readonly adminKeyId: string;
    readonly callbackSecret: string;
    readonly callbackUrl: string;
  }[];
  readonly messenger: { readonly appSecret: string; readonly verifyToken: string; readonly pageId: string };
  readonly whatsapp: {
    readonly appSecret: string;
    readonly verifyToken: string;
    readonly phoneNumberId: string;
    readonly displayNumber: string;
  };
}

export interface LocalStack {
  readonly config: LocalConfig;
  readonly configPath: string;
  readonly dynamoDbEndpoint: string;
  readonly tables: TableNames;
  readonly documents: DynamoDBDocumentClient;
  /** The functions' environment (local/local-functions.ts): build a function's handler with it. */
  readonly functionEnvironment: LocalEnvironment;
  stop(): Promise<void>;
}

/**
 * Runs Vigil on this machine: DynamoDB Local with the stack's tables, the deployed handlers
 * behind a local HTTP API, local secrets, and the seeded `demo-bank`.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const home = resolve(options.home);
  const started: {
    dynamoDb?: DynamoDbLocal;
    server?: LocalHttpServer;
    emulator?: MessengerEmulator;
    streams?: StreamPoller[];
    scheduler?: LocalScheduler;
  } = {};
  const stop = async () => {
    await started.server?.close();
    await started.emulator?.close();
    await started.scheduler?.stop();
    await Promise.all((started.streams ?? []).map((poller) => poller.stop()));
    await started.dynamoDb?.stop();
  };
  const graphApiVersion = options.graphApiVersion ?? CURRENT_GRAPH_API_VERSION;
  if (!/^v\d+\.\d+$/.test(graphApiVersion)) {
    throw new Error(`GRAPH_API_VERSION must look like v27.0, not ${JSON.stringify(graphApiVersion)}`);
  }
  try {
    if (options.dynamoDbEndpoint === undefined) started.dynamoDb = await startDynamoDbLocal();
    const dynamoDbEndpoint = options.dynamoDbEndpoint ?? started.dynamoDb?.endpoint ?? '';
    const tables = tableNamesWithPrefix(options.tablePrefix ?? 'vigil');
    const rawClient = new DynamoDBClient(localAwsConfig(dynamoDbEndpoint));
    await createTables(rawClient, tables);

    const secrets = await LocalSecretsFile.open(join(home, 'secrets.json'));
    const apiUrl = `http://127.0.0.1:${options.port}`;
    const emulatorUrl = `http://127.0.0.1:${options.emulatorPort}`;
    const callbackUrl = `${apiUrl}/__local/banks/${DEMO_BANK_ID}/callbacks`;
    const demoSecrets = secrets.ensureBank(LOCAL_SECRET_PREFIX, DEMO_BANK_ID);
    const messenger = secrets.ensureMessenger(LOCAL_SECRET_PREFIX);
    const whatsapp = secrets.ensureWhatsApp(LOCAL_SECRET_PREFIX);
    secrets.ensureErasureKey(LOCAL_SECRET_PREFIX);
    secrets.ensureSubscriberRefKey(LOCAL_SECRET_PREFIX);
    secrets.ensureReporterKey(LOCAL_SECRET_PREFIX);
    await secrets.save();
    await seedDemo(documentClientFor(rawClient), tables, {
      bankId: DEMO_BANK_ID,
      callbackUrl,
      whatsapp: { phoneNumberId: LOCAL_WHATSAPP_PHONE_NUMBER_ID, displayNumber: LOCAL_WHATSAPP_NUMBER },
    });
    await mkdir(home, { recursive: true });

    // The functions' environment, as the stack sets it in Lambda, pointing at this machine: each
    // handler is built from it (local/local-functions.ts), with no change to process.env.
    const env = {
      LOCAL_DYNAMODB_ENDPOINT: dynamoDbEndpoint,
      SECRET_PREFIX: LOCAL_SECRET_PREFIX,
      GRAPH_API_BASE_URL: emulatorUrl,
      GRAPH_API_VERSION: graphApiVersion,
      MESSENGER_PAGE_ID: LOCAL_PAGE_ID,
      // The OpenAPI document's server: configuration, not the request's headers.
      API_BASE_URL: apiUrl,
      LOCAL_SECRETS_FILE: secrets.path,
      ...Object.fromEntries(tableKeys.map((key) => [tableEnvironmentVariable(key), tables[key]])),
    };
    const callbackSecrets = new SecretStoreBankSecrets(
      new FileSecretStore(secrets.path),
      LOCAL_SECRET_PREFIX,
    );
    started.server = await startLambdaHttpServer(
      [...localRoutes(env), ...bankReceiverRoutes((bankId) => callbackSecrets.callbackSecret(bankId))],
      options.port,
    );
    started.emulator = await startMessengerEmulator({
      port: options.emulatorPort,
      pageId: LOCAL_PAGE_ID,
      pageAccessToken: messenger.pageAccessToken,
      appSecret: messenger.appSecret,
      webhookUrl: `${apiUrl}/messenger/webhook`,
      whatsapp: {
        phoneNumberIds: [LOCAL_WHATSAPP_PHONE_NUMBER_ID],
        accessToken: whatsapp.accessToken,
        appSecret: whatsapp.appSecret,
        webhookUrl: `${apiUrl}/whatsapp/webhook`,
      },
    });
    started.streams = await startLocalStreams({
      dynamoDb: rawClient,
      streams: new DynamoDBStreamsClient(localAwsConfig(dynamoDbEndpoint)),
      tables,
      deadLetterFile: join(home, 'dead-letters.jsonl'),
      env,
    });
    started.scheduler = startLocalScheduler([
      {
        functionName: 'deliver-callbacks',
        handler: localHandler(deliverCallbacks, env) as never,
      },
      {
        functionName: 'expire-alerts',
        handler: localHandler(expireAlerts, env) as never,
      },
    ]);

    const config: LocalConfig = {
      apiUrl,
      emulatorUrl,
      banks: [{ bankId: DEMO_BANK_ID, ...demoSecrets, callbackUrl }],
      messenger: {
        appSecret: messenger.appSecret,
        verifyToken: messenger.verifyToken,
        pageId: LOCAL_PAGE_ID,
      },
      whatsapp: {
        appSecret: whatsapp.appSecret,
        verifyToken: whatsapp.verifyToken,
        phoneNumberId: LOCAL_WHATSAPP_PHONE_NUMBER_ID,
        displayNumber: LOCAL_WHATSAPP_NUMBER,
      },
    };
    const configPath = join(home, 'local.json');
    await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    // For operator commands that read the tables directly (vigil redrive): not part of local.json.
    await writeFile(join(home, 'runtime.json'), `${JSON.stringify({ dynamoDbEndpoint, tables }, null, 2)}\n`);
    return {
      config,
      configPath,
      dynamoDbEndpoint,
      tables,
      documents: documentClientFor(rawClient),
      functionEnvironment: env,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** SDK client settings for DynamoDB Local, which accepts any credentials. */
export function localAwsConfig(endpoint: string) {
  return { endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}
