import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parsePipelineSpec, type PipelineSpec } from '../../lib/index.ts';
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
