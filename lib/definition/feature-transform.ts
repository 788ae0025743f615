/** The SQL result handed to a TypeScript transform: columns of DuckDB's JS values, with their DuckDB types. */
export interface FeatureTable {
  readonly columns: Record<string, unknown[]>;
  readonly types: Record<string, string>;
  readonly rowCount: number;
}

/** A transform for what SQL cannot say: takes the SQL result's columns, returns the feature columns (equal lengths). */
export type FeatureTransform = (
  table: FeatureTable,
  context: { step: string; batchId: string; nominalTime: string },
) => Record<string, unknown[]> | Promise<Record<string, unknown[]>>;
