import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { SluiceError } from '../../../core/errors.ts';
import { ident, literal, type DuckDb } from '../../runtime/duckdb.ts';
import type { DatasetSpec } from '../../definition/pipeline-schema.ts';
import { bytes } from './byte-size.ts';
import type { RecordScanOptions } from './record-scan-options.ts';
import { scanTextSource } from './text-source.ts';

/** A column of `raw` holding each record's own text, which a rejected record keeps as its `raw`. */
export const RAW_TEXT = '__text';

/** Longest record ingest reads, in bytes; a longer one is rejected with its record number. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;
/** Line breaks one quoted CSV field may hold before its quote counts as never closed. */
export const MAX_RECORD_LINES = 1000;
// DuckDB reads the clean records, each with its record and line number in front, so it needs a little more room.
const MAX_LINE_SIZE = MAX_RECORD_BYTES + 64;

/** A raw source opened as the relation `raw`: `__record` (1-based record number), `__line` and every column as text. */
export interface OpenedSource {
  /** Column names the source has (a CSV header, a Parquet schema, the keys present in any JSON Lines record). */
  readonly columns: string[];
  /** True when the source has no record to take columns from (JSON Lines without an object), so none can be missing. */
  readonly columnless?: boolean;
  /** A problem of the file's structure as a whole (lines ending in more than one way). */
  readonly structure?: string;
  /** How the scanned lines ended (CSV and JSON Lines). */
  readonly lineEnds?: LineEnds;
  /** SQL for the 1-based record number of a row of `checked`: its `__record`, which the scanner numbered. */
  readonly record: string;
  /**
   * Called once `checked` (built from `raw`) exists: fills `raw_rejects` (`__record`, `__line`, `__reason`, `__raw`)
   * with the records the reader could not read, and returns how many.
   */
  finish(): Promise<number>;
}

/** Where a source may be unpacked and split, and how large it may be. */
export interface SourceLimits {
  /** A path in the step's scratch directory. */
  scratch(file: string): string;
  /** Largest size after decompression, in bytes. */
  readonly maxBytes: number;
  /** The setting the limit comes from, named in the error. */
  readonly limitName: string;
  /** Only the records of one part of the file (starting in its byte range, or its row groups), numbered as in the whole file. */
  readonly part?: SourcePart;
}

/** A part of a text source: its byte range, the numbers before it and (CSV, after the first part) the header it is typed by. */
export interface SourcePart {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  readonly firstRecord: number;
  readonly firstLine: number;
  readonly header?: string;
  readonly fields?: number;
}

/** The scan options and range that read one part as the whole file's scan reads it. */
function partScan(
  scan: RecordScanOptions,
  part: SourcePart | undefined,
): { scan: RecordScanOptions; range?: { start: number; end: number } } {
  if (!part) return { scan };
  const range = { start: part.start, end: part.end };
  if (part.index === 0) return { scan, range };
  const fields = part.fields ?? scan.fields;
  return {
    scan: { ...scan, header: false, ...(fields === undefined ? {} : { fields }), firstRecord: part.firstRecord, firstLine: part.firstLine },
    range,
  };
}

/**
 * Opens a raw object as `raw`. CSV and JSON Lines are first split into records by a bounded scanner (a stray quote
 * or an overlong line rejects one record, never the rest of the file); `raw` has every column of the source, and
 * (JSON Lines) every declared column even where no record has it.
 */
export async function openSource(
  db: DuckDb,
  file: string,
  dataset: DatasetSpec,
  sourceKey: string,
  limits: SourceLimits,
): Promise<OpenedSource> {
  if (dataset.format === 'csv') return loadCsv(db, file, dataset, sourceKey, limits);
  if (dataset.format === 'jsonl') return loadJsonLines(db, file, dataset, sourceKey, limits);
  return loadParquet(db, file, sourceKey, limits);
}

/**
 * Parquet, as a view over the file: its values as text (nested ones as JSON), each row numbered by DuckDB's own file
 * row number, so the one scan that types the rows streams on every thread instead of holding the file in memory.
 */
