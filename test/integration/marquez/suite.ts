// `npm run test:marquez`: prepares Marquez (or says why it cannot), then runs the suite with vitest.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { scriptArgs } from '../../../scripts/script-args.ts';
import { MARQUEZ_JARS_ENV, ensureJava, prepareMarquez } from './harness.ts';

scriptArgs(
  `Usage: npm run test:marquez
Finds Marquez's jars (Maven Central, cached under .cache/marquez, or a shared copy beside the repository), starts
Marquez on PostgreSQL and runs the real-Marquez suite (vitest.marquez.config.ts). SLUICE_SKIP_MARQUEZ=1 skips it on purpose, except in CI.
`,
  {},
);

const root = resolve(import.meta.dirname, '../../..');
const t0 = Date.now();
const seconds = (from: number) => `${((Date.now() - from) / 1000).toFixed(1)} s`;
const say = (line: string) => process.stderr.write(`[test:marquez] ${line}\n`);
const ci = process.env.CI === 'true';

if (process.env.SLUICE_SKIP_MARQUEZ === '1') {
  if (!ci) {
    say('SKIPPED: SLUICE_SKIP_MARQUEZ=1, the real-Marquez suite did not run');
    process.exit(0);
  }
  say('SLUICE_SKIP_MARQUEZ=1 is ignored in CI (CI=true): the suite runs');
}

let jars = '';
try {
  ensureJava(say);
  const prepared = await prepareMarquez({ cacheDir: join(root, '.cache', 'marquez'), log: (l) => say(l) });
  jars = prepared.dir;
  say(`Marquez ${prepared.version} from ${prepared.source}: ${prepared.dir}`);
} catch (error) {
  say(`cannot run the real-Marquez suite: ${error instanceof Error ? error.message : String(error)}`);
  say(ci ? 'CI=true: this is a failure' : 'install what is missing, or set SLUICE_SKIP_MARQUEZ=1 to skip this suite on purpose');
  process.exit(1);
}
say(`Marquez jars ready (${seconds(t0)})`);

const t1 = Date.now();
const vitest = spawnSync(
  process.execPath,
  [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', join(root, 'vitest.marquez.config.ts')],
  {
    cwd: root,
    stdio: 'inherit',
    // Every test file's harness uses the jars found here instead of asking the registry again.
    env: { ...process.env, [MARQUEZ_JARS_ENV]: jars },
  },
);
say(`suite ${vitest.status === 0 ? 'passed' : 'FAILED'} in ${seconds(t1)} (total ${seconds(t0)})`);
process.exit(vitest.status ?? 1);
