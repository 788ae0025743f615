import { readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

const FILE = join(import.meta.dirname, '..', 'docs', 'benchmarks.md');
const TITLE = '# Benchmarks\n\nEach section is written by its benchmark; rerun the command it names to reproduce it.\n';

/** The machine a benchmark ran on, in one line, with how busy it was (these machines are shared). */
export function machine(): string {
  const [one = 0] = loadavg();
  return `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}, ${process.platform}, load average ${one.toFixed(1)} at the start`;
}

/**
 * Replaces the `## heading` section of docs/benchmarks.md, leaving other sections as they are; a new section goes at the
 * end, or first (right after the title) when `first` is set.
 */
export async function writeSection(heading: string, body: string, options: { first?: boolean } = {}): Promise<void> {
  const text = await readFile(FILE, 'utf8').catch(() => TITLE);
  const start = text.indexOf(`\n## ${heading}\n`);
  const section = `\n## ${heading}\n\n${body.trim()}\n`;
  if (start < 0) {
    const at = options.first ? text.indexOf('\n## ') : -1;
    await writeFile(FILE, at < 0 ? `${text.trimEnd()}\n${section}` : `${text.slice(0, at)}${section}${text.slice(at)}`);
    return;
  }
  const next = text.indexOf('\n## ', start + 1);
  await writeFile(FILE, `${text.slice(0, start)}${section}${next < 0 ? '' : text.slice(next)}`);
}
