import { compileAsl } from '../../lib/index.ts';
import { EXIT, parseCommandArgs } from './cli.ts';
import { loadPipeline } from './load-pipeline.ts';

const USAGE = `Usage: sluice validate <pipeline.ts> [--asl] [--spec]

Checks a pipeline definition and lists every problem with its path.
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
  const { spec, path } = await loadPipeline(positionals[0], USAGE);
  if (values.asl) process.stdout.write(`${JSON.stringify(compileAsl(spec), null, 2)}\n`);
  else if (values.spec) process.stdout.write(`${JSON.stringify(spec, null, 2)}\n`);
  else process.stdout.write(`${path}: pipeline ${spec.name} is valid (${spec.steps.length} steps, ${spec.triggers.length} triggers)\n`);
  return EXIT.ok;
}
