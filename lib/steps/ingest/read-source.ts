import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { SluiceError } from '../../../core/errors.ts';
import { ident, literal, type DuckDb } from '../../runtime/duckdb.ts';
import type { DatasetSpec } from '../../definition/pipeline-schema.ts';

/** A raw source opened as the relation `raw`: every column as text and, unless read in order (CSV), `__record`. */
export interface OpenedSource {
  /** Column names the source has (a CSV header, a Parquet schema, the keys present in any JSON Lines record). */
  readonly columns: string[];
  /** True when the source has no record to take columns from (JSON Lines without an object), so none can be missing. */
  readonly columnless?: boolean;
  /**
   * SQL for the 1-based record number of a row of `checked` once finish() ran: its `__record`, or for a CSV its place
   * in the file (DuckDB keeps the file's order in `checked`) plus the unreadable records before it.
   */
  readonly record: string;
  /**
   * Called once `checked` (built from `raw`) exists: fills `raw_rejects` (`__record`, `__reason`, `__raw`) with the
   * records the parser could not read, and returns how many.
   */
  finish(): Promise<number>;
}

/**
 * Opens a raw object as `raw`; a CSV is read in the same scan that types it (see {@link OpenedSource.finish}).
 * `raw` has every column of the source, and (JSON Lines) every declared column even where no record has it.
 */
export async function openSource(db: DuckDb, file: string, dataset: DatasetSpec, sourceKey: string): Promise<OpenedSource> {
  if (dataset.format === 'csv') return loadCsv(db, file, dataset, sourceKey);
  if (dataset.format === 'jsonl') return loadJsonLines(db, file, dataset, sourceKey);
  // Parquet compresses inside the file; a whole gzip-compressed file is unpacked first, as CSV and JSON Lines are.
  const parquet = file.endsWith('.gz') ? await gunzipFile(file, sourceKey) : file;
  try {
    await db.run(`CREATE TABLE raw_typed AS SELECT * FROM read_parquet(${literal(parquet)}, hive_partitioning = false)`);
  } catch (error) {
    throw unreadable(sourceKey, dataset.format, error);
  }
  const described = await db.all(`SELECT column_name, column_type FROM (DESCRIBE raw_typed)`);
  const columns = described.map((r) => String(r.column_name));
  // Nested values become JSON text, like JSON Lines values, rather than DuckDB's struct notation.
  const asText = described
    .map((r) => {
      const c = ident(String(r.column_name));
      return /STRUCT|MAP|\[\]$|UNION/.test(String(r.column_type)) ? `to_json(${c})::VARCHAR AS ${c}` : `CAST(${c} AS VARCHAR) AS ${c}`;
    })
    .join(', ');
  await db.run(`CREATE TABLE raw AS SELECT row_number() OVER () AS __record, ${asText} FROM raw_typed; DROP TABLE raw_typed`);
  await db.run(`CREATE TABLE raw_rejects (__record BIGINT, __reason VARCHAR, __raw VARCHAR)`);
  return { columns, record: '__record', finish: async () => 0 };
}

/**
 * JSON Lines, one record per line: each line is checked on its own, so a malformed line is rejected with its
 * line number instead of failing the file. Values are read as text (nested values as JSON text).
 */
