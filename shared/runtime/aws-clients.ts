import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { FileSecretStore } from '../adapters/file-secret-store.ts';
import { SecretsManagerSecretStore } from '../adapters/secrets-manager-secret-store.ts';
import * as z from '../domain/zod.ts';
import type { SecretStore } from '../ports/secret-store.ts';
import { envUrl } from './env.ts';

// Clients are created on a function's first invocation (its composition root, `portsFrom`), once
// per execution environment, and reused by every invocation. They are not wrapped for X-Ray: the
// traces are Lambda's own segments (docs/decisions/0018-no-xray-sdk-in-bundles.md).

/** Wraps a DynamoDB client in a document client with Vigil's marshalling rules. */
export function documentClientFor(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** The environment of every function that uses DynamoDB (spread into its env schema). */
export const awsEnvironment = {
  /** Local mode only: DynamoDB Local's endpoint, which accepts any credentials. */
  LOCAL_DYNAMODB_ENDPOINT: z.optional(envUrl()),
};

const documentClients = new Map<string, DynamoDBDocumentClient>();

/** One DynamoDB document client per endpoint in this process: AWS's, or DynamoDB Local's. */
export function dynamoDbFrom(env: { LOCAL_DYNAMODB_ENDPOINT?: string | undefined }): DynamoDBDocumentClient {
  const endpoint = env.LOCAL_DYNAMODB_ENDPOINT ?? '';
  let client = documentClients.get(endpoint);
  if (client === undefined) {
    const config = endpoint
      ? { endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {};
    client = documentClientFor(new DynamoDBClient(config));
    documentClients.set(endpoint, client);
  }
  return client;
}

/** The environment of the functions that read secrets (spread into their env schema). */
export const secretsEnvironment = {
  SECRET_PREFIX: z.string().check(z.minLength(1)),
  LOCAL_SECRETS_FILE: z.optional(z.string()),
};

/** Secrets Manager in AWS; in local mode, the file named by LOCAL_SECRETS_FILE. */
export function secretStoreFrom(env: { LOCAL_SECRETS_FILE?: string | undefined }): SecretStore {
  if (env.LOCAL_SECRETS_FILE) return new FileSecretStore(env.LOCAL_SECRETS_FILE);
  return new SecretsManagerSecretStore(new SecretsManagerClient({}));
}
