import type { StoredDataset } from './find-datasets.ts';
import type { DatasetRows } from './dataset-query.ts';

/** Widest a cell of `sluice show` is printed; longer values end with "…" (JSON and CSV keep them whole). */
const CELL_WIDTH = 40;

const count = (n: number): string => n.toLocaleString('en-US');

/** A byte count for people: `812 B`, `4.2 KiB`, `1.3 MiB`, `2.1 GiB`. */
export function bytesText(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** Lays out rows of cells in columns, right-aligning the columns `right` names. */
function table(rows: readonly string[][], right: ReadonlySet<number> = new Set()): string[] {
  const widths = rows.reduce<number[]>((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
  return rows.map((r) =>
    r
      .map((c, i) => (right.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** A dataset's totals: batches (or uploaded files), rows and bytes. */
export function datasetTotals(d: StoredDataset): { batches: number; rows?: number; bytes: number; latest?: string } {
  if (d.state === 'upload') {
    const latest = d.uploads?.reduce<(typeof d.uploads)[number] | undefined>(
      (a, b) => (!a || (b.lastModified?.getTime() ?? 0) >= (a.lastModified?.getTime() ?? 0) ? b : a),
      undefined,
    );
    return {
      batches: d.uploads?.length ?? 0,
      bytes: d.uploads?.reduce((n, o) => n + o.size, 0) ?? 0,
      ...(latest ? { latest: latest.key.slice(latest.key.lastIndexOf('/') + 1) } : {}),
    };
  }
  return {
    batches: d.batches.length,
    rows: d.batches.reduce((n, b) => n + b.rows, 0),
    bytes: d.batches.reduce((n, b) => n + b.files.reduce((m, f) => m + f.bytes, 0), 0),
    ...(d.batches.length > 0 ? { latest: d.batches.at(-1)!.batch } : {}),
  };
}

/** `sluice ls` for people: one line per dataset (its state, batches, rows, bytes, latest batch), optionally each batch. */
export function formatDatasets(datasets: readonly StoredDataset[], where: string, options: { batches?: boolean } = {}): string {
  const out = [`objects: ${where}`, ''];
  if (datasets.length === 0) return `${out.join('\n')}no datasets with batches found\n`;
  const header = ['dataset', 'state', 'location', 'batches', 'rows', 'bytes', 'latest'];
  const rows = datasets.map((d) => {
    const t = datasetTotals(d);
    return [
      d.pipeline ? `${d.pipeline}.${d.ref}` : d.ref,
      d.state ?? '-',
      `s3://${d.spec.bucket}/${d.spec.prefix}`,
      d.state === 'upload' ? `${count(t.batches)} file${t.batches === 1 ? '' : 's'}` : count(t.batches),
      t.rows === undefined ? '' : count(t.rows),
      bytesText(t.bytes),
      t.latest ?? '',
    ];
  });
  out.push(...table([header, ...rows], new Set([3, 4, 5])));
  if (options.batches) {
    for (const d of datasets) {
      if (d.batches.length === 0) continue;
      out.push('', `${d.pipeline ? `${d.pipeline}.${d.ref}` : d.ref} (${d.state ?? '-'}):`);
      const lines = d.batches.map((b) => [
        `  ${b.batch}`,
        b.time,
        `${count(b.rows)} rows`,
        bytesText(b.files.reduce((n, f) => n + f.bytes, 0)),
        `${b.step} (${b.execution.id.slice(b.execution.id.lastIndexOf(':') + 1)})`,
      ]);
      out.push(...table(lines, new Set([2, 3])));
    }
  }
  return `${out.join('\n')}\n`;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > CELL_WIDTH ? `${flat.slice(0, CELL_WIDTH - 1)}…` : flat;
}

/** `sluice show` for people: the rows as a table (long values cut), numbers right-aligned. */
export function formatRows(result: DatasetRows): string {
  const numeric = new Set(
    result.columns.flatMap((c, i) => (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|U\w*INT|FLOAT|DOUBLE|DECIMAL)/.test(c.type) ? [i] : [])),
  );
  const header = result.columns.map((c) => c.name);
  const rows = result.rows.map((r) => result.columns.map((c) => cell(r[c.name])));
  return `${table([header, header.map((h, i) => '-'.repeat(Math.max(h.length, ...rows.map((r) => r[i]!.length)))), ...rows], numeric).join('\n')}\n`;
}

/** The rows as CSV (RFC 4180: a header line, fields quoted when they hold a comma, quote or line break). */
export function rowsCsv(result: DatasetRows): string {
  const field = (value: unknown): string => {
    if (value === null || value === undefined) return '';
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [
    result.columns.map((c) => field(c.name)).join(','),
    ...result.rows.map((r) => result.columns.map((c) => field(r[c.name])).join(',')),
  ];
  return `${lines.join('\r\n')}\r\n`;
}