async function loadJsonLines(db: DuckDb, file: string, dataset: DatasetSpec, sourceKey: string): Promise<OpenedSource> {
  // JSON text cannot contain a raw \x01, so it is a safe "delimiter" that keeps each line whole.
  const options = `header = false, auto_detect = false, columns = {'line': 'VARCHAR'}, delim = '\x01', quote = '', escape = '',
    store_rejects = true, max_line_size = 16777216, hive_partitioning = false`;
  try {
    await db.run(`CREATE TABLE lines AS SELECT row_number() OVER () AS __record, line,
      CASE WHEN json_valid(line) THEN json_type(line::JSON) END AS __kind
      FROM read_csv(${literal(file)}, ${options})`);
  } catch (error) {
    throw unreadable(sourceKey, 'jsonl', error);
  }
  // Keys in order of first appearance (record, then position in it), so extra columns keep the producer's order.
  const present = (
    await db.all(`SELECT k FROM (
        SELECT __record, unnest(json_keys(line)) AS k, unnest(range(len(json_keys(line)))) AS i
        FROM lines WHERE __kind = 'OBJECT')
      GROUP BY k ORDER BY min(__record), arg_min(i, __record), k`)
  ).map((r) => String(r.k));
  const [{ objects }] = (await db.all(`SELECT count(*) AS objects FROM lines WHERE __kind = 'OBJECT'`)) as [{ objects: number }];
  const declared = dataset.columns?.map((c) => c.name) ?? [];
  // Keys starting with "__" would collide with Sluice's own columns; they are never read (and never declared).
  const columns = [...declared, ...present.filter((k) => !declared.includes(k) && !k.startsWith('__'))];
  await db.run(`CREATE TABLE raw_rejects AS
    SELECT __record, CASE WHEN __kind IS NULL THEN 'not valid JSON' ELSE 'expected a JSON object, got ' || lower(__kind) END AS __reason,
           left(line, 10000) AS __raw
    FROM lines WHERE trim(coalesce(line, '')) <> '' AND coalesce(__kind, '') <> 'OBJECT'
    UNION ALL
    SELECT line, error_type || ': ' || error_message, NULL FROM reject_errors`);
  const values = columns.map((c) => `json_extract_string(line, ${literal(`$."${c}"`)}) AS ${ident(c)}`).join(', ');
  await db.run(`CREATE VIEW raw AS SELECT __record${values ? `, ${values}` : ''} FROM lines WHERE __kind = 'OBJECT'`);
  return { columns: present, columnless: objects === 0, record: '__record', finish: async () => count(db, 'raw_rejects') };
}

async function loadCsv(db: DuckDb, file: string, dataset: DatasetSpec, sourceKey: string): Promise<OpenedSource> {
  const dialect = { delimiter: dataset.csv?.delimiter ?? ',', quote: dataset.csv?.quote ?? '"', header: dataset.csv?.header ?? true };
  const escape = dataset.csv?.escape ?? dialect.quote;
  // Without a header line the declared columns, in order, name the fields.
  const columns = dialect.header ? await readCsvHeader(file, sourceKey, dialect) : (dataset.columns ?? []).map((c) => c.name);
  const declared = `{${columns.map((c) => `${literal(c)}: 'VARCHAR'`).join(', ')}}`;
  // The header is parsed here, so DuckDB's sniffer cannot misread a damaged file; bad records go to reject_errors.
  const options = `header = false, skip = ${dialect.header ? 1 : 0}, auto_detect = false, columns = ${declared},
    delim = ${literal(dialect.delimiter)}, quote = ${literal(dialect.quote)}, escape = ${literal(escape)},
    store_rejects = true, strict_mode = true, max_line_size = 16777216, hive_partitioning = false`;
  // A view: the file is parsed once, in the scan that types it, on every thread. Records are numbered by their place in
  // `checked` rather than by row_number() here, which would put that whole scan on one thread.
  await db.run(`CREATE VIEW raw AS SELECT * FROM read_csv(${literal(file)}, ${options})`);
  const headerLines = dialect.header ? 1 : 0;
  return {
    columns,
    record: '(checked.rowid + 1 + (SELECT count(*) FROM record_shifts s WHERE s.valid_before < checked.rowid + 1))',
    async finish() {
      // reject_errors counts file lines; after a header line, record = line - 1 (for records without embedded newlines).
      await db.run(`CREATE TABLE raw_rejects AS
        SELECT min(line) - ${headerLines} AS __record, string_agg(DISTINCT error_type || ': ' || error_message, '; ') AS __reason,
               trim(any_value(csv_line), E'\\r\\n') AS __raw
        FROM reject_errors GROUP BY line ORDER BY line`);
      // Each parsed record's number grows by the unreadable records before it: one per such record with fewer parsed ones before it.
      await db.run(
        `CREATE TABLE record_shifts AS SELECT __record - row_number() OVER (ORDER BY __record) AS valid_before FROM raw_rejects`,
      );
      return count(db, 'raw_rejects');
    },
  };
}

