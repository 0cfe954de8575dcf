/** A store of JSON secrets by name: Secrets Manager in AWS, a local file in local mode. */
export interface SecretStore {
  /** The parsed JSON value of the secret, or undefined when no secret has that name. */
  getJson(name: string): Promise<unknown>;
}
