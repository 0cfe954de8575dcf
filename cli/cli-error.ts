/** An error the CLI reports in one line, with its exit code: 1 for a failed operation, 2 for bad usage. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}
