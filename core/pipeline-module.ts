import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
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
    throw new SluiceError('PIPELINE_MODULE_IMPORT', `cannot import ${path}: ${(error as Error).message}${hint(error)}`, { cause: error });
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
