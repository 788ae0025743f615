import { facets } from '../../../lineage/index.ts';

/**
 * Column lineage of a step that keeps each column of one input under the same name: ingest types raw text
 * (TRANSFORMATION), data tests publish the audited batch unchanged (IDENTITY). It lets lineage tools follow a
 * feature column back to the raw upload.
 */
export function passThroughLineage(
  input: { readonly namespace: string; readonly name: string },
  columns: readonly string[],
  subtype: 'IDENTITY' | 'TRANSFORMATION',
): facets.ColumnLineageDatasetFacet {
  const description = subtype === 'IDENTITY' ? 'published unchanged' : 'typed from the raw text';
  return facets.columnLineageDatasetFacet({
    fields: Object.fromEntries(
      columns.map((field) => [field, { inputFields: [{ ...input, field, transformations: [{ type: 'DIRECT', subtype, description }] }] }]),
    ),
  });
}
