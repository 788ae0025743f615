/**
 * Reads a Secrets Manager secret's string through the AWS Parameters and Secrets Lambda extension (an HTTP server on
 * localhost in every Sluice function, so no SDK is bundled for it). Throws when the extension cannot give it.
 */
export async function readSecretString(
  secretArn: string,
  env: Record<string, string | undefined> = process.env,
  fetchImpl: typeof fetch = fetch,
): Promise<string | undefined> {
  const port = env['PARAMETERS_SECRETS_EXTENSION_HTTP_PORT'] ?? '2773';
  const response = await fetchImpl(`http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(secretArn)}`, {
    headers: { 'X-Aws-Parameters-Secrets-Token': env['AWS_SESSION_TOKEN'] ?? '' },
    signal: AbortSignal.timeout(2000),
  });
  if (!response.ok) throw new Error(`the secrets extension answered HTTP ${response.status}`);
  const body = (await response.json()) as { SecretString?: unknown };
  return typeof body.SecretString === 'string' ? body.SecretString : undefined;
}
