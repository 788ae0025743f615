// The system parts Marquez needs: Java 17+ and PostgreSQL 14+ server binaries, installed from Debian when running as
// root and missing. See README.md.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MarquezUnavailableError, tail } from './prepare-marquez.ts';

/** `java` (17+) on PATH; as root, Debian's openjdk-17-jre-headless is installed when it is missing. */
export function ensureJava(log: (line: string) => void): string {
  const version = () => spawnSync('java', ['-version'], { encoding: 'utf8' });
  let r = version();
  if ((r.error || r.status !== 0) && process.getuid?.() === 0) {
    log('java not found: apt-get install -y openjdk-17-jre-headless (once)');
    aptInstall('java', 'openjdk-17-jre-headless');
    r = version();
  }
  if (r.error || r.status !== 0) {
    throw new MarquezUnavailableError(
      'java',
      'no `java` on PATH; Marquez needs Java 17+ (Debian: apt-get install -y openjdk-17-jre-headless)',
    );
  }
  const major = Number(/version "(\d+)/.exec(r.stderr)?.[1] ?? 0);
  if (major < 17) throw new MarquezUnavailableError('java', `Marquez needs Java 17+, found ${r.stderr.split('\n')[0]}`);
  return 'java';
}

function aptInstall(component: 'java' | 'postgresql', pkg: string): void {
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', pkg]]) {
    const r = spawnSync('apt-get', args, { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0)
      throw new MarquezUnavailableError(component, `apt-get ${args.join(' ')} failed:\n${tail(`${r.stdout}${r.stderr}`, 10)}`);
  }
}

/** PostgreSQL's server binaries and their major version. */
export interface Postgres {
  readonly bin: string;
  readonly version: number;
}

/** PostgreSQL 14+ binaries; as root, Debian's postgresql is installed when none is found. */
export function findPostgres(log: (line: string) => void): Postgres {
  const found = locatePostgres();
  if (found) return found;
  if (process.getuid?.() !== 0) {
    throw new MarquezUnavailableError(
      'postgresql',
      'PostgreSQL 14+ server binaries (initdb, pg_ctl) not found and not running as root, so it cannot be installed here; run: sudo apt-get update && sudo apt-get install -y postgresql',
    );
  }
  log('PostgreSQL not found: apt-get update && apt-get install -y postgresql (once)');
  aptInstall('postgresql', 'postgresql');
  const installed = locatePostgres();
  if (!installed)
    throw new MarquezUnavailableError('postgresql', 'apt-get installed postgresql but no initdb was found under /usr/lib/postgresql');
  return installed;
}

function locatePostgres(): Postgres | undefined {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .map(Number)
        .filter((n) => n >= 14)
        .sort((a, b) => b - a)
    : [];
  for (const v of versions) {
    const bin = join(root, String(v), 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'postgres'))) return { bin, version: v };
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const initdb = which.stdout.trim();
  if (which.status === 0 && initdb && existsSync(join(dirname(initdb), 'pg_ctl'))) {
    const v = spawnSync(initdb, ['--version'], { encoding: 'utf8' });
    const major = Number(/(\d+)/.exec(v.stdout)?.[1] ?? 0);
    if (major >= 14) return { bin: dirname(initdb), version: major };
  }
  return undefined;
}
