import type { SecretStore } from '../../../shared/ports/secret-store.ts';

/** JSON secrets by name in memory, as Secrets Manager or local mode's file holds them. */
export class FakeSecretStore implements SecretStore {
  private readonly secrets: Map<string, unknown>;

  constructor(secrets: Readonly<Record<string, unknown>> = {}) {
    this.secrets = new Map(Object.entries(secrets));
  }

  async getJson(name: string): Promise<unknown> {
    return structuredClone(this.secrets.get(name));
  }
}
