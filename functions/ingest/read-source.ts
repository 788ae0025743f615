import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { SluiceError } from '../../lib/errors.ts';
import { ident, literal, type DuckDb } from '../../lib/runtime/duckdb.ts';
import type { DatasetSpec } from '../../lib/spec/pipeline-schema.ts';

/** A raw source loaded as text columns, plus the records that could not be parsed at all. */
export interface LoadedSource {
  /** Column names as they appear in the source. */
  readonly columns: string[];
  /** Records parsed (valid or not yet typed). */
  readonly rows: number;
  /** Records the parser rejected (ragged rows, unterminated quotes). */
  readonly structuralRejects: number;
}

/**
 * Loads a raw object into table `raw` (every column as text, `__record` = the 1-based record number) and
 * unparseable records into table `raw_rejects` (`__record`, `__reason`, `__raw`). One scan of the file.
 */
export async function loadSource(db: DuckDb, file: string, dataset: DatasetSpec, sourceKey: string): Promise<LoadedSource> {
  if (dataset.format === 'csv') return loadCsv(db, file, sourceKey);
  const reader =
    dataset.format === 'jsonl'
      ? `read_json(${literal(file)}, format = 'newline_delimited', records = true)`
      : `read_parquet(${literal(file)})`;
  try {
    await db.run(`CREATE TABLE raw_typed AS SELECT * FROM ${reader}`);
  } catch (error) {
    throw unreadable(sourceKey, dataset.format, error);
  }
  const columns = (await db.all(`SELECT column_name FROM (DESCRIBE raw_typed)`)).map((r) => String(r.column_name));
  const asText = columns.map((c) => `CAST(${ident(c)} AS VARCHAR) AS ${ident(c)}`).join(', ');
  await db.run(`CREATE TABLE raw AS SELECT row_number() OVER () AS __record, ${asText} FROM raw_typed; DROP TABLE raw_typed`);
  await db.run(`CREATE TABLE raw_rejects (__record BIGINT, __reason VARCHAR, __raw VARCHAR)`);
  const [{ n }] = (await db.all(`SELECT count(*) AS n FROM raw`)) as [{ n: number }];
  return { columns, rows: n, structuralRejects: 0 };
}

async function loadCsv(db: DuckDb, file: string, sourceKey: string): Promise<LoadedSource> {
  const columns = await readCsvHeader(file, sourceKey);
  const declared = `{${columns.map((c) => `${literal(c)}: 'VARCHAR'`).join(', ')}}`;
  // The header is parsed here, so DuckDB's sniffer cannot misread a damaged file; bad records go to reject_errors.
  const options = `header = false, skip = 1, auto_detect = false, columns = ${declared}, delim = ',', quote = '"', escape = '"',
    store_rejects = true, strict_mode = true, max_line_size = 16777216`;
  try {
    await db.run(
      `CREATE TABLE parsed AS SELECT row_number() OVER () AS __valid_no, * FROM read_csv(${literal(file)}, ${options})`,
    );
  } catch (error) {
    throw unreadable(sourceKey, 'csv', error);
  }
  // reject_errors counts file lines; the header is line 1, so record = line - 1 (for records without embedded newlines).
  await db.run(`CREATE TABLE raw_rejects AS
    SELECT min(line) - 1 AS __record, string_agg(DISTINCT error_type || ': ' || error_message, '; ') AS __reason,
           trim(any_value(csv_line), E'\\r\\n') AS __raw
    FROM reject_errors GROUP BY line ORDER BY line`);
  const [{ rejected: structural }] = (await db.all(`SELECT count(*) AS rejected FROM raw_rejects`)) as [{ rejected: number }];
  // Map each parsed record back to its record number by counting the rejected records before it.
  const record =
    structural === 0
      ? 'p.__valid_no'
      : `p.__valid_no + (SELECT count(*) FROM r WHERE r.valid_before < p.__valid_no)`;
  await db.run(`CREATE TABLE raw AS
    WITH r AS (SELECT __record - row_number() OVER (ORDER BY __record) AS valid_before FROM raw_rejects)
    SELECT ${record} AS __record, p.* EXCLUDE (__valid_no)
    FROM parsed p ORDER BY p.__valid_no`);
  await db.run(`DROP TABLE parsed`);
  const [{ n }] = (await db.all(`SELECT count(*) AS n FROM raw`)) as [{ n: number }];
  return { columns, rows: n, structuralRejects: structural };
}

/** Reads the header line of a CSV (UTF-8, optional BOM, LF or CRLF, quoted names allowed). */
export async function readCsvHeader(file: string, sourceKey: string): Promise<string[]> {
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
    throw new SluiceError('INGEST_ENCODING', `${sourceKey}: the header line is not valid UTF-8; expected a UTF-8 CSV (with or without BOM)`);
  }
  const names = splitCsvLine(line);
  const problems = names.flatMap((n, i) =>
    n.trim() === '' ? [`column ${i + 1} has an empty name`] : n.startsWith('__') ? [`column "${n}": names starting with "__" are reserved`] : [],
  );
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) problems.push(`column "${n}" appears twice`);
    seen.add(n);
  }
  if (problems.length > 0) {
    throw new SluiceError('INGEST_HEADER', `${sourceKey}: invalid header line ${JSON.stringify(line.slice(0, 200))}: ${problems.join('; ')}`);
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
    throw new SluiceError('INGEST_UNREADABLE', `${sourceKey}: cannot be decompressed as gzip: ${(error as Error).message}`, { cause: error });
  } finally {
    source.destroy();
  }
  return Buffer.concat(chunks).subarray(0, limit);
}

function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out;
}

function unreadable(sourceKey: string, format: string, error: unknown): SluiceError {
  const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  return new SluiceError('INGEST_UNREADABLE', `${sourceKey}: cannot be read as ${format}: ${reason}`, { cause: error });
}
