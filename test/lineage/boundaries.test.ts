// lineage/ stands alone and is reached only through its entries: these rules are checked on the source, not trusted.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const ENTRIES = ['lineage/index.ts', 'lineage/catalog/index.ts', 'lineage/trace/index.ts'];

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.split('/').includes('node_modules'))
    .map((f) => join(dir, f));
}

/** Every module a file imports, re-exports or loads, as written. */
function specifiers(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)'([^']+)'/gm)].map((m) => m[1]!);
}

const target = (file: string, spec: string) => relative(root, resolve(root, dirname(file), spec));

describe('lineage boundaries', () => {
  it('does import only lineage/, core/, Node built-ins, zod and yaml from lineage/ (esbuild only to build the page)', () => {
    const outside = sources('lineage').flatMap((file) =>
      specifiers(file)
        .filter((spec) => {
          if (spec.startsWith('.')) return !/^(lineage|core)\//.test(target(file, spec));
          if (spec === 'esbuild') return !file.startsWith('lineage/catalog/page/');
          return !spec.startsWith('node:') && spec !== 'zod' && spec !== 'yaml';
        })
        .map((spec) => `${file}: ${spec}`),
    );
    expect(outside).toEqual([]);
  });

  it('does reach lineage/ from other code through its public entries only', () => {
    const internal = ['lib', 'functions', 'bin', 'bench', 'examples'].flatMap((dir) =>
      sources(dir).flatMap((file) =>
        specifiers(file)
          .filter((spec) => spec.startsWith('.') && target(file, spec).startsWith('lineage/') && !ENTRIES.includes(target(file, spec)))
          .map((spec) => `${file}: ${spec}`),
      ),
    );
    expect(internal).toEqual([]);
  });
});
