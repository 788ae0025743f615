import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';

/**
 * Variables of a developer's shell that would change what a run does: where lineage goes, which S3, which AWS account,
 * which model registry. The integration suites' own settings (`SLUICE_MARQUEZ_*`: where Marquez and its web UI are;
 * `SLUICE_DIFF_SEED`) pass.
 */
const AMBIENT = /^(OPENLINEAGE|SLUICE_(?!MARQUEZ_|DIFF_SEED$)|AWS_|MLFLOW_)/;

/**
 * The environment tests run with: the process's, less every ambient Sluice, OpenLineage and AWS setting, and a HOME
 * of their own (no ~/.openlineage/openlineage.yml). Tests that need a setting pass it explicitly.
 */
export function testEnvironment(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !AMBIENT.test(key)));
  return { ...env, HOME: testHome(), ...extra };
}

let ownHome: string | undefined;

/** The HOME tests run with: an empty folder of their own, made on first use. */
function testHome(): string {
  ownHome ??= mkdtempSync(join(tmpdir(), 'sluice-test-home-'));
  return ownHome;
}

/** Removes the tests' HOME (the setup file does, after each test file). */
export function removeTestHome(): void {
  if (ownHome) rmSync(ownHome, { recursive: true, force: true });
  ownHome = undefined;
}

/**
 * Captures what `work` writes to stderr (the warnings a test expects) instead of printing it, and returns it. The
 * writes still happen in order; only their output goes to the returned text.
 */
export async function captureStderr<T>(work: () => Promise<T>): Promise<{ result: T; stderr: string }> {
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  try {
    return { result: await work(), stderr };
  } finally {
    spy.mockRestore();
  }
}
