import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SluiceError } from '../../../core/errors.ts';
import { ident, literal, type DuckDb } from '../../runtime/duckdb.ts';
import type { FeatureTransform } from '../../definition/feature-transform.ts';
import { SLUICE_ENV } from '../../../core/env.ts';

/**
 * Finds a step's transform. A function cannot travel in the ASL payload, so the handler imports the pipeline
 * module named by `SLUICE_PIPELINE_MODULE` (a path, relative to the working directory, or a URL) and takes
 * the export the step names.
 */
export async function loadTransform(step: string, exportName: string, env: NodeJS.ProcessEnv = process.env): Promise<FeatureTransform> {
  const module = env[SLUICE_ENV.pipelineModule];
  if (!module) {
    throw new SluiceError(
      'FEATURE_TRANSFORM',
      `transform ${exportName} needs SLUICE_PIPELINE_MODULE, the path of the pipeline module that exports it`,
    );
  }
  const url = /^[a-z]+:/.test(module) ? module : pathToFileURL(isAbsolute(module) ? module : resolve(module)).href;
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new SluiceError('FEATURE_TRANSFORM', `cannot import ${module}: ${(error as Error).message}`, { cause: error });
  }
  const fn = loaded[exportName];
  if (typeof fn !== 'function') {
    const exported = Object.keys(loaded).filter((k) => typeof loaded[k] === 'function');
    throw new SluiceError(
      'FEATURE_TRANSFORM',
      `${module} does not export a function ${exportName} (functions: ${exported.join(', ') || 'none'})`,
    );
  }
  return fn as FeatureTransform;
}

/**
 * Runs a transform over the SQL result in `table` and replaces it with the transform's columns. Columns are
 * loaded back through one JSON document of arrays (never row objects); a column that kept its name keeps its type.
 */
export async function applyTransform(
  db: DuckDb,
  transform: FeatureTransform,
  table: string,
  scratchFile: string,
  context: { step: string; batchId: string; nominalTime: string },
): Promise<void> {
  const { columns, types } = await db.columns(`SELECT * FROM ${ident(table)}`);
  const rowCount = Object.values(columns)[0]?.length ?? 0;
  let out: Record<string, unknown[]>;
  try {
    out = await transform({ columns, types, rowCount }, context);
  } catch (error) {
    const where =
      error instanceof Error && error.stack
        ? ` (${
            error.stack
              .split('\n')
              .find((l) => /\.(ts|js):\d+:\d+/.test(l))
              ?.trim() ?? ''
          })`
        : '';
    throw new SluiceError('FEATURE_TRANSFORM', `the transform failed: ${(error as Error)?.message ?? String(error)}${where}`, {
      cause: error,
    });
  }
  const names = Object.keys(out ?? {});
  const bad = names.filter((n) => !Array.isArray(out[n]) || out[n]!.length !== (out[names[0]!]?.length ?? 0));
  if (names.length === 0 || bad.length > 0) {
    throw new SluiceError(
      'FEATURE_TRANSFORM',
      `the transform must return columns as arrays of equal length${bad.length ? `; ${bad.join(', ')} differ` : ''}`,
    );
  }
  const { writeFile } = await import('node:fs/promises');
  await writeFile(
    scratchFile,
    JSON.stringify(out, (_, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)),
  );
  const select = names.map((n) =>
    types[n] ? `CAST(unnest(${ident(n)}) AS ${types[n]}) AS ${ident(n)}` : `unnest(${ident(n)}) AS ${ident(n)}`,
  );
  await db.run(
    `CREATE OR REPLACE TABLE ${ident(table)} AS SELECT ${select.join(', ')} FROM read_json(${literal(scratchFile)}, maximum_object_size = 2147483647, hive_partitioning = false)`,
  );
}
