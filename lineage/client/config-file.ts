import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { LineageConfigError } from './errors.ts';

/** Where to look for `openlineage.yml`; each defaults to the process's own. */
export type ConfigFileLocations = {
  /** Environment holding `OPENLINEAGE_CONFIG` and `HOME`. */
  env: Readonly<Record<string, string | undefined>>;
  /** Directory searched for `openlineage.yml`. @default process.cwd() */
  cwd?: string | undefined;
};

/** A configuration file found and read: its path and its content (an object, possibly empty). */
export type LineageConfigFile = { path: string; content: Record<string, unknown> };

function readable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The first readable of `$OPENLINEAGE_CONFIG`, `<cwd>/openlineage.yml` and `~/.openlineage/openlineage.yml`
 * (openlineage-python's order), or undefined when there is none.
 */
export function findLineageConfigFile(locations: ConfigFileLocations): string | undefined {
  const cwd = locations.cwd ?? process.cwd();
  const home = locations.env['HOME'] || homedir();
  const explicit = locations.env['OPENLINEAGE_CONFIG'];
  const candidates = [
    explicit ? resolve(cwd, explicit) : undefined,
    join(cwd, 'openlineage.yml'),
    join(home, '.openlineage', 'openlineage.yml'),
  ];
  return candidates.find((path): path is string => path !== undefined && readable(path));
}

/**
 * Reads the configuration file openlineage-python would read, or returns undefined when there is none. An empty
 * file is an empty configuration; YAML that does not parse, or whose top level is not a mapping, throws
 * {@link LineageConfigError} naming the file (never its content, which may hold an API key).
 */
export function readLineageConfigFile(locations: ConfigFileLocations): LineageConfigFile | undefined {
  const path = findLineageConfigFile(locations);
  if (path === undefined) return undefined;
  let content: unknown;
  try {
    content = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const e = error as { message?: string; linePos?: Array<{ line: number; col: number }> };
    const where = e.linePos?.[0] ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '';
    // The YAML library quotes the offending source; keep only its first sentence so no secret is echoed.
    const reason = (e.message ?? String(error)).split(/ at line \d|[:\n]/)[0]!.trim();
    throw new LineageConfigError([`${path}: not valid YAML${where}: ${reason}`], path);
  }
  if (content === null || content === undefined) return { path, content: {} };
  if (typeof content !== 'object' || Array.isArray(content)) {
    throw new LineageConfigError(
      [
        `${path}: expected a mapping with a "transport" section at the top level, got ${Array.isArray(content) ? 'a list' : typeof content}`,
      ],
      path,
    );
  }
  return { path, content: content as Record<string, unknown> };
}
