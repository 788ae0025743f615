import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSluiceError } from '../../lib/index.ts';
import { MlflowClient } from '../../lib/steps/batch-score/mlflow/client.ts';
import { mlflowAuthorizationFromSecret, mlflowConnection } from '../../lib/steps/batch-score/mlflow/connection.ts';
import { chooseModelFile, parseMlmodel } from '../../lib/steps/batch-score/mlflow/mlmodel.ts';
import { resolveMlflowModel } from '../../lib/steps/batch-score/mlflow/resolve-model.ts';
import { modelFacet } from '../../lib/runtime/lineage/model-facet.ts';
import { validateSluiceFacetDocument } from '../support/openlineage-validator.ts';

const LINEAR = JSON.stringify({ type: 'logistic_regression', features: ['x'], coefficients: [0.5], intercept: -1 });

/** An MLmodel file as MLflow writes one, with the given flavors (YAML). */
const mlmodel = (flavors: string) => `artifact_path: mlflow-artifacts:/1/models/m-abc/artifacts
flavors:
${flavors}
mlflow_version: 3.17.2
model_id: m-abc
run_id: r-123
`;

type Route = (req: IncomingMessage, url: URL) => { status: number; body: string; type?: string } | undefined;

/**
 * A stand-in for an MLflow tracking server, answering with the shapes real servers give (MLflow 3.17 and, where they
 * differ, 2.22): JSON errors with error_code, HTML pages for unknown routes and refused credentials. The real server is
 * exercised by `npm run test:mlflow`; this covers the shapes one server version cannot show.
 */
