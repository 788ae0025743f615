import { readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build:page` writes the page's bundled script and the catalog looks for it: beside this module. */
export const BUILT_PAGE_SCRIPT = fileURLToPath(new URL('./lineage-page.bundle.js', import.meta.url));

/** Where a build puts the graph-layout worker (ELK's worker script, which the page starts), beside this module. */
export const BUILT_LAYOUT_WORKER = fileURLToPath(new URL('./layout-worker.js', import.meta.url));

/** ELK's worker script as the elkjs package ships it (a development dependency: present in a checkout). */
export const ELK_WORKER_MODULE = 'elkjs/lib/elk-worker.min.js';

/** The page's browser sources (TypeScript, `browser/main.ts` the entry). */
export const PAGE_SOURCES = fileURLToPath(new URL('./browser/', import.meta.url));

/** Makes the page's script from its sources. */
export type PageBundler = () => Promise<string>;

/** Where {@link loadPageScript} looks; by default beside this module, bundling with esbuild when it is installed. */
export type PageScriptOptions = {
  readonly builtFile?: string;
  readonly sourceDir?: string;
  /** `null`: nothing here can bundle (as in the published package, which has no esbuild). */
  readonly bundle?: PageBundler | null;
};

async function modifiedAt(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

async function newestSource(dir: string): Promise<number | undefined> {
  const names = await readdir(dir, { recursive: true }).catch(() => []);
  const times = await Promise.all(names.filter((n) => n.endsWith('.ts')).map((n) => modifiedAt(join(dir, n))));
  const known = times.filter((t) => t !== undefined);
  return known.length === 0 ? undefined : Math.max(...known);
}

// esbuild is a development dependency: present in a checkout, absent where the package is installed.
async function esbuildBundler(): Promise<PageBundler | undefined> {
  try {
    await import('esbuild');
  } catch {
    return undefined;
  }
  const { bundlePage } = await import('./build-page.ts');
  return bundlePage;
}

/**
 * The lineage page's script. The built file (`npm run build:page`; the published package ships it) is used unless the
 * browser sources are newer, as while the page is being worked on; then, or when nothing was built, the sources are
 * bundled on demand with esbuild. Fails, saying how to build the page, when there is neither.
 */
export async function loadPageScript(options: PageScriptOptions = {}): Promise<string> {
  const builtFile = options.builtFile ?? BUILT_PAGE_SCRIPT;
  const built = await modifiedAt(builtFile);
  const sources = await newestSource(options.sourceDir ?? PAGE_SOURCES);
  if (built !== undefined && (sources === undefined || built >= sources)) return readFile(builtFile, 'utf8');
  const bundle = options.bundle === undefined ? await esbuildBundler() : options.bundle;
  if (bundle) return bundle();
  // Older than its sources, but nothing here can make a newer one.
  if (built !== undefined) return readFile(builtFile, 'utf8');
  throw new Error(`the lineage page's script is not built (${builtFile} is missing and esbuild is not installed): run npm run build:page`);
}

/** Where ELK's worker script is in a checkout (elkjs installed), or undefined. */
export function elkWorkerSource(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve(ELK_WORKER_MODULE);
  } catch {
    return undefined;
  }
}

/** The graph-layout worker's script: the built copy (the published package ships it), else ELK's own from elkjs. */
export async function loadLayoutWorker(builtFile: string = BUILT_LAYOUT_WORKER): Promise<string> {
  if ((await modifiedAt(builtFile)) !== undefined) return readFile(builtFile, 'utf8');
  const source = elkWorkerSource();
  if (source) return readFile(source, 'utf8');
  throw new Error(`the lineage page's layout worker is missing (${builtFile}, and elkjs is not installed): run npm run build:page`);
}
