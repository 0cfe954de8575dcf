import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { FileSecretStore } from '../adapters/file-secret-store.ts';
import { SecretsManagerSecretStore } from '../adapters/secrets-manager-secret-store.ts';
import type { SecretStore } from '../ports/secret-store.ts';

// Clients are created once per execution environment and reused by every invocation. Endpoints
// come from the SDK's own settings (AWS_ENDPOINT_URL_DYNAMODB points local mode at DynamoDB Local).

/** Wraps a DynamoDB client in a document client with Vigil's marshalling rules. */
export function documentClientFor(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export const dynamoDb = documentClientFor(new DynamoDBClient({}));

/** The environment of the functions that read secrets (spread into their env schema). */
export const secretsEnvironment = {
  SECRET_PREFIX: z.string().min(1),
  LOCAL_SECRETS_FILE: z.string().optional(),
};

/** Secrets Manager in AWS; in local mode, the file named by LOCAL_SECRETS_FILE. */
export function secretStoreFrom(env: { LOCAL_SECRETS_FILE?: string | undefined }): SecretStore {
  if (env.LOCAL_SECRETS_FILE) return new FileSecretStore(env.LOCAL_SECRETS_FILE);
  return new SecretsManagerSecretStore(new SecretsManagerClient({}));
}
