import { readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

const FILE = join(import.meta.dirname, '..', 'docs', 'benchmarks.md');
const TITLE = '# Benchmarks\n\nEach section is written by its benchmark; rerun the command it names to reproduce it.\n';

/** The machine a benchmark ran on, in one line. */
export function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}, ${process.platform}`;
}

/** Replaces (or appends) the `## heading` section of docs/benchmarks.md, leaving other sections as they are. */
export async function writeSection(heading: string, body: string): Promise<void> {
  const text = await readFile(FILE, 'utf8').catch(() => TITLE);
  const start = text.indexOf(`\n## ${heading}\n`);
  const section = `\n## ${heading}\n\n${body.trim()}\n`;
  if (start < 0) {
    await writeFile(FILE, `${text.trimEnd()}\n${section}`);
    return;
  }
  const next = text.indexOf('\n## ', start + 1);
  await writeFile(FILE, `${text.slice(0, start)}${section}${next < 0 ? '' : text.slice(next)}`);
}
