import { dirname, resolve } from 'node:path';
import { importPipelineModule } from '../../core/pipeline-module.ts';
import { isSluiceError, parsePipelineSpec, PipelineDefinitionError, type PipelineSpec } from '../../lib/index.ts';
import { checkBeforeRun, type PreRunReport } from '../../lib/local/index.ts';
import { CliUsageError } from './cli.ts';

/** Imports a pipeline module (its default export, or an export named `pipeline`) and validates it. */
export async function loadPipeline(file: string | undefined, usage: string): Promise<{ spec: PipelineSpec; path: string }> {
  if (!file) throw new CliUsageError('missing the pipeline file', usage);
  let exported: unknown;
  try {
    exported = await importPipelineModule(file);
  } catch (error) {
    // A file that is missing or exports nothing is a usage problem; one that fails to import or define says why on its own.
    if (isSluiceError(error) && /^PIPELINE_MODULE_(MISSING|EXPORT)$/.test(error.code)) throw new CliUsageError(error.message, usage);
    throw error;
  }
  return { spec: parsePipelineSpec(exported), path: resolve(file) };
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
