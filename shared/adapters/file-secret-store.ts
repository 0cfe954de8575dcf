import { readFile } from 'node:fs/promises';
import type { SecretStore } from '../ports/secret-store.ts';

/**
 * Local mode's stand-in for Secrets Manager: a JSON file mapping secret names to the same JSON
 * values the secrets hold in AWS. Read on every call, so `vigil` commands take effect at once.
 */
export class FileSecretStore implements SecretStore {
  constructor(private readonly path: string) {}

  async getJson(name: string): Promise<unknown> {
    const secrets = JSON.parse(await readFile(this.path, 'utf8')) as Record<string, unknown>;
    return Object.hasOwn(secrets, name) ? secrets[name] : undefined;
  }
}