async function count(db: DuckDb, table: string): Promise<number> {
  const [{ n }] = (await db.all(`SELECT count(*) AS n FROM ${table}`)) as [{ n: number }];
  return n;
}

/** Reads the header line of a CSV (UTF-8, optional BOM, LF or CRLF, quoted names allowed). */
export async function readCsvHeader(
  file: string,
  sourceKey: string,
  dialect: { delimiter: string; quote: string } = { delimiter: ',', quote: '"' },
): Promise<string[]> {
  const buffer = await readHead(file, 1 << 20, sourceKey);
  const bytesRead = buffer.length;
  if (bytesRead === 0) throw new SluiceError('INGEST_EMPTY', `${sourceKey}: the file is empty; expected a CSV header line`);
  let text = buffer.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.includes('\u0000')) throw new SluiceError('INGEST_NOT_CSV', `${sourceKey}: contains NUL bytes; expected a UTF-8 text CSV`);
  const end = text.indexOf('\n');
  if (end < 0 && bytesRead === 1 << 20) throw new SluiceError('INGEST_HEADER', `${sourceKey}: no header line in the first 1 MiB`);
  const line = (end < 0 ? text : text.slice(0, end)).replace(/\r$/, '');
  if (line.includes('\uFFFD')) {
    throw new SluiceError(
      'INGEST_ENCODING',
      `${sourceKey}: the header line is not valid UTF-8; expected a UTF-8 CSV (with or without BOM)`,
    );
  }
  const names = splitCsvLine(line, dialect.delimiter, dialect.quote);
  const problems = names.flatMap((n, i) =>
    n.trim() === ''
      ? [`column ${i + 1} has an empty name`]
      : n.startsWith('__')
        ? [`column "${n}": names starting with "__" are reserved`]
        : [],
  );
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) problems.push(`column "${n}" appears twice`);
    seen.add(n);
  }
  if (problems.length > 0) {
    throw new SluiceError(
      'INGEST_HEADER',
      `${sourceKey}: invalid header line ${JSON.stringify(line.slice(0, 200))}: ${problems.join('; ')}`,
    );
  }
  return names;
}

/** The first bytes of a file, decompressed when it is gzip (`.gz`). */
async function readHead(file: string, limit: number, sourceKey: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const source = createReadStream(file);
  const stream = file.endsWith('.gz') ? source.pipe(createGunzip()) : source;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) break;
    }
  } catch (error) {
    throw new SluiceError('INGEST_UNREADABLE', `${sourceKey}: cannot be decompressed as gzip: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    source.destroy();
  }
  return Buffer.concat(chunks).subarray(0, limit);
}

/** Unpacks a gzip file next to itself, naming the object when it is not gzip. */
async function gunzipFile(file: string, sourceKey: string): Promise<string> {
  const out = file.replace(/\.gz$/, '');
  try {
    await pipeline(createReadStream(file), createGunzip(), createWriteStream(out));
  } catch (error) {
    throw new SluiceError('INGEST_UNREADABLE', `${sourceKey}: cannot be decompressed as gzip: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return out;
}

function splitCsvLine(line: string, delimiter: string, quote: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === quote && line[i + 1] === quote) {
        field += quote;
        i++;
      } else if (ch === quote) quoted = false;
      else field += ch;
    } else if (ch === quote) quoted = true;
    else if (ch === delimiter) {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out;
}

/** The error for a file that cannot be read at all, naming the object and DuckDB's first line. */
export function unreadable(sourceKey: string, format: string, error: unknown): SluiceError {
  const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  return new SluiceError('INGEST_UNREADABLE', `${sourceKey}: cannot be read as ${format}: ${reason}`, { cause: error });
}
