/** Where the statistics of a dataset's published batches are kept for drift rules: `_sluice/metrics/<prefix>/<batch>.json`. */
export function metricsHistoryPrefix(dataset: { readonly bucket: string; readonly prefix: string }): { bucket: string; prefix: string } {
  return { bucket: dataset.bucket, prefix: `_sluice/metrics/${dataset.prefix}` };
}

/**
 * Where a dataset's batch records are kept: `<prefix>/_batches/<batch>.json`, one per batch, inside the dataset's prefix
 * (so the dataset's own access covers it) under a name Hive-style readers skip (a leading underscore).
 */
export function batchRecordsPrefix(dataset: { readonly prefix: string }): string {
  return `${dataset.prefix}/_batches`;
}

/** The key of a batch's data file or other object: `<prefix>/batch=<batch>/<file>`. */
export function batchObjectKey(dataset: { readonly prefix: string }, batch: string, file: string): string {
  return `${dataset.prefix}/batch=${batch}/${file}`;
}

/** The sample of rows that broke each failed data test, kept beside a quarantined batch's data (not part of it). */
export const FAILING_ROWS_FILE = 'failing-rows.parquet';

/**
 * Where a backfill's Distributed Map writes its results (ResultWriter): `_sluice/backfill/<pipeline>/<dataset>` in the
 * dataset's bucket, outside every dataset prefix so the files never start an upload run.
 */
export function backfillResultsPrefix(
  pipeline: string,
  dataset: { readonly bucket: string },
  ref: string,
): { bucket: string; prefix: string } {
  return { bucket: dataset.bucket, prefix: `_sluice/backfill/${pipeline}/${ref}` };
}

/**
 * Where a sharded scoring step keeps its work in its output's bucket: `_sluice/score-shards/<step>` (the plan, the
 * shards' items, the Distributed Map's results, a materialised input), outside every dataset prefix.
 */
export function scoreShardsPrefix(step: string): string {
  return `${SCRATCH_PREFIXES[2]}/${step}`;
}

/** The prefix under which step runs keep their records, in the pipeline's own bucket (the lineage outbox's). */
export const STEP_RECORDS_PREFIX = '_sluice/runs';

/** Where the step records of one execution are: `<prefix>/<pipeline>/<execution name>`. */
export function executionRecordsPrefix(prefix: string, pipeline: string, executionName: string): string {
  return `${prefix ? `${prefix}/` : ''}${pipeline}/${executionName}`;
}

/** The key of one step run's record: `<prefix>/<pipeline>/<execution name>/<step>.json`. */
export function stepRecordKey(prefix: string, pipeline: string, executionName: string, step: string): string {
  return `${executionRecordsPrefix(prefix, pipeline, executionName)}/${step}.json`;
}

/** The key of the marker an execution's alert leaves once published; step names start with a letter, so no record is named so. */
export function alertMarkerKey(prefix: string, pipeline: string, executionName: string): string {
  return `${executionRecordsPrefix(prefix, pipeline, executionName)}/_alert.json`;
}

/** The name of an execution, the last part of its ARN. */
export function executionName(executionArn: string): string {
  return executionArn.slice(executionArn.lastIndexOf(':') + 1);
}

/**
 * Where an ingest of a large object keeps its plan and its parts' counts: `_sluice/ingest-parts/<prefix>` in the staged
 * dataset's bucket, one folder per execution, outside every dataset prefix so nothing reads them as data.
 */
export function ingestPartsPrefix(staged: { readonly bucket: string; readonly prefix: string }): { bucket: string; prefix: string } {
  return { bucket: staged.bucket, prefix: `${SCRATCH_PREFIXES[0]}/${staged.prefix}` };
}

/** The prefix under which data-test steps audited in parts keep their parts' results. */
export const TEST_PARTS_ROOT = '_sluice/test-parts';

/**
 * The prefixes of work in progress the Distributed Maps leave behind (an ingest's parts, data-test partials, scoring
 * shards): read only by the execution that wrote them, so a bucket's lifecycle rules may expire them.
 */
export const SCRATCH_PREFIXES = ['_sluice/ingest-parts', TEST_PARTS_ROOT, '_sluice/score-shards'] as const;

/**
 * Where a data-test step audited in parts keeps the parts' results for its merge, in the staged dataset's bucket:
 * `_sluice/test-parts/<pipeline>/<execution name>/<step>`, outside every dataset prefix.
 */
export function testPartsPrefix(pipeline: string, executionName: string, step: string): string {
  return `${TEST_PARTS_ROOT}/${pipeline}/${executionName}/${step}`;
}
