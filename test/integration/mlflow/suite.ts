// `npm run test:mlflow`: prepares MLflow's Python environment (or says why it cannot), then runs the suite with vitest.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { ensureMlflowVenv, MlflowUnavailableError } from './python-env.ts';

const root = resolve(import.meta.dirname, '../../..');
const t0 = Date.now();
const seconds = (from: number) => `${((Date.now() - from) / 1000).toFixed(1)} s`;
const say = (line: string) => process.stderr.write(`[test:mlflow] ${line}\n`);
const ci = process.env.CI === 'true';
const cache = join(root, '.cache', 'mlflow');

if (process.env.SLUICE_SKIP_MLFLOW === '1') {
  if (!ci) {
    say('SKIPPED: SLUICE_SKIP_MLFLOW=1, the real-MLflow suite did not run');
    process.exit(0);
  }
  say('SLUICE_SKIP_MLFLOW=1 is ignored in CI (CI=true): the suite runs');
}

try {
  const venv = await ensureMlflowVenv(cache, say);
  say(`MLflow ready in ${venv.dir} (${seconds(t0)})`);
} catch (error) {
  say(`cannot run the real-MLflow suite: ${error instanceof Error ? error.message : String(error)}`);
  if (!(error instanceof MlflowUnavailableError)) throw error;
  say(ci ? 'CI=true: this is a failure' : 'install what is missing, or set SLUICE_SKIP_MLFLOW=1 to skip this suite on purpose');
  process.exit(1);
}

const t1 = Date.now();
const vitest = spawnSync(
  process.execPath,
  [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', join(root, 'test', 'integration', 'mlflow', 'vitest.config.ts')],
  { cwd: root, stdio: 'inherit', env: { ...process.env, SLUICE_MLFLOW_CACHE: cache } },
);
say(`suite ${vitest.status === 0 ? 'passed' : 'FAILED'} in ${seconds(t1)} (total ${seconds(t0)})`);
process.exit(vitest.status ?? 1);
