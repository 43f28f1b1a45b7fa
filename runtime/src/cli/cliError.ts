// An error the CLI reports as one line and a documented exit code (1 failure, 2 usage or missing key).
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
