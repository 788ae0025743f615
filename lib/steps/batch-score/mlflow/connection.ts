import { MLFLOW_ENV, SLUICE_ENV } from '../../../../core/env.ts';
import { SluiceError } from '../../../../core/errors.ts';
import { readSecretString } from '../../../runtime/secrets-extension.ts';

/** Where an MLflow tracking server is and how to authenticate to it. */
export interface MlflowConnection {
  /** The tracking URI without credentials, query or trailing slash: safe for messages and lineage. */
  readonly trackingUri: string;
  /** The base URL requests are made under (the tracking URI without credentials). */
  readonly baseUrl: string;
  /** The Authorization header, when there are credentials. */
  readonly authorization?: string;
  /** Where the credentials came from, for messages (never the credentials). */
  readonly credentialsFrom: string;
}

/** Credentials as a secret holds them: JSON `{"username", "password"}` or `{"token"}`, or the token as plain text. */
export function mlflowAuthorizationFromSecret(secret: string): string | undefined {
  const text = secret.trim();
  if (!text.startsWith('{')) return text ? `Bearer ${text}` : undefined;
  const parsed = JSON.parse(text) as Record<string, unknown>;
  const { username, password, token } = parsed;
  if (typeof username === 'string' && username && typeof password === 'string') return basic(username, password);
  if (typeof token === 'string' && token) return `Bearer ${token}`;
  return undefined;
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

const secretAuthorizations = new Map<string, Promise<string | undefined>>();

/**
 * The MLflow tracking server `env` names, with credentials as MLflow's Python client takes them: user and password
 * (Basic) before a token (Bearer); else, in Lambda, the secret `SLUICE_MLFLOW_SECRET` names, read once per process
 * through the Parameters and Secrets extension; else user:password in the URI. Throws a clear error when the URI is
 * missing or not an http(s) URL, or the secret cannot be read.
 */
export async function mlflowConnection(
  env: Record<string, string | undefined>,
  model: string,
  fetchImpl: typeof fetch = fetch,
): Promise<MlflowConnection> {
  const raw = env[MLFLOW_ENV.trackingUri]?.trim();
  if (!raw) {
    throw new SluiceError(
      'MODEL_REGISTRY_CONFIG',
      `${MLFLOW_ENV.trackingUri} is not set: the step scores with ${model} from an MLflow registry; set it to the tracking server's URL (http(s)://host:port), in AWS with the DataPipeline's mlflow.trackingUri`,
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    url = new URL('invalid:');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    const shown = raw.replace(/\/\/[^@/]*@/, '//***@');
    throw new SluiceError(
      'MODEL_REGISTRY_CONFIG',
      `${MLFLOW_ENV.trackingUri}: expected the http(s) URL of an MLflow tracking server, got ${JSON.stringify(shown)} (databricks, file and database URIs are not served over MLflow's REST API here)`,
    );
  }
  const inUri = url.username ? basic(decodeURIComponent(url.username), decodeURIComponent(url.password)) : undefined;
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  const baseUrl = url.toString().replace(/\/+$/, '');
  const common = { trackingUri: baseUrl, baseUrl };
  const user = env[MLFLOW_ENV.username];
  const password = env[MLFLOW_ENV.password];
  if (user && password !== undefined) {
    return { ...common, authorization: basic(user, password), credentialsFrom: `${MLFLOW_ENV.username}/${MLFLOW_ENV.password}` };
  }
  const token = env[MLFLOW_ENV.token];
  if (token) return { ...common, authorization: `Bearer ${token}`, credentialsFrom: MLFLOW_ENV.token };
  const secretId = env[SLUICE_ENV.mlflowSecret];
  if (secretId) {
    let pending = secretAuthorizations.get(secretId);
    if (!pending) {
      pending = readSecretString(secretId, env, fetchImpl).then((s) => (s === undefined ? undefined : mlflowAuthorizationFromSecret(s)));
      secretAuthorizations.set(secretId, pending);
    }
    try {
      const authorization = await pending;
      return { ...common, ...(authorization ? { authorization } : {}), credentialsFrom: `secret ${secretId}` };
    } catch (error) {
      secretAuthorizations.delete(secretId);
      throw new SluiceError(
        'MODEL_REGISTRY_AUTH',
        `the MLflow credentials secret ${secretId} could not be read (${(error as Error).message}); it holds {"username", "password"} or {"token"}`,
        { cause: error, retryable: true },
      );
    }
  }
  if (inUri) return { ...common, authorization: inUri, credentialsFrom: 'the user and password in the tracking URI' };
  return { ...common, credentialsFrom: 'none' };
}
