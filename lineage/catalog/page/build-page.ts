// Bundles the lineage page's browser script: `npm run build:page [outfile]`, or buildPage() from a package build.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { BUILT_PAGE_SCRIPT, ELK_WORKER_MODULE, PAGE_SOURCES, elkWorkerSource } from './page-script.ts';

/** Names the EPL-2.0 code the page and its worker contain, and where its licence is. */
const ELK_NOTICE = '/*! Contains elkjs (Eclipse Public License 2.0, https://github.com/kieler/elkjs); licence: layout-worker.LICENSE.md */';

/** The page's browser sources as one ES module script (the page inlines it). */
export async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [join(PAGE_SOURCES, 'main.ts')],
    tsconfig: join(PAGE_SOURCES, 'tsconfig.json'),
    // Module comments name paths relative to the sources, so the output does not depend on the caller's directory.
    absWorkingDir: PAGE_SOURCES,
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    charset: 'utf8',
    minify: true,
    legalComments: 'none',
    // The page bundles elkjs's client; its licence travels beside the worker (see buildPage).
    banner: { js: ELK_NOTICE },
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/**
 * Writes the bundled script to `outfile`, by default where the catalog looks for it, and the graph-layout worker (ELK's
 * worker script) beside it as `layout-worker.js`; returns the script's path.
 */
export async function buildPage(outfile: string = BUILT_PAGE_SCRIPT): Promise<string> {
  await mkdir(dirname(outfile), { recursive: true });
  await writeFile(outfile, await bundlePage());
  const worker = elkWorkerSource();
  if (!worker) throw new Error(`cannot build the lineage page: ${ELK_WORKER_MODULE} is not installed (npm ci installs it)`);
  await writeFile(join(dirname(outfile), 'layout-worker.js'), `${ELK_NOTICE}\n${await readFile(worker, 'utf8')}`);
  // The licence of ELK (EPL-2.0) ships with the code built from it.
  await copyFile(join(dirname(worker), '..', 'LICENSE.md'), join(dirname(outfile), 'layout-worker.LICENSE.md'));
  return outfile;
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  // An option is never meant as the output file: say how the script is called instead of writing "--x".
  if (args.length > 1 || args[0]?.startsWith('-')) {
    const help = args[0] === '--help' || args[0] === '-h';
    (help ? process.stdout : process.stderr).write(
      `${help ? '' : `unexpected ${JSON.stringify(args.length > 1 ? args[1] : args[0])}\n\n`}Usage: npm run build:page [-- <outfile>]\nBundles the lineage page's browser script (default: beside page/page-script.ts).\n`,
    );
    process.exit(help ? 0 : 2);
  }
  process.stdout.write(`${await buildPage(args[0])}\n`);
}
