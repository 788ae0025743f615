import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnvironment } from '../support/environment.ts';

const root = join(import.meta.dirname, '..', '..');
const node = join(root, 'node_modules', 'node', 'bin', 'node');

function sluice(args: string[], cwd: string) {
  const out = spawnSync(node, ['--conditions=sluice-source', join(root, 'bin', 'sluice.ts'), ...args], {
    cwd,
    encoding: 'utf8',
    env: testEnvironment(),
    timeout: 60_000,
  });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

describe('sluice init', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-init-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('creates a project from the scoring template, with dot-files restored and the package named after the folder', async () => {
    const out = sluice(['init', 'My Pipelines', '--json'], dir);
    expect(out.code).toBe(0);
    const created = JSON.parse(out.stdout) as { files: string[]; package: string; sluice: string; template: string };
    expect(created.template).toBe('scoring');
    expect(created.package).toBe('my-pipelines');
    expect(created.sluice).toMatch(/^\^\d+\.\d+\.\d+/);
    expect(created.files).toEqual(
      expect.arrayContaining([
        '.github/workflows/ci.yml',
        '.gitignore',
        'README.md',
        'cdk.json',
        'data/orders-bad.csv',
        'data/orders.csv',
        'infra/app.ts',
        'models/late-delivery.json',
        'package.json',
        'pipelines/orders.ts',
        'test/orders.test.ts',
        'tsconfig.json',
      ]),
    );
    expect(created.files).not.toContain('package.template.json');
    const manifest = JSON.parse(await readFile(join(dir, 'My Pipelines', 'package.json'), 'utf8'));
    expect(manifest.dependencies).toMatchObject({ sluice: created.sluice, zod: expect.any(String) });
    expect(Object.keys(manifest.devDependencies)).toEqual(expect.arrayContaining(['aws-cdk', 'aws-cdk-lib', 'constructs', 'vitest']));
  });

  it('says to install the dependencies when its pipeline is validated before npm install', () => {
    const out = sluice(['validate', join(dir, 'My Pipelines', 'pipelines', 'orders.ts')], root);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/Cannot find package '(zod|sluice)'/);
    expect(out.stderr).toContain('npm install');
  });

  it('creates the events template over the same base: its own pipeline, samples and test, the shared CDK app and CI', async () => {
    const out = sluice(['init', 'ev', '--template', 'events', '--json'], dir);
    expect(out.code).toBe(0);
    const { files } = JSON.parse(out.stdout) as { files: string[] };
    expect(files).toEqual(
      expect.arrayContaining([
        'pipelines/events.ts',
        'data/events.jsonl',
        'test/events.test.ts',
        'infra/app.ts',
        '.github/workflows/ci.yml',
      ]),
    );
    expect(files.filter((f) => f.includes('orders'))).toEqual([]);
    expect(await readFile(join(dir, 'ev', 'README.md'), 'utf8')).toContain('pipelines/events.ts');
  });

  it('writes a tarball given with --sluice as a file: dependency relative to the project', async () => {
    await writeFile(join(dir, 'sluice-9.9.9.tgz'), '');
    expect(sluice(['init', 'from-tarball', '--sluice', 'sluice-9.9.9.tgz'], dir).code).toBe(0);
    const manifest = JSON.parse(await readFile(join(dir, 'from-tarball', 'package.json'), 'utf8'));
    expect(manifest.dependencies.sluice).toBe('file:../sluice-9.9.9.tgz');
  });

  it('exits 2 and writes nothing for a folder that is not empty, an unknown template or a missing tarball', async () => {
    await mkdir(join(dir, 'taken'));
    await writeFile(join(dir, 'taken', 'notes.txt'), 'mine');
    expect(sluice(['init', 'taken'], dir)).toMatchObject({ code: 2, stderr: expect.stringContaining('is not empty (notes.txt)') });
    expect(await readdir(join(dir, 'taken'))).toEqual(['notes.txt']);
    expect(sluice(['init', 'x', '--template', 'nope'], dir)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--template: expected one of events, scoring, got "nope"'),
    });
    expect(sluice(['init', 'y', '--sluice', './missing.tgz'], dir)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('does not exist'),
    });
    expect(await readdir(dir)).not.toContain('x');
    expect(sluice(['init'], dir)).toMatchObject({ code: 2, stderr: expect.stringContaining('missing the project folder') });
    // Four CLI processes in a row: on a busy machine each can take well over ten seconds to start.
  }, 300_000);

  it('prints its usage with --help', () => {
    expect(sluice(['init', '--help'], dir)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: sluice init <dir>/) });
  });
});

describe('pipeline files Node cannot run', () => {
  it('exits 2 naming the syntax Node cannot strip', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-enum-'));
    try {
      await writeFile(join(dir, 'p.ts'), 'enum Plan { Basic }\nexport default { name: String(Plan.Basic) };\n');
      const out = sluice(['validate', join(dir, 'p.ts')], dir);
      expect(out.code).toBe(2);
      expect(out.stderr).toContain('only erasable syntax: no enums, namespaces or parameter properties');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  // Each case: the files of a project, and what the error must say (file:line[:column], the message, the source line).
  it.each([
    {
      what: 'a TypeScript syntax error',
      files: { 'p.ts': 'export default {\n  name: "x",,\n};\n' },
      says: [/^sluice: \S+\/p\.ts:2:13: Unexpected token/m, /^ {2} {2}name: "x",,$/m, /^ {14}\^$/m],
    },
    {
      what: 'an import of a file that does not exist',
      files: {
        'p.ts': 'import { x } from "./helpers.ts";\nimport { y } from "./nope.ts";\nexport default { x, y };\n',
        'helpers.ts': 'export const x = 1;\n',
      },
      says: [/^sluice: \S+\/p\.ts:2: Cannot find module '\S+\/nope\.ts' imported from/m, /^ {2}import \{ y \} from "\.\/nope\.ts";$/m],
    },
    {
      what: 'an import of a package that is not installed',
      files: { 'p.ts': '\nimport { z } from "not-installed-pkg/sub";\nexport default z;\n' },
      says: [/^sluice: \S+\/p\.ts:2: Cannot find package 'not-installed-pkg'/m, /install the project's dependencies first/],
    },
    {
      what: 'a name the imported module does not export',
      files: { 'p.ts': 'import { nope } from "./helpers.ts";\nexport default nope;\n', 'helpers.ts': 'export const x = 1;\n' },
      says: [/^sluice: \S+\/p\.ts:1:10: The requested module '\.\/helpers\.ts' does not provide an export named 'nope'/m],
    },
    {
      what: 'an error thrown by an imported module',
      files: {
        'p.ts': 'import { x } from "./helpers.ts";\nexport default x;\n',
        'helpers.ts': 'export const x = 1;\nthrow new Error(`broken ${x}`);\n',
      },
      says: [/^sluice: cannot import \S+\/p\.ts: \S+\/helpers\.ts:2:7: broken 1$/m],
    },
  ])('exits 2 with the file, line and message of $what, and no stack', async ({ what, files, says }) => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-load-'));
    try {
      for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
      // sluice run loads pipelines as validate does; one case checks that it says the same.
      const commands = [['validate', join(dir, 'p.ts')]];
      if (what === 'a TypeScript syntax error') commands.push(['run', join(dir, 'p.ts'), '--input', 'x.csv']);
      for (const command of commands) {
        const out = sluice(command, dir);
        expect(out.code, out.stderr).toBe(2);
        for (const pattern of says) expect(out.stderr).toMatch(pattern);
        expect(out.stderr).not.toMatch(/^\s+at /m);
        expect(out.stderr).not.toContain('unexpected error');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
