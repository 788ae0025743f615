import { resolve } from 'node:path';
import { compileAsl, isSluiceError } from '../../lib/index.ts';
import { CliUsageError, EXIT, parseCommandArgs } from './cli.ts';
import { loadCheckedPipeline } from './load-pipeline.ts';

const USAGE = `Usage: sluice validate <pipeline.ts>... [--asl | --spec | --json]

Checks pipelines (one or more files, e.g. pipelines/*.ts) before any data moves and lists every problem with its
path: the definition (names, references, rules, triggers), then, with DuckDB, each feature step's SQL and each sql
rule bound against empty tables of the declared columns (types included), referential rules' column types, and
each model file (present, readable, fitting the feature step's columns). Checks that need a schema nobody
declared are listed as not run. Nothing is uploaded and nothing runs.
  --asl    print the compiled Amazon States Language document
  --spec   print the compiled plain-JSON spec
  --json   print the result as JSON: { valid, pipeline, steps, triggers, notChecked } (an array for several files)
  -h, --help

Exit codes: 0 valid, 2 invalid (every problem on stderr).
`;

/** What --json prints for one pipeline file. */
type ValidateResult =
  | { file: string; valid: true; pipeline: string; steps: number; triggers: number; notChecked: string[] }
  | { file: string; valid: false; problems: string[] };

/** `sluice validate`: checks definitions and everything that can be checked before a run; optionally prints a spec or ASL. */
export async function validateCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    { asl: { type: 'boolean' }, spec: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  if ((values.asl || values.spec) && positionals.length > 1)
    throw new CliUsageError('--asl and --spec print one pipeline: give one file', USAGE);
  if (positionals.length === 0) await loadCheckedPipeline(undefined, USAGE);
  const results: ValidateResult[] = [];
  for (const file of positionals) {
    let loaded: Awaited<ReturnType<typeof loadCheckedPipeline>>;
    try {
      loaded = await loadCheckedPipeline(file, USAGE);
    } catch (error) {
      // With several files, each one's problems are listed and the others still checked.
      if (positionals.length === 1 || !(isSluiceError(error) || error instanceof CliUsageError)) throw error;
      process.stderr.write(`sluice: ${resolve(file)}: ${(error as Error).message}\n`);
      results.push({ file: resolve(file), valid: false, problems: isSluiceError(error) ? [...error.details] : [(error as Error).message] });
      continue;
    }
    const { spec, path, notChecked } = loaded;
    results.push({ file: path, valid: true, pipeline: spec.name, steps: spec.steps.length, triggers: spec.triggers.length, notChecked });
    if (values.asl) process.stdout.write(`${JSON.stringify(compileAsl(spec), null, 2)}\n`);
    else if (values.spec) process.stdout.write(`${JSON.stringify(spec, null, 2)}\n`);
    else if (!values.json) {
      process.stdout.write(
        `${path}: pipeline ${spec.name} is valid (${count(spec.steps.length, 'step')}, ${count(spec.triggers.length, 'trigger')})\n`,
      );
    }
    if (!values.json) for (const line of notChecked) process.stderr.write(`sluice: not checked: ${spec.name}: ${line}\n`);
  }
  if (values.json) process.stdout.write(`${JSON.stringify(results.length === 1 ? results[0] : results, null, 2)}\n`);
  const invalid = results.filter((r) => !r.valid).length;
  if (invalid > 0) process.stderr.write(`sluice: ${invalid} of ${positionals.length} pipeline files are invalid\n`);
  return invalid > 0 ? EXIT.invalid : EXIT.ok;
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
