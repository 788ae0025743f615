import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

// Every npm script that runs one of the repository's own programs (a Node or Python file), read from package.json so a
// new script is covered without touching this test. Python scripts check their flags before making their venv.
const programs = Object.entries(scripts)
  .map(([name, command]) => {
    const m = /^(node(?: --conditions=sluice-source)?|python3) (\S+\.(?:ts|py))$/.exec(command);
    return m ? { name, interpreter: m[1]!.split(' '), file: m[2]! } : undefined;
  })
  .filter((p) => p !== undefined);

describe("every script's flags", () => {
  it('finds the scripts to check in package.json', () => {
    expect(programs.map((p) => p.name)).toEqual(
      expect.arrayContaining(['demo', 'demo:orders', 'sluice', 'size', 'bench:cold-start', 'bench:data-tests', 'train:churn']),
    );
  });

  // The CLI is checked through each of its commands (`sluice <command> --bogus`).
  type Program = (typeof programs)[number];
  const cases: Array<[string, Program, string[]]> = programs.flatMap((p): Array<[string, Program, string[]]> =>
    p.name === 'sluice'
      ? ['init', 'run', 'validate', 'lineage serve', 'trace', 'ls', 'show'].map((c) => [`sluice -- ${c}`, p, c.split(' ')])
      : [[p.name, p, []]],
  );

  it.each(cases)('npm run %s --bogus prints its usage and exits 2', (_name, program, args) => {
    const [command, ...flags] = program.interpreter;
    const run = spawnSync(command!, [...flags, program.file, ...args, '--bogus'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/--bogus/);
    expect(run.stderr).toMatch(/usage/i);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});
