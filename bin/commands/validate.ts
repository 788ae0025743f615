import { resolve } from 'node:path';
import { compileAsl, isSluiceError } from '../../lib/index.ts';
import { CliUsageError, EXIT, parseCommandArgs } from './cli.ts';
import { loadPipeline } from './load-pipeline.ts';

const USAGE = `Usage: sluice validate <pipeline.ts>... [--asl] [--spec]

Checks pipeline definitions (one or more files, e.g. pipelines/*.ts) and lists every problem with its path.
  --asl    print the compiled Amazon States Language document
  --spec   print the compiled plain-JSON spec
  -h, --help
`;

/** `sluice validate`: checks a definition, optionally printing its spec or ASL. */
export async function validateCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    { asl: { type: 'boolean' }, spec: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  if ((values.asl || values.spec) && positionals.length > 1)
    throw new CliUsageError('--asl and --spec print one pipeline: give one file', USAGE);
  if (positionals.length === 0) await loadPipeline(undefined, USAGE);
  let invalid = 0;
  for (const file of positionals) {
    let loaded: Awaited<ReturnType<typeof loadPipeline>>;
    try {
      loaded = await loadPipeline(file, USAGE);
    } catch (error) {
      // With several files, each one's problems are listed and the others still checked.
      if (positionals.length === 1 || !(isSluiceError(error) || error instanceof CliUsageError)) throw error;
      process.stderr.write(`sluice: ${resolve(file)}: ${(error as Error).message}\n`);
      invalid += 1;
      continue;
    }
    const { spec, path } = loaded;
    if (values.asl) process.stdout.write(`${JSON.stringify(compileAsl(spec), null, 2)}\n`);
    else if (values.spec) process.stdout.write(`${JSON.stringify(spec, null, 2)}\n`);
    else process.stdout.write(`${path}: pipeline ${spec.name} is valid (${spec.steps.length} steps, ${spec.triggers.length} triggers)\n`);
  }
  if (invalid > 0) process.stderr.write(`sluice: ${invalid} of ${positionals.length} pipeline files are invalid\n`);
  return invalid > 0 ? EXIT.invalid : EXIT.ok;
}
