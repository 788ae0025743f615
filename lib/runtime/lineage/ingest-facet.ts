import { PRODUCER, type Facet } from '../../../lineage/index.ts';
import type { ExtraColumns } from '../../definition/dataset-semantics.ts';

/** The schema of Sluice's own input facet, kept in this repository's docs. */
export const INGEST_FACET_SCHEMA_URL = `${PRODUCER.replace('/tree/', '/blob/')}/docs/facets/SluiceIngestInputDatasetFacet.json`;

/** What ingest found in the uploaded file beyond the standard facets: its columns, the undeclared ones and what it did with them. */
export interface IngestFacetBody {
  /** Every column the file has, in file order. */
  readonly sourceColumns: readonly string[];
  /** Columns the file has but the dataset's schema does not declare. */
  readonly extraColumns: readonly string[];
  readonly extraColumnsPolicy: ExtraColumns;
  readonly rejectedRows: number;
  readonly maxRejectedFraction: number;
}

/** The `sluice_ingest` input facet of an ingest run's upload. */
export function ingestInputFacet(body: IngestFacetBody): Facet {
  return { _producer: PRODUCER, _schemaURL: INGEST_FACET_SCHEMA_URL, ...body } as Facet;
}
