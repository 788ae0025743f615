import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TALLY_ENV, tallyTable, type Tally } from './tally.ts';

const DOC = join(import.meta.dirname, '..', '..', 'docs', 'reliability.md');
const BEGIN = '<!-- fault-table:begin -->';
const END = '<!-- fault-table:end -->';

/** Gives the scenarios a tally file, then prints the table (and writes it into docs/reliability.md when asked). */
export default function setup(): () => Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-faults-'));
  const file = join(dir, 'tally.jsonl');
  process.env[TALLY_ENV] = file;
  return async () => {
    let entries: Tally[] = [];
    try {
      entries = readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Tally);
    } catch {
      entries = [];
    }
    rmSync(dir, { recursive: true, force: true });
    const table = tallyTable(entries);
    process.stdout.write(`\nFault suite: what Sluice promises, and how often it held\n\n${table}\n\n`);
    if (process.env.FAULT_SUITE_WRITE_DOCS === '1') {
      const doc = await readFile(DOC, 'utf8');
      const start = doc.indexOf(BEGIN);
      const end = doc.indexOf(END);
      if (start >= 0 && end > start) {
        const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.versions.node}`;
        const body = `${BEGIN}\n${table}\n\nMeasured on ${machine}, ${new Date().toISOString().slice(0, 10)}, with \`npm run test:faults\`.\n${END}`;
        await writeFile(DOC, `${doc.slice(0, start)}${body}${doc.slice(end + END.length)}`);
      }
    }
  };
}
