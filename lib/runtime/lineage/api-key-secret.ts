import { SLUICE_ENV } from '../../../core/env.ts';
import { readSecretString } from '../secrets-extension.ts';
/** Env var holding the ARN of the Secrets Manager secret with the OpenLineage API key (never the key itself). */
export const LINEAGE_API_KEY_SECRET_ENV = SLUICE_ENV.lineageApiKeySecretArn;

/** What {@link loadLineageApiKey} did, for tests and logs. */
export type LineageSecretOutcome = 'not-configured' | 'already-set' | 'loaded' | 'empty' | 'unavailable';

/** Reads the API key from a secret value: a plain string, or JSON with `apiKey` (or `api_key`). */
export function apiKeyFromSecret(secretString: string): string | undefined {
  const text = secretString.trim();
  if (!text.startsWith('{')) return text || undefined;
  const parsed = JSON.parse(text) as Record<string, unknown>;
  const key = parsed['apiKey'] ?? parsed['api_key'];
  return typeof key === 'string' && key.trim() !== '' ? key.trim() : undefined;
}

/**
 * Sets `OPENLINEAGE_API_KEY` in `env` from the secret named by `SLUICE_LINEAGE_API_KEY_SECRET_ARN`, read through
 * the AWS Parameters and Secrets Lambda extension (localhost, no SDK in the bundle). A key that cannot be read
 * never fails the function (lineage must not break the data path): it warns and lineage goes out without auth.
 */
export async function loadLineageApiKey(
  env: Record<string, string | undefined> = process.env,
  fetchImpl: typeof fetch = fetch,
): Promise<LineageSecretOutcome> {
  const secretArn = env[LINEAGE_API_KEY_SECRET_ENV];
  if (!secretArn) return 'not-configured';
  if (env['OPENLINEAGE_API_KEY']) return 'already-set';
  try {
    const secret = await readSecretString(secretArn, env, fetchImpl);
    const key = secret === undefined ? undefined : apiKeyFromSecret(secret);
    if (!key) return 'empty';
    env['OPENLINEAGE_API_KEY'] = key;
    return 'loaded';
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `sluice: warning: lineage API key secret ${secretArn} could not be read (${reason}); lineage is sent without auth\n`,
    );
    return 'unavailable';
  }
}

const loaded = new WeakMap<object, Promise<LineageSecretOutcome>>();

/** {@link loadLineageApiKey} once per environment (a cold start, for `process.env`); await it before building a lineage client. */
export function ensureLineageApiKey(env: NodeJS.ProcessEnv = process.env): Promise<LineageSecretOutcome> {
  let outcome = loaded.get(env);
  if (!outcome) loaded.set(env, (outcome = loadLineageApiKey(env)));
  return outcome;
}
