import { stampFacet } from './facet-base.ts';
import type { FacetOptions, Stamped } from './facet-base.ts';

/** Metrics of one column as read by a run. */
export type ColumnMetrics = {
  nullCount?: number;
  distinctCount?: number;
  sum?: number;
  count?: number;
  min?: number;
  max?: number;
  /** Quantile (e.g. "0.5") → value. */
  quantiles?: Record<string, number>;
};
/** Body of the `dataQualityMetrics` input facet; counts are integers, `lastUpdated` an RFC 3339 date-time. */
export type DataQualityMetricsInputDatasetFacetBody = {
  columnMetrics: Record<string, ColumnMetrics>;
  rowCount?: number;
  bytes?: number;
  fileCount?: number;
  lastUpdated?: string;
};
/** The `dataQualityMetrics` input facet (DataQualityMetricsInputDatasetFacet 1-0-3). */
export type DataQualityMetricsInputDatasetFacet = Stamped<DataQualityMetricsInputDatasetFacetBody>;
/** Builds the `dataQualityMetrics` input facet, describing the data this run read. */
export function dataQualityMetricsInputDatasetFacet(
  body: DataQualityMetricsInputDatasetFacetBody,
  options?: FacetOptions,
): DataQualityMetricsInputDatasetFacet {
  return stampFacet('DataQualityMetricsInputDatasetFacet', body, options);
}

/** One data test and its outcome; `expected`/`actual` are strings in the spec. */
export type DataQualityAssertion = {
  assertion: string;
  success: boolean;
  column?: string;
  severity?: string;
  name?: string;
  description?: string;
  expected?: string;
  actual?: string;
  content?: string;
  contentType?: string;
  params?: Record<string, unknown>;
};
/** Body of the `dataQualityAssertions` facet. */
export type DataQualityAssertionsDatasetFacetBody = { assertions: DataQualityAssertion[] };
/** The `dataQualityAssertions` facet (DataQualityAssertionsDatasetFacet 1-1-0); an input facet despite its name. */
export type DataQualityAssertionsDatasetFacet = Stamped<DataQualityAssertionsDatasetFacetBody>;
/** Builds the `dataQualityAssertions` input facet with the tests run on the data read. */
export function dataQualityAssertionsDatasetFacet(
  body: DataQualityAssertionsDatasetFacetBody,
  options?: FacetOptions,
): DataQualityAssertionsDatasetFacet {
  return stampFacet('DataQualityAssertionsDatasetFacet', body, options);
}

/** Body of the `inputStatistics` / `outputStatistics` facets: rows, bytes (`size`) and files, all integers. */
export type StatisticsFacetBody = { rowCount?: number; size?: number; fileCount?: number };
/** The `inputStatistics` input facet (InputStatisticsInputDatasetFacet 1-0-0). */
export type InputStatisticsInputDatasetFacet = Stamped<StatisticsFacetBody>;
/** Builds the `inputStatistics` input facet: what this run actually read. */
export function inputStatisticsInputDatasetFacet(body: StatisticsFacetBody, options?: FacetOptions): InputStatisticsInputDatasetFacet {
  return stampFacet('InputStatisticsInputDatasetFacet', body, options);
}
/** The `outputStatistics` output facet (OutputStatisticsOutputDatasetFacet 1-0-2). */
export type OutputStatisticsOutputDatasetFacet = Stamped<StatisticsFacetBody>;
/** Builds the `outputStatistics` output facet: what this run actually wrote. */
export function outputStatisticsOutputDatasetFacet(body: StatisticsFacetBody, options?: FacetOptions): OutputStatisticsOutputDatasetFacet {
  return stampFacet('OutputStatisticsOutputDatasetFacet', body, options);
}

/** A compared value: a column (`field`) or a literal. */
export type CompareExpression = { type: 'field'; field: string } | { type: 'literal'; value: string };
/** Which part of a dataset was read or written: locations, partitions, or a condition over them. */
export type SubsetCondition =
  | { type: 'location'; locations: string[] }
  | { type: 'partition'; partitions: Array<{ identifier?: string; dimensions: Record<string, unknown> }> }
  | { type: 'binary'; operator: 'AND' | 'OR'; left: SubsetCondition; right: SubsetCondition }
  | {
      type: 'compare';
      comparison: 'EQUAL' | 'GREATER_THAN' | 'GREATER_EQUAL_THAN' | 'LESS_THAN' | 'LESS_EQUAL_THAN';
      left: CompareExpression;
      right: CompareExpression;
    };
/** The `subset` input facet (BaseSubsetDatasetFacet 1-0-0, `$defs/InputSubsetInputDatasetFacet`). */
export type InputSubsetInputDatasetFacet = Stamped<{ inputCondition: SubsetCondition }>;
/** Builds the `subset` input facet: the partition or objects of the dataset this run read. */
export function inputSubsetInputDatasetFacet(
  body: { inputCondition: SubsetCondition },
  options?: FacetOptions,
): InputSubsetInputDatasetFacet {
  return stampFacet('InputSubsetInputDatasetFacet', body, options);
}
/** The `subset` output facet (BaseSubsetDatasetFacet 1-0-0, `$defs/OutputSubsetOutputDatasetFacet`). */
export type OutputSubsetOutputDatasetFacet = Stamped<{ outputCondition: SubsetCondition }>;
/** Builds the `subset` output facet: the partition or objects of the dataset this run wrote. */
export function outputSubsetOutputDatasetFacet(
  body: { outputCondition: SubsetCondition },
  options?: FacetOptions,
): OutputSubsetOutputDatasetFacet {
  return stampFacet('OutputSubsetOutputDatasetFacet', body, options);
}
