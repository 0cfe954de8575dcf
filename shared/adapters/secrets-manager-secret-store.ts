import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretStore } from '../ports/secret-store.ts';

/** At most 5 minutes, so a rotated or revoked secret is picked up within that time. */
export const MAX_SECRET_AGE_SECONDS = 300;
/** Unknown names are remembered briefly, so a flood of requests for made-up banks stays cheap. */
export const MISSING_SECRET_AGE_SECONDS = 60;

/** Secrets Manager through Powertools' cached provider. */
export class SecretsManagerSecretStore implements SecretStore {
  private readonly provider: SecretsProvider;
  private readonly missing = new Map<string, number>();

  constructor(
    client: SecretsManagerClient,
    private readonly maxAgeSeconds = MAX_SECRET_AGE_SECONDS,
    private readonly now: () => number = Date.now,
  ) {
    if (maxAgeSeconds > MAX_SECRET_AGE_SECONDS)
      throw new RangeError('Secrets may be cached for 5 minutes at most.');
    this.provider = new SecretsProvider({ awsSdkV3Client: client });
  }

  async getJson(name: string): Promise<unknown> {
    const missingUntil = this.missing.get(name);
    if (missingUntil !== undefined && missingUntil > this.now()) return undefined;
    try {
      return await this.provider.get(name, { maxAge: this.maxAgeSeconds, transform: 'json' });
    } catch (error) {
      if (isMissing(error)) {
        this.missing.set(name, this.now() + MISSING_SECRET_AGE_SECONDS * 1000);
        return undefined;
      }
      throw error;
    }
  }
}

/**
 * Not found, or access denied: the functions may read only the secrets under their name pattern,
 * so a made-up bank id can get AccessDeniedException (with the secret's ARN unknown, IAM cannot
 * say "not found"). Both mean "no such bank", hence 401, never a 500.
 */
function isMissing(error: unknown): boolean {
  const cause = error instanceof Error ? error.cause : undefined;
  return (
    cause instanceof Error &&
    ['ResourceNotFoundException', 'AccessDeniedException', 'AccessDenied'].includes(cause.name)
  );
}
