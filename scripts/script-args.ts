import { parseArgs } from 'node:util';

/** The flags a script takes, as node:util's parseArgs describes them. */
type Options = Record<string, { type: 'string' | 'boolean'; short?: string; default?: string | boolean }>;

/**
 * Parses a script's flags (no positionals): `--help` prints the usage and exits 0; an unknown or malformed flag prints
 * what is wrong and the usage on stderr and exits 2, as every command of the CLI does.
 */
export function scriptArgs<const T extends Options>(usage: string, options: T, argv: string[] = process.argv.slice(2)) {
  try {
    const { values } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true });
    if ((values as { help?: boolean }).help) {
      process.stdout.write(usage);
      process.exit(0);
    }
    return values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}`);
    process.exit(2);
  }
}

/** A flag's value as an integer of at least `min` (1 by default); anything else prints the usage and exits 2. */
export function integerFlag(flag: string, value: string | undefined, usage: string, min = 1): number {
  const n = Number(value);
  if (value === undefined || !/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
    process.stderr.write(`--${flag}: expected an integer >= ${min}, got ${JSON.stringify(value)}\n\n${usage}`);
    process.exit(2);
  }
  return n;
}
