import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testEnvironment } from '../support/environment.ts';

const root = join(import.meta.dirname, '..', '..');
const node = join(root, 'node_modules', 'node', 'bin', 'node');

function sluice(args: string[], env: Record<string, string> = {}) {
  const out = spawnSync(node, ['--conditions=sluice-source', join(root, 'bin', 'sluice.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: testEnvironment(env),
    timeout: 60_000,
  });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

describe('the churn example scoring from an MLflow registry, without a registry at hand', () => {
  it('validates, saying the model is checked only when the step runs', () => {
    const out = sluice(['validate', 'examples/churn/pipeline-mlflow.ts']);
    expect(out.code).toBe(0);
    expect(out.stderr).toContain(
      'not checked: churn: steps[3].model: MLflow model churn@champion is resolved when the step runs, which then checks its format and its features against "features" before scoring',
    );
  });

  it('refuses to run without MLFLOW_TRACKING_URI before anything is uploaded', () => {
    const out = sluice([
      'run',
      'examples/churn/pipeline-mlflow.ts',
      '--schedule',
      'nightly',
      '--state-dir',
      join(root, '.sluice-never-made'),
    ]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(
      "steps[3].model: step score scores with MLflow model churn@champion, but MLFLOW_TRACKING_URI is not set; set it to the tracking server's URL",
    );
  });
});
