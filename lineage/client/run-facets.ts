import { stampFacet } from './facet-base.ts';
import type { FacetOptions, Stamped } from './facet-base.ts';
import { CLIENT_VERSION } from './version.ts';

/** A run and job identity, as referenced by the `parent` facet. */
export type RunReference = {
  run: { runId: string; facets?: Record<string, unknown> };
  job: { namespace: string; name: string; facets?: Record<string, unknown> };
};

/** Body of the `parent` run facet: the run that spawned this one, and optionally the top of the chain (`root`). */
export type ParentRunFacetBody = RunReference & { root?: RunReference };
/** The `parent` run facet (ParentRunFacet 1-2-0). */
export type ParentRunFacet = Stamped<ParentRunFacetBody>;
/** Builds the `parent` run facet; send it (with `root`) on every event of a child run. */
export function parentRunFacet(body: ParentRunFacetBody, options?: FacetOptions): ParentRunFacet {
  return stampFacet('ParentRunFacet', body, options);
}

/** Body of the `nominalTime` run facet: the scheduled slot, not the wall clock (end exclusive). */
export type NominalTimeRunFacetBody = { nominalStartTime: string; nominalEndTime?: string };
/** The `nominalTime` run facet (NominalTimeRunFacet 1-0-1). */
export type NominalTimeRunFacet = Stamped<NominalTimeRunFacetBody>;
/** Builds the `nominalTime` run facet of a scheduled run. */
export function nominalTimeRunFacet(body: NominalTimeRunFacetBody, options?: FacetOptions): NominalTimeRunFacet {
  return stampFacet('NominalTimeRunFacet', body, options);
}

/** Body of the `errorMessage` run facet; `programmingLanguage` defaults to `typescript`. */
export type ErrorMessageRunFacetBody = { message: string; programmingLanguage?: string; stackTrace?: string };
/** The `errorMessage` run facet (ErrorMessageRunFacet 1-0-1). */
export type ErrorMessageRunFacet = Stamped<{ message: string; programmingLanguage: string; stackTrace?: string }>;
/** Builds the `errorMessage` run facet sent with FAIL (and ABORT when a reason exists). */
export function errorMessageRunFacet(body: ErrorMessageRunFacetBody, options?: FacetOptions): ErrorMessageRunFacet {
  const { programmingLanguage = 'typescript', ...rest } = body;
  return stampFacet('ErrorMessageRunFacet', { ...rest, programmingLanguage }, options);
}

/** Builds the `errorMessage` run facet from a caught value, with its stack when it is an Error. */
export function errorMessageFromError(error: unknown, options?: FacetOptions): ErrorMessageRunFacet {
  if (error instanceof Error) {
    return errorMessageRunFacet(error.stack ? { message: error.message, stackTrace: error.stack } : { message: error.message }, options);
  }
  return errorMessageRunFacet({ message: String(error) }, options);
}

/** Body of the `processing_engine` run facet; every field defaults to this runtime (`nodejs`, Node version, client version). */
export type ProcessingEngineRunFacetBody = { version?: string; name?: string; openlineageAdapterVersion?: string };
/** The `processing_engine` run facet (ProcessingEngineRunFacet 1-1-1). */
export type ProcessingEngineRunFacet = Stamped<{ version: string; name?: string; openlineageAdapterVersion?: string }>;
/** Builds the `processing_engine` run facet describing the runtime that executed the run. */
export function processingEngineRunFacet(body: ProcessingEngineRunFacetBody = {}, options?: FacetOptions): ProcessingEngineRunFacet {
  return stampFacet(
    'ProcessingEngineRunFacet',
    { name: 'nodejs', version: process.versions.node, openlineageAdapterVersion: CLIENT_VERSION, ...body },
    options,
  );
}

/** Body of the `environmentVariables` run facet; include allow-listed names only, never secrets. */
export type EnvironmentVariablesRunFacetBody = { environmentVariables: Array<{ name: string; value: string }> };
/** The `environmentVariables` run facet (EnvironmentVariablesRunFacet 1-0-0). */
export type EnvironmentVariablesRunFacet = Stamped<EnvironmentVariablesRunFacetBody>;
/** Builds the `environmentVariables` run facet. */
export function environmentVariablesRunFacet(body: EnvironmentVariablesRunFacetBody, options?: FacetOptions): EnvironmentVariablesRunFacet {
  return stampFacet('EnvironmentVariablesRunFacet', body, options);
}

/** One tag: `key`, `value` and where it came from (`source`, e.g. USER). */
export type Tag = { key: string; value: string; source?: string };
/** Body of the run or job `tags` facet. */
export type TagsFacetBody = { tags?: Tag[] };
/** The run `tags` facet (TagsRunFacet 1-0-0). */
export type TagsRunFacet = Stamped<TagsFacetBody>;
/** Builds the run `tags` facet. */
export function tagsRunFacet(body: TagsFacetBody, options?: FacetOptions): TagsRunFacet {
  return stampFacet('TagsRunFacet', body, options);
}
