// Gets the Marquez jars: cached, else from Maven Central. See README.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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

function requireMvn(): void {
  const r = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new MarquezUnavailableError('mvn', 'no `mvn` on PATH; the harness fetches Marquez with Maven (Debian: apt-get install -y maven)');
  }
}

/** The classpath of a Marquez release. */
export interface Prepared {
  readonly classpath: string;
  readonly version: string;
}

/** Finds cached jars, else fetches them from Maven Central; a registry that does not serve Marquez is an error. */
export async function prepareMarquez(opts: { cacheDir: string; log: (line: string) => void }): Promise<Prepared> {
  const { cacheDir, log } = opts;
  mkdirSync(cacheDir, { recursive: true });
  for (const v of MARQUEZ_VERSIONS) {
    const dir = join(cacheDir, `jars-${v}`);
    if (existsSync(join(dir, 'done'))) return { classpath: classpathOf(dir), version: v };
  }
  requireMvn();
  for (const v of MARQUEZ_VERSIONS) {
    log(`asking Maven Central for io.github.marquezproject:marquez-api:${v}`);
    const r = mvn(['-B', '-q', 'dependency:get', `-Dartifact=io.github.marquezproject:marquez-api:${v}`, '-Dtransitive=false'], cacheDir);
    if (r.status !== 0) {
      if (/Could not transfer|Connect|UnknownHost|timed out/i.test(r.output) && !/Could not find artifact|was not found/i.test(r.output)) {
        throw new MarquezUnavailableError('maven', `cannot reach Maven Central:\n${tail(r.output, 8)}`);
      }
      log(`  not served (${v})`);
      continue;
    }
    const work = mkdtempSync(join(cacheDir, `.jars-${v}-`));
    writeFileSync(join(work, 'pom.xml'), centralPom(v));
    log(`fetching marquez-api ${v} and its dependencies`);
    const c = mvn(['-B', '-q', 'dependency:copy-dependencies', '-DincludeScope=runtime', '-DoutputDirectory=lib'], work);
    if (c.status !== 0) throw new MarquezUnavailableError('maven', `dependency:copy-dependencies failed:\n${tail(c.output, 15)}`);
    writeFileSync(join(work, 'done'), new Date().toISOString());
    return { classpath: classpathOf(publish(work, join(cacheDir, `jars-${v}`))), version: v };
  }
  throw new MarquezUnavailableError(
    'marquez',
    `the Maven registry reachable here does not serve io.github.marquezproject:marquez-api (${MARQUEZ_VERSIONS.join(', ')}); no other source of Marquez is used`,
  );
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
