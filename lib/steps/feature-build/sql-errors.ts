import { SluiceError } from '../../../core/errors.ts';

/** Line and column (1-based) of a character offset in the SQL. */
export function lineColumn(sql: string, offset: number): { line: number; column: number } {
  const before = sql.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/**
 * Where DuckDB's message points in the user's SQL: its `LINE n:` snippet and caret, matched against that line
 * (DuckDB trims long lines to a window around the error, marked with "...").
 */
export function locateDuckDbError(message: string, sql: string, lineOffset = 0): { line: number; column: number } | undefined {
  const m = /\nLINE (\d+): (.*)\n( *)\^/.exec(message);
  if (!m) return undefined;
  const line = Number(m[1]) - lineOffset;
  const text = sql.split('\n')[line - 1];
  if (text === undefined || line < 1) return undefined;
  const shown = m[2] as string;
  const caret = (m[3] as string).length - `LINE ${m[1]}: `.length;
  const lead = shown.startsWith('...') ? 3 : 0;
  const found = text.indexOf(shown.slice(lead).replace(/\.\.\.$/, ''));
  return { line, column: (found >= 0 ? found : 0) + caret - lead + 1 };
}

/** A feature step's SQL error: names the step, DuckDB's line and column, and its message without the snippet. */
export function featureSqlError(
  step: string,
  error: unknown,
  sql: string,
  options: { position?: number; lineOffset?: number } = {},
): SluiceError {
  const raw = (error instanceof Error ? error.message : String(error)).trim();
  const where = options.position !== undefined ? lineColumn(sql, options.position) : locateDuckDbError(raw, sql, options.lineOffset);
  const [headline] = raw.split(/\n\s*\nLINE \d+:/);
  const at = where ? ` at line ${where.line}, column ${where.column}` : '';
  const snippet = where ? [`${sql.split('\n')[where.line - 1]}`, `${' '.repeat(where.column - 1)}^`] : [];
  return new SluiceError('FEATURE_SQL', `the feature SQL failed${at}: ${(headline ?? raw).replace(/\s+/g, ' ').trim()}`, {
    cause: error,
    details: snippet,
  });
}
