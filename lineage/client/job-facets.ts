import { stampFacet } from './facet-base.ts';
import type { FacetOptions, Stamped } from './facet-base.ts';
import type { TagsFacetBody } from './run-facets.ts';

/** Body of the `jobType` job facet; always set `jobType` (Marquez requires it). */
export type JobTypeJobFacetBody = {
  /** BATCH, STREAMING or SERVICE. */
  processingType: string;
  /** The integration that ran the job, e.g. SLUICE. */
  integration: string;
  /** e.g. PIPELINE, TASK, QUERY. */
  jobType?: string;
  emissionPattern?: { eventTrigger: string; eventContentMode: string; windowDuration?: number };
};
/** The `jobType` job facet (JobTypeJobFacet 2-0-4). */
export type JobTypeJobFacet = Stamped<JobTypeJobFacetBody>;
/** Builds the `jobType` job facet. */
export function jobTypeJobFacet(body: JobTypeJobFacetBody, options?: FacetOptions): JobTypeJobFacet {
  return stampFacet('JobTypeJobFacet', body, options);
}

/** Body of the `sourceCodeLocation` job facet; `url` must be an absolute URI. */
export type SourceCodeLocationJobFacetBody = {
  type: string;
  url: string;
  repoUrl?: string;
  path?: string;
  version?: string;
  tag?: string;
  branch?: string;
  pullRequestNumber?: string;
};
/** The `sourceCodeLocation` job facet (SourceCodeLocationJobFacet 1-1-0). */
export type SourceCodeLocationJobFacet = Stamped<SourceCodeLocationJobFacetBody>;
/** Builds the `sourceCodeLocation` job facet. */
export function sourceCodeLocationJobFacet(body: SourceCodeLocationJobFacetBody, options?: FacetOptions): SourceCodeLocationJobFacet {
  return stampFacet('SourceCodeLocationJobFacet', body, options);
}

/** Body of the `sourceCode` job facet. */
export type SourceCodeJobFacetBody = { language: string; sourceCode: string };
/** The `sourceCode` job facet (SourceCodeJobFacet 1-0-1). */
export type SourceCodeJobFacet = Stamped<SourceCodeJobFacetBody>;
/** Builds the `sourceCode` job facet. */
export function sourceCodeJobFacet(body: SourceCodeJobFacetBody, options?: FacetOptions): SourceCodeJobFacet {
  return stampFacet('SourceCodeJobFacet', body, options);
}

/** Body of the job or dataset `documentation` facet; `contentType` is a MIME type such as text/markdown. */
export type DocumentationFacetBody = { description: string; contentType?: string };
/** The job `documentation` facet (DocumentationJobFacet 1-1-0). */
export type DocumentationJobFacet = Stamped<DocumentationFacetBody>;
/** Builds the job `documentation` facet. */
export function documentationJobFacet(body: DocumentationFacetBody, options?: FacetOptions): DocumentationJobFacet {
  return stampFacet('DocumentationJobFacet', body, options);
}

/** Body of the job or dataset `ownership` facet; owner names are ideally URNs like `team:data`. */
export type OwnershipFacetBody = { owners?: Array<{ name: string; type?: string }> };
/** The job `ownership` facet (OwnershipJobFacet 1-0-1). */
export type OwnershipJobFacet = Stamped<OwnershipFacetBody>;
/** Builds the job `ownership` facet. */
export function ownershipJobFacet(body: OwnershipFacetBody, options?: FacetOptions): OwnershipJobFacet {
  return stampFacet('OwnershipJobFacet', body, options);
}

/** Body of the `sql` job facet. */
export type SqlJobFacetBody = { query: string; dialect?: string };
/** The `sql` job facet (SQLJobFacet 1-1-0). */
export type SqlJobFacet = Stamped<SqlJobFacetBody>;
/** Builds the `sql` job facet. */
export function sqlJobFacet(body: SqlJobFacetBody, options?: FacetOptions): SqlJobFacet {
  return stampFacet('SQLJobFacet', body, options);
}

/** The job `tags` facet (TagsJobFacet 1-0-0). */
export type TagsJobFacet = Stamped<TagsFacetBody>;
/** Builds the job `tags` facet. */
export function tagsJobFacet(body: TagsFacetBody, options?: FacetOptions): TagsJobFacet {
  return stampFacet('TagsJobFacet', body, options);
}
