// Bundles the lineage page's browser script: `npm run build:page [outfile]`, or buildPage() from a package build.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { BUILT_PAGE_SCRIPT, PAGE_SOURCES } from './page-script.ts';

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
    legalComments: 'none',
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** Writes the bundled script to `outfile`, by default where the catalog looks for it; returns the path written. */
export async function buildPage(outfile: string = BUILT_PAGE_SCRIPT): Promise<string> {
  await mkdir(dirname(outfile), { recursive: true });
  await writeFile(outfile, await bundlePage());
  return outfile;
}

if (import.meta.main) process.stdout.write(`${await buildPage(process.argv[2])}\n`);
