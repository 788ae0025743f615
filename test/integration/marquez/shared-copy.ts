// Finds a shared copy of Marquez (API jars, web UI build) kept beside the repository, never inside it. See README.md.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The variable that names the folder holding `jars-<version>/` and `web-<version>/`; it wins over every other place. */
export const SHARED_MARQUEZ_ENV = 'SLUICE_MARQUEZ_SHARED';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function git(cwd: string, ...args: string[]): string | undefined {
  const r = spawnSync('git', ['-C', cwd, ...args], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() || undefined : undefined;
}

/** The folders a repository at `dir` sits in: its work tree's parent, and its main repository's parent (for worktrees). */
function parentsOf(dir: string): string[] {
  const out: string[] = [];
  const top = git(dir, 'rev-parse', '--show-toplevel');
  if (top) out.push(dirname(top));
  const common = git(dir, 'rev-parse', '--path-format=absolute', '--git-common-dir');
  // `<repo>/.git` → the repo's parent; a bare `<repo>.git` → its own parent.
  if (common) out.push(common.endsWith('/.git') ? dirname(dirname(common)) : dirname(common));
  return out;
}

/** A local path of the repository this clone came from (`origin`), when it is one. */
function localOrigin(): string | undefined {
  const url = git(repoRoot, 'config', '--get', 'remote.origin.url');
  if (!url) return undefined;
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return isAbsolute(path) && existsSync(path) ? path : undefined;
}

/**
 * The places searched for `../shared/marquez`, in order: `$SLUICE_MARQUEZ_SHARED`; beside this repository (and beside
 * its main repository when this is a worktree); beside the repository `origin` points at when that is a local path
 * (a CI clone in a temp dir).
 */
export function sharedMarquezCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const places: string[] = [];
  if (env[SHARED_MARQUEZ_ENV]) places.push(resolve(env[SHARED_MARQUEZ_ENV]));
  const parents = [dirname(repoRoot), ...parentsOf(repoRoot)];
  const origin = localOrigin();
  if (origin) parents.push(dirname(origin), ...parentsOf(origin));
  for (const p of parents) places.push(join(p, 'shared', 'marquez'));
  return [...new Set(places)];
}

/** The first shared folder holding `entry` complete (`done` marker for jars, `index.html` for the web UI), or undefined. */
export function findSharedMarquez(entry: string, marker: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const place of sharedMarquezCandidates(env)) {
    const dir = join(place, entry);
    if (existsSync(join(dir, marker))) return dir;
  }
  return undefined;
}