async function loadParquet(db: DuckDb, file: string, sourceKey: string, limits: SourceLimits): Promise<OpenedSource> {
  // Parquet compresses inside the file; a whole gzip-compressed file is unpacked first, as CSV and JSON Lines are.
  const parquet = file.endsWith('.gz') ? await gunzipFile(file, sourceKey, limits) : file;
  const size = (await stat(parquet)).size;
  if (size > limits.maxBytes) throw tooLarge(sourceKey, 'is', limits);
  const read = (numbered: boolean) =>
    `read_parquet(${literal(parquet)}, hive_partitioning = false${numbered ? ', file_row_number = true' : ''})`;
  let described: Array<Record<string, unknown>>;
  try {
    described = await db.all(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${read(false)})`);
  } catch (error) {
    throw unreadable(sourceKey, 'parquet', error);
  }
  const columns = described.map((r) => String(r.column_name));
  // Nested values become JSON text, like JSON Lines values, rather than DuckDB's struct notation.
  const asText = described
    .map((r) => {
      const c = ident(String(r.column_name));
      return /STRUCT|MAP|\[\]$|UNION/.test(String(r.column_type)) ? `to_json(${c})::VARCHAR AS ${c}` : `CAST(${c} AS VARCHAR) AS ${c}`;
    })
    .join(', ');
  // A part (some row groups of a larger file) numbers its rows on from the rows before it. A file with a column of
  // DuckDB's row-number name is numbered by a window over the scan instead (in file order, on one thread).
  const before = limits.part?.firstRecord ?? 0;
  const own = !columns.includes('file_row_number');
  await db.run(
    `CREATE VIEW raw AS SELECT ${before} + ${own ? 'file_row_number + 1' : 'row_number() OVER ()'} AS __record,
      CAST(NULL AS BIGINT) AS __line, ${asText} FROM ${read(own)}`,
  );
  await db.run(`CREATE TABLE raw_rejects (__record BIGINT, __line BIGINT, __reason VARCHAR, __raw VARCHAR)`);
  return { columns, record: '__record', finish: async () => 0 };
}

/** The records the scanner set aside, as `raw_rejects` rows, plus any DuckDB could still not read (`reject_errors`). */
async function collectRejects(db: DuckDb, rejectsFile: string, scanned: number, delimiter: string): Promise<number> {
  const fromScan =
    scanned > 0
      ? `SELECT record AS __record, line AS __line, reason AS __reason, raw AS __raw FROM read_json(${literal(rejectsFile)},
          format = 'newline_delimited', columns = {record: 'BIGINT', line: 'BIGINT', reason: 'VARCHAR', raw: 'VARCHAR'},
          maximum_object_size = ${MAX_LINE_SIZE * 2}, hive_partitioning = false)`
      : `SELECT NULL::BIGINT AS __record, NULL::BIGINT AS __line, NULL::VARCHAR AS __reason, NULL::VARCHAR AS __raw WHERE false`;
  // Each clean record starts with "<record><delimiter><line><delimiter>", so a record DuckDB refuses is still named.
  const d = literal(delimiter);
  await db.run(`CREATE TABLE raw_rejects AS ${fromScan}
    UNION ALL
    SELECT TRY_CAST(split_part(any_value(csv_line), ${d}, 1) AS BIGINT), TRY_CAST(split_part(any_value(csv_line), ${d}, 2) AS BIGINT),
           string_agg(DISTINCT error_type || ': ' || error_message, '; '),
           any_value(csv_line)[length(split_part(any_value(csv_line), ${d}, 1)) + length(split_part(any_value(csv_line), ${d}, 2)) + 3:]
    FROM reject_errors GROUP BY line`);
  return count(db, 'raw_rejects');
}

/**
 * JSON Lines, one record per line: each line is checked on its own, so a malformed line is rejected with its
 * line number instead of failing the file. Values are read as text (nested values as JSON text).
 */
async function loadJsonLines(
  db: DuckDb,
  file: string,
  dataset: DatasetSpec,
  sourceKey: string,
  limits: SourceLimits,
): Promise<OpenedSource> {
  const lines = partScan({ format: 'lines', header: false, maxRecordBytes: MAX_RECORD_BYTES, maxRecordLines: 0 }, limits.part);
  const scanned = await scanTextSource(
    {
      file,
      uri: sourceKey,
      maxBytes: limits.maxBytes,
      limitName: limits.limitName,
      cleanFile: limits.scratch('records.txt'),
      rejectsFile: limits.scratch('scan-rejects.jsonl'),
      ...(lines.range ? { range: lines.range } : {}),
    },
    lines.scan,
  );
  // JSON text cannot contain a raw \x01 (the scanner rejects lines that do), so it safely separates the line numbers.
  const options = `header = false, auto_detect = false, columns = {'__record': 'BIGINT', '__line': 'BIGINT', 'line': 'VARCHAR'},
    delim = '\x01', quote = '', escape = '', store_rejects = true, max_line_size = ${MAX_LINE_SIZE}, hive_partitioning = false`;
  try {
    await db.run(`CREATE TABLE lines AS SELECT __record, __line, line,
      CASE WHEN json_valid(line) THEN json_type(line::JSON) END AS __kind
      FROM read_csv(${literal(scanned.cleanFile)}, ${options})`);
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
  const values = columns.map((c) => `json_extract_string(line, ${literal(`$."${c}"`)}) AS ${ident(c)}`).join(', ');
  // The line itself goes along: a rejected record is kept as it came, not rebuilt from the columns (which depend on
  // the keys other records have, so would differ between the whole file and a part of it).
  await db.run(
    `CREATE VIEW raw AS SELECT __record, __line, line AS ${RAW_TEXT}${values ? `, ${values}` : ''} FROM lines WHERE __kind = 'OBJECT'`,
  );
  return {
    columns: present,
    record: '__record',
    columnless: objects === 0,
    lineEnds: scanned.lineEnds,
    ...structureOf(scanned.lineEnds),
    async finish() {
      await collectRejects(db, scanned.rejectsFile, scanned.rejected, '\x01');
      // A blank line is no record; any other line that is not a JSON object is rejected, whole.
      await db.run(`INSERT INTO raw_rejects
        SELECT __record, __line, CASE WHEN __kind IS NULL THEN 'not valid JSON' ELSE 'expected a JSON object, got ' || lower(__kind) END, line
        FROM lines WHERE trim(coalesce(line, '')) <> '' AND coalesce(__kind, '') <> 'OBJECT'`);
      return count(db, 'raw_rejects');
    },
  };
}

async function loadCsv(db: DuckDb, file: string, dataset: DatasetSpec, sourceKey: string, limits: SourceLimits): Promise<OpenedSource> {
  const dialect = { delimiter: dataset.csv?.delimiter ?? ',', quote: dataset.csv?.quote ?? '"', header: dataset.csv?.header ?? true };
  const escape = dataset.csv?.escape ?? dialect.quote;
  const declared = (dataset.columns ?? []).map((c) => c.name);
  const csv = partScan(
    {
      format: 'csv',
      delimiter: byte(dialect.delimiter),
      quote: byte(dialect.quote),
      escape: byte(escape),
      header: dialect.header,
      ...(dialect.header ? {} : { fields: declared.length }),
      maxRecordBytes: MAX_RECORD_BYTES,
      maxRecordLines: MAX_RECORD_LINES,
    },
    limits.part,
  );
  const scanned = await scanTextSource(
    {
      file,
      uri: sourceKey,
      maxBytes: limits.maxBytes,
      limitName: limits.limitName,
      cleanFile: limits.scratch('records.csv'),
      rejectsFile: limits.scratch('scan-rejects.jsonl'),
      ...(csv.range ? { range: csv.range } : {}),
    },
    csv.scan,
  );
  // Without a header line the declared columns, in order, name the fields.
  let columns = declared;
  // A part after the first is typed by the header its plan read.
  const header = limits.part?.header ?? scanned.header;
  if (dialect.header) {
    if (header === undefined) throw new SluiceError('INGEST_EMPTY', `${sourceKey}: the file is empty; expected a CSV header line`);
    columns = parseCsvHeader(header, sourceKey, dialect, limits.part && limits.part.index > 0 ? undefined : scanned.headerProblem);
  }
  const types = `{'__record': 'BIGINT', '__line': 'BIGINT', ${columns.map((c) => `${literal(c)}: 'VARCHAR'`).join(', ')}}`;
  const options = `header = false, auto_detect = false, columns = ${types},
    delim = ${literal(dialect.delimiter)}, quote = ${literal(dialect.quote)}, escape = ${literal(escape)},
    store_rejects = true, strict_mode = true, new_line = '\\n', max_line_size = ${MAX_LINE_SIZE}, hive_partitioning = false`;
  // A view: the clean records are parsed once, in the scan that types them.
  try {
    await db.run(`CREATE VIEW raw AS SELECT * FROM read_csv(${literal(scanned.cleanFile)}, ${options})`);
  } catch (error) {
    throw unreadable(sourceKey, 'csv', error);
  }
  return {
    columns,
    record: '__record',
    lineEnds: scanned.lineEnds,
    ...structureOf(scanned.lineEnds),
    finish: () => collectRejects(db, scanned.rejectsFile, scanned.rejected, dialect.delimiter),
  };
}

/** Counts of each kind of line end. */
export interface LineEnds {
  readonly lf: number;
  readonly crlf: number;
  readonly cr: number;
}

/** A file whose lines end in more than one way was put together from different sources, or damaged in transfer. */
export function structureOf(ends: LineEnds): { structure?: string } {
  const kinds = (['lf', 'crlf', 'cr'] as const).filter((k) => ends[k] > 0);
  if (kinds.length < 2) return {};
  const named = { lf: 'LF', crlf: 'CRLF', cr: 'CR' } as const;
  return { structure: `its lines end in ${kinds.length} ways (${kinds.map((k) => `${ends[k]} ${named[k]}`).join(', ')})` };
}

async function count(db: DuckDb, table: string): Promise<number> {
  const [{ n }] = (await db.all(`SELECT count(*) AS n FROM ${table}`)) as [{ n: number }];
  return n;
}

function byte(char: string): number {
  return char.charCodeAt(0);
}

/** Checks a CSV header record (its text, without the line end): names present, distinct, not reserved, UTF-8. */
export function parseCsvHeader(
  header: string,
  sourceKey: string,
  dialect: { delimiter: string; quote: string } = { delimiter: ',', quote: '"' },
  problem?: string,
): string[] {
  if (header.includes('\u0000')) throw new SluiceError('INGEST_NOT_CSV', `${sourceKey}: contains NUL bytes; expected a UTF-8 text CSV`);
  if (problem) throw new SluiceError('INGEST_HEADER', `${sourceKey}: cannot read the header line: ${problem}; nothing was published`);
  const line = header;
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

/** Unpacks a gzip file next to itself, naming the object when it is not gzip. */
async function gunzipFile(file: string, sourceKey: string, limits: SourceLimits): Promise<string> {
  const out = file.replace(/\.gz$/, '');
  let size = 0;
  // Counted as it is unpacked, so a small bomb stops at the limit instead of filling the disk.
  const bound = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      done(size > limits.maxBytes ? tooLarge(sourceKey, 'decompresses to', limits) : null, chunk);
    },
  });
  try {
    await pipeline(createReadStream(file), createGunzip(), bound, createWriteStream(out));
  } catch (error) {
    if (error instanceof SluiceError) throw error;
    throw new SluiceError('INGEST_UNREADABLE', `${sourceKey}: cannot be decompressed as gzip: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return out;
}

export function tooLarge(sourceKey: string, verb: string, limits: Pick<SourceLimits, 'maxBytes' | 'limitName'>): SluiceError {
  return new SluiceError(
    'INGEST_TOO_LARGE',
    `${sourceKey}: ${verb} more than ${bytes(limits.maxBytes)}, the limit of ${limits.limitName}; nothing was published (raise the limit, or split the file)`,
  );
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