async function stubMlflow(route: Route): Promise<{ url: string; requests: string[]; authorizations: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const authorizations: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    requests.push(`${url.pathname}${url.search}`);
    authorizations.push(req.headers.authorization ?? '');
    const answer = route(req, url) ?? {
      status: 404,
      body: '<!doctype html><title>404 Not Found</title><h1>Not Found</h1>',
      type: 'text/html',
    };
    res.writeHead(answer.status, { 'content-type': answer.type ?? 'application/json' });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    authorizations,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const json = (status: number, body: unknown) => ({ status, body: JSON.stringify(body) });
const version = (v: string, extra: Record<string, unknown> = {}) => ({
  model_version: { name: 'churn', version: v, status: 'READY', source: 'models:/m-abc', run_id: 'r-123', ...extra },
});

/** Routes of a registry holding `churn` version 1 (alias champion) whose files are served by the artifact proxy. */
const registry =
  (overrides: Route = () => undefined): Route =>
  (req, url) => {
    const over = overrides(req, url);
    if (over) return over;
    const q = url.searchParams;
    switch (url.pathname) {
      case '/api/2.0/mlflow/registered-models/alias':
        if (q.get('name') !== 'churn')
          return json(404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: `Registered Model with name=${q.get('name')} not found` });
        if (q.get('alias') !== 'champion')
          return json(400, { error_code: 'INVALID_PARAMETER_VALUE', message: `Registered model alias ${q.get('alias')} not found.` });
        return json(200, version('1'));
      case '/api/2.0/mlflow/model-versions/get':
        return q.get('version') === '1'
          ? json(200, version('1'))
          : json(404, {
              error_code: 'RESOURCE_DOES_NOT_EXIST',
              message: `Model Version (name=churn, version=${q.get('version')}) not found`,
            });
      case '/api/2.0/mlflow/registered-models/get':
        return q.get('name') === 'churn'
          ? json(200, {
              registered_model: { name: 'churn', latest_versions: [{ version: '1' }], aliases: [{ alias: 'champion', version: '1' }] },
            })
          : json(404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Registered Model not found' });
      case '/api/2.0/mlflow/model-versions/get-download-uri':
        return json(200, { artifact_uri: 'mlflow-artifacts:/1/models/m-abc/artifacts' });
      case '/api/2.0/mlflow-artifacts/artifacts/1/models/m-abc/artifacts/MLmodel':
        return {
          status: 200,
          type: 'text/plain',
          body: mlmodel('  sklearn:\n    extra_files:\n    - path: extra_files/sluice-model.json\n    pickled_model: model.skops'),
        };
      case '/api/2.0/mlflow-artifacts/artifacts/1/models/m-abc/artifacts/extra_files/sluice-model.json':
        return { status: 200, type: 'text/plain', body: LINEAR };
      default:
        return undefined;
    }
  };

describe('MLflow model registry', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-mlflow-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const resolveWith = async (route: Route, spec: Record<string, unknown>, env: Record<string, string> = {}) => {
    const stub = await stubMlflow(route);
    try {
      const connection = await mlflowConnection({ MLFLOW_TRACKING_URI: stub.url, ...env }, 'churn');
      const client = new MlflowClient(connection, { timeoutMs: 10_000 });
      const model = await resolveMlflowModel({ registry: 'mlflow', name: 'churn', ...spec } as never, client, {
        env,
        scratch: (f) => join(dir, f),
      });
      return { model, stub };
    } finally {
      await stub.close();
    }
  };
  const failure = async (route: Route, spec: Record<string, unknown> = { alias: 'champion' }, env: Record<string, string> = {}) => {
    try {
      await resolveWith(route, spec, env);
    } catch (error) {
      if (isSluiceError(error)) return `${error.code}: ${error.message}`;
      throw error;
    }
    throw new Error('expected a failure');
  };

  it('resolves an alias to its version, its MLmodel and the Sluice JSON it ships, with the file hashed', async () => {
    const { model, stub } = await resolveWith(registry(), { alias: 'champion' });
    expect(model).toMatchObject({
      name: 'churn',
      version: '1',
      alias: 'champion',
      runId: 'r-123',
      loggedModelId: 'm-abc',
      artifactUri: 'mlflow-artifacts:/1/models/m-abc/artifacts',
      mlflowVersion: '3.17.2',
      file: { path: 'extra_files/sluice-model.json', flavor: 'sluice', bytes: LINEAR.length },
      text: LINEAR,
    });
    expect(model.file.sha256).toMatch(/^[0-9a-f]{64}$/);
    // The download URI is asked for the version the alias gave, not for the alias (which may move meanwhile).
    expect(stub.requests).toContain('/api/2.0/mlflow/model-versions/get-download-uri?name=churn&version=1');
  });

  it.each<[string, Route, Record<string, unknown>, string]>([
    [
      'an unknown alias, listing the aliases there are',
      registry(),
      { alias: 'challenger' },
      'MODEL_NOT_FOUND: registered model "churn" in the MLflow registry at http://127.0.0.1:PORT has no alias "challenger" (aliases: champion → version 1; latest version: 1)',
    ],
    [
      'an unknown version',
      registry(),
      { version: '7' },
      'MODEL_NOT_FOUND: registered model "churn" in the MLflow registry at http://127.0.0.1:PORT has no version 7',
    ],
    [
      "an unknown model (MLflow 3's 404)",
      registry(),
      { alias: 'champion', name: 'nope' },
      'MODEL_NOT_FOUND: the MLflow registry at http://127.0.0.1:PORT has no registered model "nope"',
    ],
    [
      "an unknown model (MLflow 2's 400 on the alias route)",
      registry((_, url) =>
        url.pathname.endsWith('/registered-models/alias')
          ? json(400, { error_code: 'INVALID_PARAMETER_VALUE', message: 'Registered model alias champion not found.' })
          : url.pathname.endsWith('/registered-models/get')
            ? json(404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Registered Model with name=churn not found' })
            : undefined,
      ),
      { alias: 'champion' },
      'MODEL_NOT_FOUND: the MLflow registry at http://127.0.0.1:PORT has no registered model "churn"',
    ],
    [
      'refused credentials (an HTML 401)',
      () => ({ status: 401, type: 'text/html', body: '<!doctype html><title>401</title><p>You are not authenticated.</p>' }),
      { alias: 'champion' },
      'MODEL_REGISTRY_AUTH: MLflow at http://127.0.0.1:PORT refused GET /api/2.0/mlflow/registered-models/alias: HTTP 401: the credentials (none given) were not accepted',
    ],
    [
      'a server that is not MLflow',
      () => undefined,
      { alias: 'champion' },
      'MODEL_REGISTRY_NOT_MLFLOW: http://127.0.0.1:PORT does not answer like an MLflow tracking server: churn alias "champion" is not found there',
    ],
    [
      'a version still being registered',
      registry((_, url) => (url.pathname.endsWith('/alias') ? json(200, version('1', { status: 'PENDING_REGISTRATION' })) : undefined)),
      { alias: 'champion' },
      'MODEL_NOT_READY: MLflow model churn version 1 is PENDING_REGISTRATION; only READY versions are scored',
    ],
    [
      'an XGBoost model logged as UBJ (the default)',
      registry((_, url) =>
        url.pathname.endsWith('/MLmodel')
          ? { status: 200, type: 'text/plain', body: mlmodel('  xgboost:\n    data: model.ubj\n    model_format: ubj') }
          : undefined,
      ),
      { alias: 'champion' },
      `Sluice reads XGBoost's JSON: log it with mlflow.xgboost.log_model(booster, name=..., model_format="json")`,
    ],
  ])('fails clearly on %s', async (_, route, spec, message) => {
    const got = (await failure(route, { alias: undefined, ...spec })).replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT');
    expect(got).toContain(message);
  });

  it('says the registry is unreachable when nothing listens, after a few tries', async () => {
    const stub = await stubMlflow(() => undefined);
    const url = stub.url;
    await stub.close();
    const connection = await mlflowConnection({ MLFLOW_TRACKING_URI: url }, 'churn');
    await expect(
      resolveMlflowModel({ registry: 'mlflow', name: 'churn', alias: 'champion' }, new MlflowClient(connection, { attempts: 2 }), {
        env: {},
        scratch: (f) => join(dir, f),
      }),
    ).rejects.toMatchObject({
      code: 'MODEL_REGISTRY_UNREACHABLE',
      retryable: true,
      message: expect.stringContaining(
        `the MLflow registry at ${url} is unreachable (GET /api/2.0/mlflow/registered-models/alias: ECONNREFUSED, 2 tries); no row was scored`,
      ),
    });
  });

  it('tries again after a 5xx answer', async () => {
    let failed = 0;
    const { model } = await resolveWith(
      registry((_, url) =>
        url.pathname.endsWith('/alias') && failed++ === 0 ? { status: 503, type: 'text/html', body: 'busy' } : undefined,
      ),
      { alias: 'champion' },
    );
    expect(model.version).toBe('1');
  });

  it('sends Basic credentials before a token, as MLflow clients do, and keeps them out of the tracking URI it reports', async () => {
    const { stub } = await resolveWith(
      registry(),
      { alias: 'champion' },
      {
        MLFLOW_TRACKING_USERNAME: 'ada',
        MLFLOW_TRACKING_PASSWORD: 's3cret',
        MLFLOW_TRACKING_TOKEN: 'tok',
      },
    );
    expect(new Set(stub.authorizations)).toEqual(new Set([`Basic ${Buffer.from('ada:s3cret').toString('base64')}`]));
    const token = await mlflowConnection(
      { MLFLOW_TRACKING_URI: 'https://u:p@mlflow.example.com/prefix/?x=1', MLFLOW_TRACKING_TOKEN: 't' },
      'm',
    );
    expect(token).toMatchObject({ trackingUri: 'https://mlflow.example.com/prefix', authorization: 'Bearer t' });
    const inUri = await mlflowConnection({ MLFLOW_TRACKING_URI: 'https://u:p%40ss@mlflow.example.com' }, 'm');
    expect(inUri).toMatchObject({
      trackingUri: 'https://mlflow.example.com',
      authorization: `Basic ${Buffer.from('u:p@ss').toString('base64')}`,
    });
  });

  it('reads credentials from a secret as JSON or a plain token', () => {
    expect(mlflowAuthorizationFromSecret('{"username":"a","password":"b"}')).toBe(`Basic ${Buffer.from('a:b').toString('base64')}`);
    expect(mlflowAuthorizationFromSecret('{"token":"t"}')).toBe('Bearer t');
    expect(mlflowAuthorizationFromSecret(' t2 ')).toBe('Bearer t2');
    expect(mlflowAuthorizationFromSecret('{"username":""}')).toBeUndefined();
  });

  it('refuses a missing tracking URI or one that is not http(s), never echoing credentials', async () => {
    await expect(mlflowConnection({}, 'MLflow model churn@champion')).rejects.toMatchObject({
      code: 'MODEL_REGISTRY_CONFIG',
      message: expect.stringContaining('MLFLOW_TRACKING_URI is not set: the step scores with MLflow model churn@champion'),
    });
    const error = (await mlflowConnection({ MLFLOW_TRACKING_URI: 'databricks' }, 'm').catch((e: Error) => e)) as Error;
    expect(error.message).toContain('expected the http(s) URL of an MLflow tracking server, got "databricks"');
    const withSecret = (await mlflowConnection({ MLFLOW_TRACKING_URI: 'ftp://user:hunter2@host' }, 'm').catch((e: Error) => e)) as Error;
    expect(withSecret.message).not.toContain('hunter2');
  });

  it.each<[string, string, string]>([
    ['XGBoost logged as JSON', '  xgboost:\n    data: model.json\n    model_format: json', 'model.json xgboost'],
    [
      'a pyfunc artifact named sluice_model',
      '  python_function:\n    artifacts:\n      sluice_model:\n        path: artifacts/linear.json\n        uri: /tmp/x/linear.json',
      'artifacts/linear.json sluice',
    ],
    ['a JSON extra file', '  sklearn:\n    extra_files:\n    - path: extra_files/model.json', 'extra_files/model.json sluice'],
  ])('picks the file of %s', (_, flavors, expected) => {
    const choice = chooseModelFile(parseMlmodel(mlmodel(flavors), 'm'), 'm');
    expect(`${choice.path} ${choice.flavor}`).toBe(expected);
  });

  it.each<[string, string, string]>([
    [
      'old MLflow XGBoost (.xgb)',
      '  xgboost:\n    data: model.xgb',
      "the XGBoost model was logged in XGBoost's binary XGB format (model.xgb)",
    ],
    ['a scikit-learn pickle only', '  sklearn:\n    pickled_model: model.pkl', 'no flavor Sluice can score (flavors: sklearn)'],
  ])('refuses %s, saying how to log the model instead', (_, flavors, message) => {
    expect(() => chooseModelFile(parseMlmodel(mlmodel(flavors), 'm'), 'm')).toThrow(message);
  });

  it('describes the model it records in lineage with the sluice_model facet schema, which refuses a facet without a version', () => {
    const body = {
      registry: 'mlflow' as const,
      trackingUri: 'http://127.0.0.1:5000',
      name: 'churn',
      version: '3',
      alias: 'champion',
      runId: 'r-123',
      artifactUri: 'mlflow-artifacts:/1/models/m-abc/artifacts',
      file: { path: 'model.json', flavor: 'xgboost', sha256: 'a'.repeat(64), bytes: 10 },
      modelType: 'xgboost',
    };
    expect(validateSluiceFacetDocument('SluiceModelDatasetFacet', { sluice_model: modelFacet(body) })).toEqual([]);
    const { version: _, ...unversioned } = body;
    expect(validateSluiceFacetDocument('SluiceModelDatasetFacet', { sluice_model: modelFacet(unversioned as never) }).join('\n')).toContain(
      "must have required property 'version'",
    );
  });
});
