import { z } from 'zod';
import type { DatasetSpec } from '../dataset-schema.ts';
import { IdentifierSchema } from '../names.ts';

/** A dataset reference in a step: the key of a dataset of the same pipeline. */
export const DatasetRefSchema = IdentifierSchema;

/** Fields every step has, whatever its kind. */
export const STEP_BASE = {
  name: IdentifierSchema,
  timeoutSeconds: z.int().min(1).max(900).optional(),
};

/** The part of a spec a step kind looks at: its datasets (a handler's payload carries just these). */
export interface SpecDatasets {
  readonly datasets: Readonly<Record<string, DatasetSpec>>;
}

/** A key prefix in a bucket (without the trailing slash); objects are `<prefix>/…`. */
export interface PrefixRef {
  readonly bucket: string;
  readonly prefix: string;
}

/** One object in a bucket. */
export interface ObjectRef {
  readonly bucket: string;
  readonly key: string;
}

/** An object a step reads that is not a dataset (a model), with the local file the definition ships it as. */
export interface Artifact extends ObjectRef {
  /** Path relative to the pipeline file, uploaded by the local runner before a run. */
  readonly source?: string;
}

/** S3 access a step needs beyond listing and reading what it reads and writing what it writes. */
export interface ExtraAccess {
  readonly reads?: readonly PrefixRef[];
  readonly writes?: readonly PrefixRef[];
}

/** The columns of a run report a step kind fills (the rest are left blank for it). */
export type ReportColumn = 'rejected' | 'tests';

/** What a batch a step writes is for readers: staged for an audit, published, quarantined by it, or rejected rows. */
export const OUTPUT_ROLES = ['staged', 'published', 'quarantined', 'rejected'] as const;
/** What a batch a step writes is for readers. */
export type OutputRole = (typeof OUTPUT_ROLES)[number];

/** What a step kind's checks use to report problems and look up what a step names (paths relative to the step). */
export interface StepCheck {
  readonly spec: SpecDatasets;
  /** Records a problem at a path under the step (`['inputs', 'orders']`). */
  problem(path: readonly PropertyKey[], message: string): void;
  /** The dataset a reference names, or a problem when there is none. */
  dataset(path: readonly PropertyKey[], ref: string): DatasetSpec | undefined;
  /** A problem unless the dataset exists and is Parquet (`why` says why it must be). */
  parquet(path: readonly PropertyKey[], ref: string, why: string): void;
  /** A problem when the dataset declares columns and `column` is not one of them. */
  column(path: readonly PropertyKey[], ref: string, column: string): void;
}

/**
 * Everything Sluice knows about one kind of step, in one place: its definition schema and checks, the datasets it
 * reads and writes, its Lambda and IAM needs and its report columns. The compiler, the step runtime, the CDK
 * construct, the local runner and the CLI all read this entry; the step's code lives in `lib/steps/<folder>`.
 */
export interface StepKindDefinition<S extends { readonly kind: string; readonly name: string }> {
  /** The step as a user writes it (a strict zod object whose `kind` is this kind's literal). */
  readonly schema: z.ZodType<S, unknown>;
  /** The kind's name for people (`data tests`). */
  readonly label: string;
  /** What the step does, in a few words (Lambda descriptions). */
  readonly summary: string;
  /**
   * Its Lambda function: entry file, the ASL substitution variable holding its ARN, whether it gets the DuckDB layer, and
   * its memory size unless the construct is given one, chosen with `npm run bench:lambda-cost` (GB-s per million rows at
   * each size; the reasoning is in docs/deploy.md).
   */
  readonly lambda: { readonly entry: string; readonly arnVariable: string; readonly duckdb: boolean; readonly memoryMb: number };
  /** The datasets the step reads, by reference. */
  reads(step: S, spec: SpecDatasets): string[];
  /**
   * The datasets whose new batch makes the step run in an execution (default: every dataset it reads). A data-test
   * step runs for its staged batch, not when a dataset its referential rules consult changes.
   */
  feeds?(step: S, spec: SpecDatasets): string[];
  /** The datasets the step writes, by reference. */
  writes(step: S, spec: SpecDatasets): string[];
  /** S3 access beyond its datasets (a history it keeps next to them). */
  access?(step: S, spec: SpecDatasets): ExtraAccess;
  /** Objects it reads that are not datasets (a model artifact). */
  artifacts?(step: S): Artifact[];
  /** The step with its artifacts' bucket names replaced (a stage's physical names). */
  renameBuckets?(step: S, rename: (bucket: string) => string): S;
  /** Datasets it writes with the columns of one it reads, as `[written, read]` (a schema-less output inherits them). */
  passesColumns?(step: S): Array<readonly [string, string]>;
  /** The checks a schema cannot express: that names refer to existing datasets and columns. */
  check(step: S, at: StepCheck): void;
  /** True for a kind that reads the uploaded object itself (ingest); other kinds read what steps published. */
  readonly readsUploads?: boolean;
  /** Why a schedule cannot start at this step (it needs an uploaded batch), or nothing when it can. */
  readonly scheduleStartProblem?: string;
  /** The report columns it fills. */
  readonly report: readonly ReportColumn[];
  /** What each dataset it writes holds for readers, by reference (default: published). */
  roles?(step: S): Readonly<Record<string, OutputRole>>;
}
