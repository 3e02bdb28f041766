/**
 * CLI failures with their exit codes (DESIGN §8.2): 1 = the operation failed, 2 = bad usage, 3 = the operation
 * completed but records failed (`bcsync full-sync`).
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: 1 | 2 | 3 = 1,
  ) {
    super(message);
  }
}

/** Bad usage: exit code 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
  }
}
