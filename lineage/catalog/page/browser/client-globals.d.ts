// The page imports only types from the OpenLineage client's facet files; this is the one Node global those files use.
declare const process: { readonly versions: { readonly node: string } };
