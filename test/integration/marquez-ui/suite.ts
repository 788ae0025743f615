// `npm run test:marquez-ui`: finds the web UI build and Chromium (installing Debian's as root when missing), then runs
// the suite. A missing part fails the suite, in CI and on a developer machine alike, unless SLUICE_SKIP_MARQUEZ_UI=1
// (ignored in CI) skips it on purpose.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { scriptArgs } from '../../../scripts/script-args.ts';
import { WEB_UI_ENV, findWebUiBuild } from './web-ui-build.ts';

scriptArgs(
  `Usage: npm run test:marquez-ui
Finds Marquez's web UI build and Chromium (installing Debian's as root when missing), then drives every page of the
UI against sluice lineage serve in headless Chromium. SLUICE_SKIP_MARQUEZ_UI=1 skips it on purpose, except in CI.
`,
  {},
);

const root = resolve(import.meta.dirname, '../../..');
const say = (line: string) => process.stderr.write(`[test:marquez-ui] ${line}\n`);
const ci = process.env.CI === 'true';

if (process.env.SLUICE_SKIP_MARQUEZ_UI === '1') {
  if (!ci) {
    say('SKIPPED: SLUICE_SKIP_MARQUEZ_UI=1, the Marquez web UI suite did not run');
    process.exit(0);
  }
  say('SLUICE_SKIP_MARQUEZ_UI=1 is ignored in CI (CI=true): the suite runs');
}

function missing(what: string): never {
  say(`cannot run the Marquez web UI suite: ${what}`);
  say(ci ? 'CI=true: this is a failure' : 'provide what is missing, or set SLUICE_SKIP_MARQUEZ_UI=1 to skip this suite on purpose');
  process.exit(1);
}

const build = findWebUiBuild();
if ('error' in build) missing(build.error);
say(`web UI build: ${build.dir}`);
const chromium = spawnSync('bash', [join(root, 'test', 'integration', 'browser', 'ensure-chromium.sh')], { stdio: 'inherit' });
if (chromium.status !== 0) missing('Chromium could not be had (see above)');

const t0 = Date.now();
const vitest = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules', 'vitest', 'vitest.mjs'),
    'run',
    '--config',
    join(root, 'test', 'integration', 'marquez-ui', 'vitest.config.ts'),
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, [WEB_UI_ENV]: build.dir } },
);
say(
  `suite ${vitest.status === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots in test/artifacts/marquez-ui/`,
);
process.exit(vitest.status ?? 1);
