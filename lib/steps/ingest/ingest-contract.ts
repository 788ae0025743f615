import { SluiceError } from '../../../core/errors.ts';
import type { ColumnSpec } from '../../definition/columns.ts';
import { extraColumnsOf } from '../../definition/dataset-semantics.ts';
import type { DatasetSpec } from '../../definition/pipeline-schema.ts';

/** The columns ingest types and stages, and the file's columns the schema does not declare. */
export interface ColumnContract {
  readonly columns: readonly ColumnSpec[];
  readonly extra: readonly string[];
}

/**
 * Checks a file's columns against its dataset's schema: every declared column must be in the file (for JSON Lines,
 * in at least one record), and undeclared ones are dropped, kept as text or refused, as `extraColumns` says.
 * Without a schema every column is kept as text.
 */
export function columnContract(
  dataset: DatasetSpec,
  ref: string,
  source: { readonly columns: readonly string[]; readonly columnless?: boolean },
  uri: string,
): ColumnContract {
  const present = source.columns;
  const declared = dataset.columns;
  if (!declared) return { columns: present.map((name) => ({ name, type: 'string', nullable: true })), extra: [] };
  // Without a record there is nothing to lack a column: the file is judged empty or rejected instead.
  if (source.columnless) return { columns: declared, extra: [] };
  const missing = declared.filter((c) => !present.includes(c.name)).map((c) => c.name);
  if (missing.length > 0) {
    const where = dataset.format === 'jsonl' ? `no record has ${plural(missing, 'field')}` : `missing ${plural(missing, 'column')}`;
    throw new SluiceError(
      'INGEST_COLUMNS_MISSING',
      `${uri}: ${where} ${missing.join(', ')} (found: ${present.join(', ') || 'none'}); nothing was published`,
    );
  }
  const extra = present.filter((name) => !declared.some((c) => c.name === name));
  const policy = extraColumnsOf(dataset);
  if (extra.length > 0 && policy === 'reject') {
    throw new SluiceError(
      'INGEST_EXTRA_COLUMNS',
      `${uri}: ${plural(extra, 'column')} ${extra.join(', ')} ${extra.length === 1 ? 'is' : 'are'} not declared in dataset ${JSON.stringify(ref)}'s schema, whose extraColumns is "reject"; declare ${extra.length === 1 ? 'it' : 'them'}, or set extraColumns to "ignore" or "keep"; nothing was published`,
    );
  }
  const kept = policy === 'keep' ? extra.filter((name) => !name.startsWith('__')) : [];
  return { columns: [...declared, ...kept.map((name) => ({ name, type: 'string' as const, nullable: true }))], extra };
}

/**
 * The columns one part of a JSON Lines object stages: what {@link columnContract} keeps, given only the part's keys,
 * without the judgements only the whole object can make (a declared field in no record, an undeclared one refused).
 */
export function partColumns(dataset: DatasetSpec, present: readonly string[]): readonly ColumnSpec[] {
  const declared = dataset.columns;
  if (!declared) return columnContract(dataset, '', { columns: present }, '').columns;
  if (extraColumnsOf(dataset) !== 'keep') return declared;
  const extra = present.filter((name) => !declared.some((c) => c.name === name) && !name.startsWith('__'));
  return [...declared, ...extra.map((name) => ({ name, type: 'string' as const, nullable: true }))];
}

/** What decides a batch's fate once its rows are typed. */
export interface RejectionCounts {
  readonly rowsIn: number;
  readonly rejected: number;
  /** Of the rejected, records that could not be split into fields at all (the file is damaged). */
  readonly malformed: number;
  /** A file-level problem of the file's structure (mixed line endings), if any. */
  readonly structure?: string;
  /** `fail`: a damaged record or structure fails the file; `reject`: such records count like any rejected row. */
  readonly malformedPolicy: 'fail' | 'reject';
  readonly maxRejected: number;
  readonly dataset: string;
  readonly uri: string;
  /** Where the rejected rows were kept. */
  readonly rejectsAt?: string;
  /** The most frequent reasons, with their counts. */
  readonly reasons: readonly string[];
}

/**
 * The file-level error for a batch that must not be staged: no records at all, a damaged record or structure (unless
 * the dataset rejects those row by row), no valid record, or more rejected records than the dataset's
 * `maxRejectedFraction` allows; nothing when the batch may go on. Each message accounts for every record.
 */
export function rejectionVerdict(c: RejectionCounts): SluiceError | undefined {
  const kept = c.rejectsAt ? `; the rejected rows are kept at ${c.rejectsAt}` : '';
  const why = c.reasons.length > 0 ? ` (most frequent: ${c.reasons.join('; ')})` : '';
  const tally = `${c.rowsIn} record${c.rowsIn === 1 ? '' : 's'}: ${c.rowsIn - c.rejected} valid, ${c.rejected} rejected`;
  const ds = JSON.stringify(c.dataset);
  if (c.rowsIn === 0 && !c.structure) return new SluiceError('INGEST_EMPTY', `${c.uri}: the file has no records; nothing was published`);
  if (c.malformedPolicy === 'fail' && (c.malformed > 0 || c.structure)) {
    const damage = c.structure ?? `${c.malformed} record${c.malformed === 1 ? ' is' : 's are'} malformed`;
    return new SluiceError(
      'INGEST_MALFORMED',
      `${c.uri}: the file is damaged: ${damage}; ${tally}${why}; nothing was published${kept}. Fix the file and upload it again, or set malformedRecords: "reject" on dataset ${ds} to publish the valid records of damaged files`,
    );
  }
  if (c.rejected === c.rowsIn) {
    return new SluiceError('INGEST_NO_VALID_ROWS', `${c.uri}: all ${c.rowsIn} records were rejected${why}; nothing was published${kept}`);
  }
  const fraction = c.rejected / c.rowsIn;
  if (fraction > c.maxRejected) {
    return new SluiceError(
      'INGEST_TOO_MANY_REJECTED',
      `${c.uri}: ${c.rejected} of ${c.rowsIn} records (${percent(fraction)}) were rejected, more than dataset ${ds} allows (maxRejectedFraction ${c.maxRejected}); ${tally}${why}; nothing was published${kept}`,
    );
  }
  return undefined;
}

function plural(items: readonly string[], word: string): string {
  return items.length === 1 ? word : `${word}s`;
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(fraction < 0.001 ? 3 : 1)} %`;
}
