import { build, type Metafile } from 'esbuild';
import { FUNCTION_ENTRIES, functionBundleOptions, type SluiceFunctionName } from '../../lib/constructs/lambda-bundling.ts';

/** One function bundled as the DataPipeline construct bundles it. */
export interface FunctionBundle {
  readonly name: SluiceFunctionName;
  readonly entry: string;
  /** Size of the bundle (index.mjs), from the metafile. */
  readonly bytes: number;
  /** Source files in the bundle, relative to the package root. */
  readonly inputs: string[];
  readonly metafile: Metafile;
}

/** Budget per function bundle, excluding the DuckDB layer. */
export const BUNDLE_BUDGET_BYTES = 1024 * 1024;

/**
 * Bundles one function with the construct's esbuild settings (lib/constructs/lambda-bundling.ts) into `outdir`
 * and reads its size and inputs from the metafile.
 */
export async function bundleFunction(name: SluiceFunctionName, outdir: string): Promise<FunctionBundle> {
  const entry = FUNCTION_ENTRIES[name];
  const result = await build({ ...functionBundleOptions(name, `${outdir}/${name}/index.mjs`), metafile: true });
  const outputs = Object.values(result.metafile.outputs);
  return {
    name,
    entry,
    bytes: outputs.reduce((sum, o) => sum + o.bytes, 0),
    inputs: Object.keys(result.metafile.inputs),
    metafile: result.metafile,
  };
}

/** Every Sluice function, bundled. */
export async function bundleAll(outdir: string): Promise<FunctionBundle[]> {
  const bundles: FunctionBundle[] = [];
  for (const name of Object.keys(FUNCTION_ENTRIES) as SluiceFunctionName[]) bundles.push(await bundleFunction(name, outdir));
  return bundles;
}

/** The largest packages in a bundle by bytes, for the report. */
export function topPackages(bundle: FunctionBundle, count = 3): Array<{ name: string; bytes: number }> {
  const output = Object.values(bundle.metafile.outputs)[0];
  const sizes = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const key = match ? match[1]! : '(sluice)';
    sizes.set(key, (sizes.get(key) ?? 0) + bytesInOutput);
  }
  return [...sizes]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, count);
}
