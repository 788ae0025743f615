/** Where the statistics of a dataset's published batches are kept for drift rules: `_sluice/metrics/<prefix>/<batch>.json`. */
export function metricsHistoryPrefix(dataset: { readonly bucket: string; readonly prefix: string }): { bucket: string; prefix: string } {
  return { bucket: dataset.bucket, prefix: `_sluice/metrics/${dataset.prefix}` };
}
