import { existsSync } from 'node:fs';
import { openStoredObjects, pipelineDatasets, scannedDatasets, type StoredDataset, type StoredObjects } from '../../lib/local/index.ts';
import { CliUsageError } from './cli.ts';
import { loadPipeline } from './load-pipeline.ts';

/** The options `sluice ls` and `sluice show` share: where the objects are and which pipeline's datasets to look at. */
export const EXPLORE_OPTIONS = {
  'state-dir': { type: 'string' },
  s3: { type: 'boolean' },
  bucket: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** How the shared options read once parsed. */
export interface ExploreValues {
  readonly 'state-dir'?: string;
  readonly s3?: boolean;
  readonly bucket?: string[];
}

/**
 * Opens the objects (`--state-dir`, default .sluice, or `--s3`) and finds the datasets: a pipeline file's own (its
 * definition says where they are and what they are), else every dataset with batch records in the state directory's
 * buckets or the `--bucket`s given, optionally of one pipeline by name.
 */
export async function exploreSource(
  values: ExploreValues,
  pipeline: string | undefined,
  usage: string,
): Promise<{ objects: StoredObjects; datasets: StoredDataset[] }> {
  if (values.s3 && values['state-dir'] !== undefined) throw new CliUsageError('give --state-dir or --s3, not both', usage);
  const file = pipeline !== undefined && /\.(ts|mts|js|mjs)$/.test(pipeline) ? pipeline : undefined;
  if (file !== undefined && !existsSync(file)) throw new CliUsageError(`pipeline file ${file} does not exist`, usage);
  const spec = file === undefined ? undefined : (await loadPipeline(file, usage)).spec;
  const buckets = values.bucket ?? [];
  if (values.s3 && !spec && buckets.length === 0) {
    throw new CliUsageError(
      '--s3 needs the pipeline file (its datasets say where to look) or --bucket <name> for each bucket to scan',
      usage,
    );
  }
  const objects = await openStoredObjects(values.s3 ? { s3: true } : { stateDir: values['state-dir'] });
  try {
    const progress = (message: string) => process.stderr.write(`sluice: ${message}\n`);
    const datasets = spec
      ? await pipelineDatasets(objects.store, spec)
      : await scannedDatasets(objects.store, buckets.length > 0 ? buckets : (objects.buckets ?? []), {
          ...(pipeline !== undefined ? { pipeline } : {}),
          onProgress: progress,
        });
    return { objects, datasets };
  } catch (error) {
    await objects.close();
    throw error;
  }
}
