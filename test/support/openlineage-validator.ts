import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';

/** Where the unmodified upstream OpenLineage schemas and examples are copied. */
export const SPEC_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'openlineage-spec');

const FACETS_BASE = 'https://openlineage.io/spec/facets/';

type SchemaFile = { $id: string; $defs?: Record<string, unknown>; properties?: Record<string, unknown> };
type FacetFile = { id: string; version: string; defs: Set<string>; keys: Set<string>; validate: ValidateFunction };

// ajv-formats is CommonJS with `module.exports = plugin` and `exports.default = plugin`.
const addFormats = ((formatsPlugin as unknown as { default?: typeof formatsPlugin }).default ?? formatsPlugin) as unknown as (
  ajv: Ajv2020,
) => Ajv2020;

function readJson(path: string): SchemaFile {
  return JSON.parse(readFileSync(path, 'utf8')) as SchemaFile;
}

function load() {
  // strict: false because the schemas use the non-standard `example` keyword and `not: {required: [job, run]}`.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const core = readJson(join(SPEC_DIR, 'OpenLineage.json'));
  ajv.addSchema(core); // first: every facet file $refs the core by its $id
  const files = new Map<string, FacetFile>();
  const facetDir = join(SPEC_DIR, 'facets');
  const schemas = readdirSync(facetDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f.slice(0, -'.json'.length), readJson(join(facetDir, f))] as const);
  for (const [, schema] of schemas) ajv.addSchema(schema);
  for (const [name, schema] of schemas) {
    const version = /\/facets\/([^/]+)\//.exec(schema.$id)?.[1] ?? '';
    files.set(name, {
      id: schema.$id,
      version,
      defs: new Set(Object.keys(schema.$defs ?? {})),
      keys: new Set(Object.keys(schema.properties ?? {})),
      validate: ajv.getSchema(schema.$id)!,
    });
  }
  return { ajv, coreId: core.$id, files };
}

let loaded: ReturnType<typeof load> | undefined;
const spec = () => (loaded ??= load());

function render(where: string, errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map(
    (e) =>
      `${where}${e.instancePath || ''}: ${e.message ?? 'invalid'}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`,
  );
}

/** Names of the facet schema files in the copied spec (e.g. `ParentRunFacet`). */
export function facetFileNames(): string[] {
  return [...spec().files.keys()].sort();
}

/** Validates a document `{ key: facet }` against a facet file's root schema, as upstream's own facet tests do. */
export function validateFacetDocument(file: string, document: unknown): string[] {
  const facetFile = spec().files.get(file);
  if (!facetFile) return [`unknown facet schema file ${file}.json`];
  return facetFile.validate(document) ? [] : render(file, facetFile.validate.errors);
}

/** Checks one facet against the file its `_schemaURL` names; custom facets (outside the spec's URL space) pass. */
export function validateFacet(where: string, key: string, facet: unknown): string[] {
  const url = (facet as { _schemaURL?: unknown } | null)?._schemaURL;
  if (typeof url !== 'string') return [`${where}: _schemaURL missing`];
  if (!url.startsWith(FACETS_BASE)) return [];
  const match = /^https:\/\/openlineage\.io\/spec\/facets\/([^/]+)\/([A-Za-z0-9]+)\.json(?:#\/\$defs\/([A-Za-z0-9]+))?$/.exec(url);
  if (!match) return [`${where}: _schemaURL ${url} is not of the form ${FACETS_BASE}<version>/<File>.json[#/$defs/<Def>]`];
  const [, version, file, def] = match as unknown as [string, string, string, string | undefined];
  const facetFile = spec().files.get(file);
  if (!facetFile) return [`${where}: _schemaURL ${url} names no standard facet file (${file}.json)`];
  const problems: string[] = [];
  if (version !== facetFile.version)
    problems.push(`${where}: _schemaURL version ${version} differs from ${file}.json's ${facetFile.version}`);
  if (def !== undefined && !facetFile.defs.has(def))
    problems.push(`${where}: _schemaURL names $defs/${def}, which ${file}.json does not define`);
  if (!facetFile.keys.has(key))
    problems.push(`${where}: key ${key} is not the key ${file}.json defines (${[...facetFile.keys].join(', ')})`);
  const validate = facetFile.validate;
  if (!validate({ [key]: facet })) problems.push(...render(where, validate.errors));
  return problems;
}

function facetMaps(event: Record<string, unknown>): Array<[string, unknown]> {
  const maps: Array<[string, unknown]> = [];
  const run = event['run'] as { facets?: unknown } | undefined;
  const job = event['job'] as { facets?: unknown } | undefined;
  if (run?.facets) maps.push(['run.facets', run.facets]);
  if (job?.facets) maps.push(['job.facets', job.facets]);
  const dataset = event['dataset'] as { facets?: unknown } | undefined;
  if (dataset?.facets) maps.push(['dataset.facets', dataset.facets]);
  for (const side of ['inputs', 'outputs'] as const) {
    const list = event[side];
    if (!Array.isArray(list)) continue;
    list.forEach((d: Record<string, unknown>, i) => {
      if (d['facets']) maps.push([`${side}[${i}].facets`, d['facets']]);
      const own = side === 'inputs' ? 'inputFacets' : 'outputFacets';
      if (d[own]) maps.push([`${side}[${i}].${own}`, d[own]]);
    });
  }
  return maps;
}

/**
 * Validates an event against the core OpenLineage 2-0-2 schema and every facet it carries against the facet file
 * its `_schemaURL` names (version checked against the file's `$id`). Returns the problems; empty means valid.
 */
export function validateOpenLineageEvent(event: unknown): string[] {
  const { ajv, coreId } = spec();
  const problems: string[] = [];
  const core = ajv.getSchema(coreId)!;
  if (!core(event)) {
    const value = (event ?? {}) as Record<string, unknown>;
    const kind =
      value['dataset'] !== undefined && value['run'] === undefined ? 'DatasetEvent' : value['run'] !== undefined ? 'RunEvent' : 'JobEvent';
    // The core is a oneOf; the errors of the intended kind say more than the oneOf's.
    const specific = ajv.getSchema(`${coreId}#/$defs/${kind}`)!;
    problems.push(...(specific(event) ? render('event', core.errors) : render(`event (${kind})`, specific.errors)));
  }
  if (typeof event !== 'object' || event === null) return problems;
  for (const [where, map] of facetMaps(event as Record<string, unknown>)) {
    if (typeof map !== 'object' || map === null) continue;
    for (const [key, facet] of Object.entries(map)) problems.push(...validateFacet(`${where}.${key}`, key, facet));
  }
  return problems;
}

const SLUICE_FACETS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'facets');
const sluiceFacets = new Map<string, ValidateFunction>();

/** Validates a document `{ key: facet }` against one of Sluice's own facet schemas, docs/facets/<file>.json. */
export function validateSluiceFacetDocument(file: string, document: unknown): string[] {
  let validate = sluiceFacets.get(file);
  if (!validate) {
    const schema = readJson(join(SLUICE_FACETS_DIR, `${file}.json`));
    spec().ajv.addSchema(schema);
    validate = spec().ajv.getSchema(schema.$id)!;
    sluiceFacets.set(file, validate);
  }
  return validate(document) ? [] : render(file, validate.errors);
}
