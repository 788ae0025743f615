/** Where the statistics of a dataset's published batches are kept for drift rules: `_sluice/metrics/<prefix>/<batch>.json`. */
export function metricsHistoryPrefix(dataset: { readonly bucket: string; readonly prefix: string }): { bucket: string; prefix: string } {
  return { bucket: dataset.bucket, prefix: `_sluice/metrics/${dataset.prefix}` };
}

/** The sample of rows that broke each failed data test, kept beside a quarantined batch's data (not part of it). */
export const FAILING_ROWS_FILE = 'failing-rows.parquet';
