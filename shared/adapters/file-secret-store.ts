import { readFileSync, statSync } from 'node:fs';
import type { SecretStore } from '../ports/secret-store.ts';

const RECENT_MS = 1000;

/**
 * Local mode's stand-in for Secrets Manager: a JSON file mapping secret names to the same JSON
 * values the secrets hold in AWS. Read again whenever the file changed (its size or modification
 * time), so `vigil` commands take effect at once; otherwise the parsed content is
 * reused, which spares every request of local mode a read and a parse of the whole file.
 */
export class FileSecretStore implements SecretStore {
  private cached: { readonly version: string; readonly secrets: Record<string, unknown> } | undefined;

  constructor(private readonly path: string) {}

  async getJson(name: string): Promise<unknown> {
    const secrets = this.read();
    return Object.hasOwn(secrets, name) ? secrets[name] : undefined;
  }

  private read(): Record<string, unknown> {
    const stat = statSync(this.path, { bigint: true });
    const version = `${stat.size}:${stat.mtimeNs}:${stat.ino}`;
    // File times are coarse (a few ms): two writes of the same size may share one. A file
    // written within the last second is read every time, so no change is ever missed.
    const recent = Date.now() - Number(stat.mtimeMs) < RECENT_MS;
    if (recent || this.cached?.version !== version) {
      this.cached = {
        version,
        secrets: JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, unknown>,
      };
    }
    return this.cached.secrets;
  }
}
