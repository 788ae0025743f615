import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isSluiceError, parsePipelineSpec, PipelineDefinitionError, type PipelineSpec } from '../../lib/index.ts';
import { checkBeforeRun, type PreRunReport } from '../../lib/local/index.ts';
import { CliUsageError } from './cli.ts';

/** Imports a pipeline module (its default export, or an export named `pipeline`) and validates it. */
export async function loadPipeline(file: string | undefined, usage: string): Promise<{ spec: PipelineSpec; path: string }> {
  if (!file) throw new CliUsageError('missing the pipeline file', usage);
  const path = resolve(file);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new CliUsageError(`pipeline file ${path} does not exist`, usage);
  const module = (await import(pathToFileURL(path).href)) as { default?: unknown; pipeline?: unknown };
  const exported = module.default ?? module.pipeline;
  if (exported === undefined) {
    throw new CliUsageError(`${path} exports no pipeline; expected "export default definePipeline({...})"`, usage);
  }
  return { spec: parsePipelineSpec(exported), path };
}

/**
 * Loads a pipeline and runs every check that can run before data moves. A definition with broken references still
 * has its other parts checked, so one pass lists every problem; throws {@link PipelineDefinitionError} naming them all.
 */
export async function loadCheckedPipeline(
  file: string | undefined,
  usage: string,
): Promise<{ spec: PipelineSpec; path: string } & PreRunReport> {
  let loaded: { spec: PipelineSpec; path: string; problems: string[] };
  try {
    loaded = { ...(await loadPipeline(file, usage)), problems: [] };
  } catch (error) {
    // The brand, not instanceof: the pipeline module may load its own copy of the package.
    const partial = isSluiceError(error) && error.code === 'SPEC_INVALID' ? (error as { spec?: PipelineSpec }).spec : undefined;
    if (!partial || !isSluiceError(error)) throw error;
    loaded = { spec: partial, path: resolve(file!), problems: [...error.details] };
  }
  const { spec, path } = loaded;
  const checked = await checkBeforeRun(spec, { baseDir: dirname(path), definitionProblems: loaded.problems });
  const problems = [...loaded.problems, ...checked.problems];
  if (problems.length > 0) throw new PipelineDefinitionError(JSON.stringify(spec.name), problems);
  return { spec, path, ...checked };
}
