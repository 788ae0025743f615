import { createRequire } from 'node:module';

type Sqlite = typeof import('node:sqlite');

/** The start of the warning Node 22 prints when node:sqlite loads (Node 24 prints none). */
const SQLITE_WARNING = 'SQLite is an experimental feature';

/** Whether a warning is Node's notice that node:sqlite is experimental, and nothing else. */
export function isSqliteExperimentalWarning(warning: string | Error, typeOrOptions?: unknown): boolean {
  const type =
    typeof typeOrOptions === 'string' ? typeOrOptions : ((typeOrOptions as { type?: string } | undefined)?.type ?? (warning as Error).name);
  const message = typeof warning === 'string' ? warning : warning.message;
  return type === 'ExperimentalWarning' && message.startsWith(SQLITE_WARNING);
}

// The catalog is built on node:sqlite by design; Node 22's notice that it is experimental would only alarm users.
// Only that one warning is held back, and only while the module loads; every other warning still prints.
function loadSqlite(): Sqlite {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    if (isSqliteExperimentalWarning(warning, rest[0])) return;
    return (emitWarning as (...args: unknown[]) => void).call(this, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return createRequire(import.meta.url)('node:sqlite') as Sqlite;
  } finally {
    process.emitWarning = emitWarning;
  }
}

/** node:sqlite's synchronous database, loaded without Node 22's experimental-feature warning. */
export const { DatabaseSync } = loadSqlite();
/** An open node:sqlite database. */
export type DatabaseSync = import('node:sqlite').DatabaseSync;

/** The same loading, as source for the catalog's checkpoint worker (a separate thread with its own warnings). */
export const WORKER_LOAD_SQLITE = `
const emitWarning = process.emitWarning;
process.emitWarning = function (warning, options, ...rest) {
  const type = typeof options === 'string' ? options : (options && options.type) || (warning && warning.name);
  const message = typeof warning === 'string' ? warning : warning.message;
  if (type === 'ExperimentalWarning' && message.startsWith(${JSON.stringify(SQLITE_WARNING)})) return;
  return emitWarning.call(this, warning, options, ...rest);
};
const { DatabaseSync } = require('node:sqlite');
process.emitWarning = emitWarning;
`;
