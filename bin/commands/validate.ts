import { compileAsl } from '../../lib/index.ts';
import { EXIT, parseCommandArgs } from './cli.ts';
import { loadCheckedPipeline } from './load-pipeline.ts';

const USAGE = `Usage: sluice validate <pipeline.ts> [--asl | --spec | --json]

Checks a pipeline before any data moves and lists every problem with its path: the definition (names,
references, rules, triggers), then, with DuckDB, each feature step's SQL and each sql rule bound against empty
tables of the declared columns (types included), referential rules' column types, and each model file (present,
readable, fitting the feature step's columns). Checks that need a schema nobody declared are listed as not run.
Nothing is uploaded and nothing runs.
  --asl    print the compiled Amazon States Language document
  --spec   print the compiled plain-JSON spec
  --json   print the result as JSON: { valid, pipeline, steps, triggers, notChecked }
  -h, --help

Exit codes: 0 valid, 2 invalid (every problem on stderr).
`;

/** `sluice validate`: checks a definition and everything that can be checked before a run; optionally prints its spec or ASL. */
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
  const { spec, path, notChecked } = await loadCheckedPipeline(positionals[0], USAGE);
  if (values.asl) process.stdout.write(`${JSON.stringify(compileAsl(spec), null, 2)}\n`);
  else if (values.spec) process.stdout.write(`${JSON.stringify(spec, null, 2)}\n`);
  else if (values.json) {
    const result = { valid: true, pipeline: spec.name, steps: spec.steps.length, triggers: spec.triggers.length, notChecked };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    process.stdout.write(`${path}: pipeline ${spec.name} is valid (${spec.steps.length} steps, ${spec.triggers.length} triggers)\n`);
  }
  if (!values.json) for (const line of notChecked) process.stderr.write(`sluice: not checked: ${line}\n`);
  return EXIT.ok;
}
