import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Exit codes of every command. */
export const EXIT = { ok: 0, failed: 1, invalid: 2 } as const;

/** A command line that cannot be run as written; exits 2 with the command's usage. */
export class CliUsageError extends Error {
  readonly usage: string | undefined;
  constructor(message: string, usage?: string) {
    super(message);
    this.name = 'CliUsageError';
    this.usage = usage;
  }
}

/** Parses a command's arguments, turning parse errors into usage errors. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, usage: string) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliUsageError((error as Error).message, usage);
  }
}
