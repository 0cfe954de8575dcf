import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { newWebhookSecret } from '../../local/local-secrets.ts';
import { SecretStoreBankSecrets } from '../../shared/adapters/secret-store-bank-secrets.ts';
import { SecretsManagerSecretStore } from '../../shared/adapters/secrets-manager-secret-store.ts';

// Secrets Manager has no local engine; the SDK mock stands in for it at the client boundary.
const secretsManager = mockClient(SecretsManagerClient);
const NAME = 'vigil/prod/banks/acme-bank/signing';
const current = newWebhookSecret();
const previous = newWebhookSecret();

beforeEach(() => {
  secretsManager.reset();
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-11-29T10:00:00Z'));
});
afterEach(() => vi.useRealTimers());

function store() {
  return new SecretsManagerSecretStore(new SecretsManagerClient({ region: 'eu-west-1' }));
}

describe('Secrets Manager secret store', () => {
  it('reads a JSON secret and serves it from cache for at most 5 minutes', async () => {
    secretsManager
      .on(GetSecretValueCommand, { SecretId: NAME })
      .resolves({ SecretString: JSON.stringify({ current }) });
    const secrets = store();

    expect(await secrets.getJson(NAME)).toEqual({ current });
    vi.setSystemTime(new Date('2026-11-29T10:04:59Z'));
    expect(await secrets.getJson(NAME)).toEqual({ current });
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);

    secretsManager
      .on(GetSecretValueCommand, { SecretId: NAME })
      .resolves({ SecretString: JSON.stringify({ current: previous }) });
    vi.setSystemTime(new Date('2026-11-29T10:05:01Z'));
    expect(await secrets.getJson(NAME)).toEqual({ current: previous });
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('answers undefined for a missing secret and remembers that for a minute', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));
    const secrets = store();

    expect(await secrets.getJson('vigil/prod/banks/nobody/signing')).toBeUndefined();
    expect(await secrets.getJson('vigil/prod/banks/nobody/signing')).toBeUndefined();
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    vi.setSystemTime(new Date('2026-11-29T10:01:01Z'));
    expect(await secrets.getJson('vigil/prod/banks/nobody/signing')).toBeUndefined();
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('lets other failures through, so the request fails instead of passing as unknown', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    await expect(store().getJson(NAME)).rejects.toThrow();
  });

  it('refuses a cache age over 5 minutes', () => {
    expect(() => new SecretsManagerSecretStore(new SecretsManagerClient({}), 301)).toThrow(RangeError);
  });

  it('gives both keys of a rotation, current first', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: NAME }).resolves({
      SecretString: JSON.stringify({ current, previous }),
    });
    expect(await new SecretStoreBankSecrets(store(), 'vigil/prod').signingSecrets('acme-bank')).toEqual([
      current,
      previous,
    ]);
  });
});
