import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build:page` writes the page's bundled script and the catalog looks for it: beside this module. */
export const BUILT_PAGE_SCRIPT = fileURLToPath(new URL('./lineage-page.bundle.js', import.meta.url));

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
  const names = await readdir(dir).catch(() => []);
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
