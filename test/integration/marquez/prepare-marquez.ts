// Gets the Marquez jars: cached, else from Maven Central, else a shared copy beside the repository. See README.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SHARED_MARQUEZ_ENV, findSharedMarquez, sharedMarquezCandidates } from './shared-copy.ts';

/** Marquez releases the harness runs, newest first, as Maven Central serves them. */
export const MARQUEZ_VERSIONS = ['0.51.1', '0.50.0'] as const;

/** The part that could not be had; the message says what to install. */
export type MarquezComponent = 'java' | 'mvn' | 'maven' | 'postgresql' | 'marquez';

/** Thrown when a component Marquez needs is missing or Marquez does not come up. */
export class MarquezUnavailableError extends Error {
  readonly component: MarquezComponent;
  constructor(component: MarquezComponent, message: string) {
    super(`${component}: ${message}`);
    this.name = 'MarquezUnavailableError';
    this.component = component;
  }
}

function hasMvn(): boolean {
  const r = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

/** The variable a caller sets to a prepared `jars-<version>` folder, so that every start skips the search (the suite sets it). */
export const MARQUEZ_JARS_ENV = 'SLUICE_MARQUEZ_JARS';

/** The classpath of a Marquez release, and where its jars came from. */
export interface Prepared {
  readonly classpath: string;
  readonly version: string;
  /** The `jars-<version>` folder. */
  readonly dir: string;
  readonly source: 'cache' | 'maven-central' | 'shared-copy' | 'environment';
}

/**
 * Finds the Marquez jars: `$SLUICE_MARQUEZ_JARS`, the cache, then for each release (newest first) Maven Central and
 * then a shared copy beside the repository (`../shared/marquez/jars-<version>`, used in place, never copied); when none
 * has them, a MarquezUnavailableError that names every place it looked.
 */
export async function prepareMarquez(opts: { cacheDir: string; log: (line: string) => void }): Promise<Prepared> {
  const { cacheDir, log } = opts;
  const given = process.env[MARQUEZ_JARS_ENV];
  if (given) {
    const dir = resolve(given);
    const version = /jars-([\w.]+)$/.exec(dir)?.[1];
    if (!version || !existsSync(join(dir, 'done')))
      throw new MarquezUnavailableError(
        'marquez',
        `${MARQUEZ_JARS_ENV}=${given}: expected a complete jars-<version> folder (with lib/ and done)`,
      );
    return { classpath: classpathOf(dir), version, dir, source: 'environment' };
  }
  mkdirSync(cacheDir, { recursive: true });
  for (const v of MARQUEZ_VERSIONS) {
    const dir = join(cacheDir, `jars-${v}`);
    if (existsSync(join(dir, 'done'))) return { classpath: classpathOf(dir), version: v, dir, source: 'cache' };
  }
  const mvnFound = hasMvn();
  if (!mvnFound) log('no `mvn` on PATH, so Maven Central is not asked (Debian: apt-get install -y maven)');
  const tried: string[] = [];
  for (const v of MARQUEZ_VERSIONS) {
    if (mvnFound) {
      const dir = fromMavenCentral(v, cacheDir, log);
      if (dir) return { classpath: classpathOf(dir), version: v, dir, source: 'maven-central' };
      tried.push(`Maven Central has no marquez-api ${v}`);
    }
    const shared = findSharedMarquez(`jars-${v}`, 'done');
    if (shared) {
      log(`using the shared copy of Marquez ${v} in ${shared}`);
      return { classpath: classpathOf(shared), version: v, dir: shared, source: 'shared-copy' };
    }
  }
  const places = sharedMarquezCandidates().map((p) => `${p}/jars-<version>`);
  throw new MarquezUnavailableError(
    mvnFound ? 'marquez' : 'mvn',
    `no Marquez jars (${MARQUEZ_VERSIONS.join(', ')}): ${mvnFound ? tried.join('; ') : 'mvn is missing'}, and no shared copy in ${places.join(', ')}. ` +
      `Install maven where Maven Central serves io.github.marquezproject:marquez-api, or set ${SHARED_MARQUEZ_ENV} to a folder holding jars-<version>/lib and jars-<version>/done`,
  );
}

/** Fetches one release and its dependencies into the cache; undefined when Maven Central does not serve it. */
function fromMavenCentral(v: string, cacheDir: string, log: (line: string) => void): string | undefined {
  log(`asking Maven Central for io.github.marquezproject:marquez-api:${v}`);
  const r = mvn(['-B', '-q', 'dependency:get', `-Dartifact=io.github.marquezproject:marquez-api:${v}`, '-Dtransitive=false'], cacheDir);
  if (r.status !== 0) {
    if (/Could not transfer|Connect|UnknownHost|timed out/i.test(r.output) && !/Could not find artifact|was not found/i.test(r.output)) {
      log(`  cannot reach Maven Central: ${tail(r.output, 2).replace(/\s+/g, ' ')}`);
    } else log(`  not served (${v})`);
    return undefined;
  }
  const work = mkdtempSync(join(cacheDir, `.jars-${v}-`));
  writeFileSync(join(work, 'pom.xml'), centralPom(v));
  log(`fetching marquez-api ${v} and its dependencies`);
  const c = mvn(['-B', '-q', 'dependency:copy-dependencies', '-DincludeScope=runtime', '-DoutputDirectory=lib'], work);
  if (c.status !== 0) throw new MarquezUnavailableError('maven', `dependency:copy-dependencies failed:\n${tail(c.output, 15)}`);
  writeFileSync(join(work, 'done'), new Date().toISOString());
  return publish(work, join(cacheDir, `jars-${v}`));
}

/** Moves a finished work dir into place; a concurrent harness that got there first wins. */
function publish(work: string, target: string): string {
  try {
    renameSync(work, target);
  } catch {
    rmSync(work, { recursive: true, force: true });
  }
  return target;
}

function classpathOf(dir: string): string {
  const lib = join(dir, 'lib');
  return readdirSync(lib)
    .filter((f) => f.endsWith('.jar'))
    .map((f) => join(lib, f))
    .join(':');
}

function mvn(args: string[], cwd: string): { status: number; output: string } {
  const r = spawnSync('mvn', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status ?? 1, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

function centralPom(v: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>sluice.test</groupId><artifactId>marquez-jars</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies><dependency><groupId>io.github.marquezproject</groupId><artifactId>marquez-api</artifactId><version>${v}</version></dependency></dependencies>
</project>
`;
}

/** The last `lines` lines of a text. */
export function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
