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
