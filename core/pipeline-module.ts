import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isSluiceError, SluiceError } from './errors.ts';

/** File names a pipeline module may have: TypeScript (run by Node's type stripping) or JavaScript. */
export const PIPELINE_MODULE_PATTERN = /\.(ts|mts|js|mjs)$/;

/**
 * Imports a pipeline module and returns what it exports as the pipeline: its default export, or an export named
 * `pipeline`. TypeScript runs through Node's own type stripping (Node 22.18+ and 24), so a pipeline file may use only
 * erasable syntax (no enums or namespaces) and imports with their `.ts` extension; the errors say so.
 */
export async function importPipelineModule(file: string): Promise<unknown> {
  const path = resolve(file);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new SluiceError('PIPELINE_MODULE_MISSING', `pipeline file ${path} does not exist`);
  let module: { default?: unknown; pipeline?: unknown };
  try {
    module = (await import(pathToFileURL(path).href)) as typeof module;
  } catch (error) {
    // definePipeline's own error (every problem with its path) says more than a wrapper would.
    if (isSluiceError(error)) throw error;
    const at = (await loadErrorLocation(error)) ?? { where: path, excerpt: [] };
    const message = `${at.where}: ${(error as Error).message}${at.excerpt.map((l) => `\n  ${l}`).join('')}${hint(error)}`;
    // The pipeline file's own line needs no "cannot import" before it; another file's says which import failed.
    const within = at.where === path || at.where.startsWith(`${path}:`);
    throw new SluiceError('PIPELINE_MODULE_IMPORT', within ? message : `cannot import ${path}: ${message}`, { cause: error });
  }
  const exported = module.default ?? module.pipeline;
  if (exported === undefined) {
    throw new SluiceError('PIPELINE_MODULE_EXPORT', `${path} exports no pipeline; expected "export default definePipeline({...})"`);
  }
  return exported;
}

function hint(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ERR_UNKNOWN_FILE_EXTENSION') {
    return `\n  this Node.js (${process.version}) cannot run TypeScript files; Sluice needs Node.js 22.18 or later, where it can`;
  }
  if (code === 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX') {
    return '\n  Node.js runs pipeline files by removing their types, so they may use only erasable syntax: no enums, namespaces or parameter properties';
  }
  const missing = /Cannot find module '([^']+)'/.exec(String((error as Error).message))?.[1];
  if (code === 'ERR_MODULE_NOT_FOUND' && missing !== undefined && !/\.[cm]?[jt]s$/.test(missing)) {
    return '\n  relative imports need their file extension: import x from "./x.ts"';
  }
  if (code === 'ERR_MODULE_NOT_FOUND' && /Cannot find package/.test(String((error as Error).message))) {
    return "\n  install the project's dependencies first: npm install";
  }
  return '';
}

/** Where a load error points in the user's files: `file:line[:column]` and the source line with a caret, when known. */
async function loadErrorLocation(error: unknown): Promise<{ where: string; excerpt: string[] } | undefined> {
  const stack = String((error as Error).stack ?? '');
  // Syntax errors start with Node's arrow message: "<file>:<line>", the source line, a caret line.
  const arrow = /^(file:\/\/[^\n]+|\/[^\n]+):(\d+)\n/.exec(stack);
  if (arrow) {
    const body = stack.slice(arrow[0].length).split('\n');
    const end = body.findIndex((l) => l.trim() === '' || /^[A-Za-z]*(Error|Exception)\b/.test(l));
    const lines = body.slice(0, end < 0 ? body.length : end);
    const caret = lines.findIndex((l) => /^\s*\^+\s*$/.test(l));
    const excerpt = caret > 0 ? [lines[caret - 1]!, lines[caret]!] : [];
    const column = caret > 0 ? lines[caret]!.indexOf('^') + 1 : 0;
    return { where: `${localPath(arrow[1]!)}:${arrow[2]}${column > 0 ? `:${column}` : ''}`, excerpt };
  }
  // A missing module or package: the line of the importing file that names it.
  const missing = /Cannot find (module|package) '([^']+)' imported from (.+)$/m.exec(String((error as Error).message));
  if (missing) {
    const importer = localPath(missing[3]!.trim());
    const text = await readFile(importer, 'utf8').catch(() => undefined);
    const lines = text?.split('\n') ?? [];
    const named = (spec: string): boolean =>
      missing[1] === 'package'
        ? spec === missing[2] || spec.startsWith(`${missing[2]}/`)
        : spec.startsWith('.') && resolve(dirname(importer), spec) === localPath(missing[2]!);
    const index = lines.findIndex((l) => [...l.matchAll(/['"]([^'"]+)['"]/g)].some((m) => named(m[1]!)));
    return index < 0 ? { where: importer, excerpt: [] } : { where: `${importer}:${index + 1}`, excerpt: [lines[index]!.trim()] };
  }
  // An error thrown while the module ran: its first frame in a file that is neither Node's nor a dependency's.
  const frame = /\((file:\/\/[^)]+|\/[^)]+):(\d+):(\d+)\)|at (file:\/\/\S+|\/\S+):(\d+):(\d+)$/m;
  for (const line of stack.split('\n').slice(1)) {
    const m = frame.exec(line.trim());
    const file = m?.[1] ?? m?.[4];
    if (!m || !file || file.includes('/node_modules/') || localPath(file) === fileURLToPath(import.meta.url)) continue;
    return { where: `${localPath(file)}:${m[2] ?? m[5]}:${m[3] ?? m[6]}`, excerpt: [] };
  }
  return undefined;
}

function localPath(fileOrUrl: string): string {
  return fileOrUrl.startsWith('file://') ? fileURLToPath(fileOrUrl) : fileOrUrl;
}
