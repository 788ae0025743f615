import { resolve } from 'node:path';
import { importPipelineModule } from '../../core/pipeline-module.ts';
import { isSluiceError, parsePipelineSpec, type PipelineSpec } from '../../lib/index.ts';
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
