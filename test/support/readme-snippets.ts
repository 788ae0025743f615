import { readFileSync } from 'node:fs';

/**
 * The code between `// README start` and `// README end` in a test file, dedented: a README shows it verbatim, so
 * the example users read is the one the test type-checks and runs.
 */
export function readmeSnippets(testFile: string): string[] {
  const source = readFileSync(testFile, 'utf8');
  return [...source.matchAll(/^[ \t]*\/\/ README start\n([\s\S]*?)^[ \t]*\/\/ README end$/gm)].map(([, body]) => {
    const lines = body!.replace(/\n$/, '').split('\n');
    const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length));
    return lines.map((l) => l.slice(indent)).join('\n');
  });
}

/** The value imports of a README's code blocks from the package's entries: `[entry, names]` (type imports left out). */
export function readmeImports(readme: string): [string, string[]][] {
  const text = readFileSync(readme, 'utf8');
  return [...text.matchAll(/^import \{([^}]+)\} from '(sluice\/[a-z]+)';$/gm)].map(([, names, entry]) => [
    entry!,
    names!
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n !== '' && !n.startsWith('type ')),
  ]);
}
