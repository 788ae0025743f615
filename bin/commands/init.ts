import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliUsageError, EXIT, parseCommandArgs } from './cli.ts';

/** Files whose names npm would drop or act on inside a package, stored under another name in a template. */
const RENAMES: Readonly<Record<string, string>> = { gitignore: '.gitignore', github: '.github', 'package.template.json': 'package.json' };

const DEFAULT_TEMPLATE = 'scoring';
/** The files every template shares (package.json, tsconfig, the CDK app, CI); a template's own files go over them. */
const BASE = 'base';

function usage(templates: string[]): string {
  return `Usage: sluice init <dir> [--template <name>] [--sluice <version | tarball>] [--json]

Creates a pipeline project in <dir> (which must be empty or not exist): a pipeline, a model, sample data, a test
that runs the pipeline locally with sluice/testing, a CDK app deploying every pipeline in pipelines/, and a CI
workflow. Then: cd <dir> && npm install && npm test.

Options:
  --template <name>    ${templates.join(', ')} (default ${DEFAULT_TEMPLATE})
  --sluice <spec>      the sluice dependency in package.json: a version range (default ^<this version>) or the
                       path of a package tarball or folder (written as a file: dependency)
  --json               print what was created as JSON
  -h, --help
`;
}

/** The installed (or checked-out) sluice package: the nearest folder above this file with sluice's package.json. */
async function packageRoot(): Promise<{ root: string; version: string }> {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = await readFile(join(dir, 'package.json'), 'utf8').catch(() => undefined);
    const parsed = manifest === undefined ? undefined : (JSON.parse(manifest) as { name?: string; version?: string });
    if (parsed?.name === 'sluice') return { root: dir, version: parsed.version ?? '0.0.0' };
    if (dirname(dir) === dir) throw new Error('cannot find the sluice package around the CLI');
    dir = dirname(dir);
  }
}

/** An npm package name from a folder name: lowercase, with anything npm does not allow turned into hyphens. */
function packageName(dir: string): string {
  const name = basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+/, '')
    .slice(0, 214);
  return name || 'sluice-pipelines';
}

function dependencySpec(given: string | undefined, version: string, target: string): string {
  if (given === undefined) return `^${version}`;
  if (existsSync(given)) return `file:${relative(target, resolve(given)) || '.'}`;
  if (/[\\/]|\.tgz$/.test(given)) throw new CliUsageError(`--sluice: ${resolve(given)} does not exist`);
  if (given.trim() === '') throw new CliUsageError('--sluice: expected a version range or a path, got ""');
  return given;
}

/** Applies the template's renames to every file and folder under `dir`, deepest first. */
async function applyRenames(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await applyRenames(path);
    const renamed = RENAMES[entry.name];
    if (renamed) await rename(path, join(dir, renamed));
  }
}

async function listFiles(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path, base)));
    else out.push(relative(base, path));
  }
  return out.sort();
}

/** `sluice init`: scaffolds a pipeline project from a template. */
export async function initCommand(args: string[]): Promise<number> {
  const { root, version } = await packageRoot();
  const templatesDir = join(root, 'templates');
  const templates = (await readdir(templatesDir, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && e.name !== BASE)
    .map((e) => e.name)
    .sort();
  const USAGE = usage(templates);
  const { values, positionals } = parseCommandArgs(
    args,
    { template: { type: 'string' }, sluice: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  const [dir, ...extra] = positionals;
  if (dir === undefined) throw new CliUsageError('missing the project folder', USAGE);
  if (extra.length > 0) throw new CliUsageError(`unexpected argument ${JSON.stringify(extra[0])}`, USAGE);
  const template = values.template ?? DEFAULT_TEMPLATE;
  if (!templates.includes(template)) {
    throw new CliUsageError(`--template: expected one of ${templates.join(', ')}, got ${JSON.stringify(template)}`, USAGE);
  }
  const target = resolve(dir);
  const existing = await stat(target).catch(() => undefined);
  if (existing && !existing.isDirectory()) throw new CliUsageError(`${target} exists and is not a folder`, USAGE);
  const present = existing ? await readdir(target) : [];
  if (present.length > 0) {
    throw new CliUsageError(
      `${target} is not empty (${present.slice(0, 5).join(', ')}${present.length > 5 ? ', …' : ''}); choose a new folder`,
      USAGE,
    );
  }

  await mkdir(target, { recursive: true });
  await cp(join(templatesDir, BASE), target, { recursive: true });
  await cp(join(templatesDir, template), target, { recursive: true });
  await applyRenames(target);
  const manifestPath = join(target, 'package.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { name: string; dependencies: Record<string, string> };
  manifest.name = packageName(target);
  manifest.dependencies.sluice = dependencySpec(values.sluice, version, target);
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);

  const files = await listFiles(target);
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ dir: target, template, package: manifest.name, sluice: manifest.dependencies.sluice, files }, null, 2)}\n`,
    );
  } else {
    const fromHere = relative(process.cwd(), target);
    const cd = fromHere === '' ? '.' : fromHere.startsWith('..') ? target : fromHere;
    process.stdout.write(
      `created ${target} from the ${template} template (${files.length} files)\n\nnext:\n  cd ${cd}\n  npm install\n  npm test\n`,
    );
  }
  return EXIT.ok;
}
