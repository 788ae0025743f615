import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SluiceError } from '../../core/errors.ts';
import { importPipelineModule, PIPELINE_MODULE_PATTERN } from '../../core/pipeline-module.ts';
import { parsePipelineSpec } from '../definition/define-pipeline.ts';
import type { PipelineSpec } from '../definition/pipeline-schema.ts';

/** A pipeline and the module file it came from (model `source` paths are relative to that file's folder). */
export interface PipelineModule {
  readonly spec: PipelineSpec;
  readonly file: string;
}

/**
 * Imports every pipeline module in a folder (`*.ts`, `*.js`, `*.mjs`; not `*.d.ts` or `*.test.*`), in name order, each
 * validated. Fails naming every module that cannot be imported or validated, and two modules with one pipeline name.
 */
export async function loadPipelines(dir: string | URL): Promise<PipelineModule[]> {
  const folder = dir instanceof URL ? fileURLToPath(dir) : dir;
  const names = await readdir(folder).catch((error: unknown) => {
    throw new SluiceError('PIPELINE_MODULE_MISSING', `pipelines folder ${folder} cannot be read: ${(error as Error).message}`, {
      cause: error,
    });
  });
  const files = names
    .filter((n) => PIPELINE_MODULE_PATTERN.test(n) && !/\.d\.[cm]?ts$/.test(n) && !/\.(test|spec)\./.test(n))
    .sort()
    .map((n) => join(folder, n));
  const loaded: PipelineModule[] = [];
  const problems: string[] = [];
  for (const file of files) {
    try {
      loaded.push({ spec: parsePipelineSpec(await importPipelineModule(file)), file });
    } catch (error) {
      problems.push(`${file}: ${(error as Error).message}`);
    }
  }
  const byName = Map.groupBy(loaded, (p) => p.spec.name);
  for (const [name, same] of byName) {
    if (same.length > 1) problems.push(`pipeline name ${JSON.stringify(name)} is defined by ${same.map((p) => p.file).join(' and ')}`);
  }
  if (problems.length > 0) {
    throw new SluiceError('PIPELINE_MODULE_INVALID', `cannot deploy the pipelines in ${folder}:\n  ${problems.join('\n  ')}`, {
      details: problems,
    });
  }
  if (loaded.length === 0) throw new SluiceError('PIPELINE_MODULE_MISSING', `no pipeline modules (*.ts, *.js, *.mjs) in ${folder}`);
  return loaded;
}
