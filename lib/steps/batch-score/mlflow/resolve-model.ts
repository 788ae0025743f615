import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { MLFLOW_ENV, SLUICE_ENV } from '../../../../core/env.ts';
import { SluiceError } from '../../../../core/errors.ts';
import type { MlflowModel } from '../../../definition/step-kinds/batch-score.ts';
import { ObjectStore } from '../../../runtime/object-store.ts';
import { unexpectedAnswer, type MlflowClient, type MlflowFailure } from './client.ts';
import { chooseModelFile, parseMlmodel, type ModelFileChoice } from './mlmodel.ts';

/** A model version as MLflow's REST API describes it (the fields Sluice reads). */
interface ModelVersion {
  readonly name: string;
  readonly version: string;
  readonly status?: string;
  readonly source?: string;
  readonly run_id?: string;
}

/** A registered model's version resolved to the file Sluice scores with, and everything lineage records about it. */
export interface RegistryModel {
  readonly name: string;
  readonly version: string;
  readonly alias?: string;
  readonly runId?: string;
  /** MLflow 3's logged model (`m-<id>`), when the version came from one. */
  readonly loggedModelId?: string;
  readonly source?: string;
  /** Where MLflow keeps the version's files (`get-download-uri`). */
  readonly artifactUri: string;
  readonly file: ModelFileChoice & {
    readonly sha256: string;
    readonly bytes: number;
    /** The S3 object's ETag and version, when it was read from S3 directly. */
    readonly etag?: string;
    readonly versionId?: string;
  };
  readonly mlflowVersion?: string;
  /** The model file's text. */
  readonly text: string;
}

/** What resolution needs besides the client: the environment (S3 settings) and a scratch file path. */
export interface ResolveContext {
  readonly env: Record<string, string | undefined>;
  scratch(file: string): string;
}

// A version's files never change once registered: a warm process reads each version once.
const resolved = new Map<string, RegistryModel>();

/**
 * Resolves a registered model to its file: alias (or version) → the model version → its download URI → the MLmodel
 * file → the file of a flavor Sluice scores → its bytes and sha256. The version's `source` is never interpreted
 * (MLflow 3 writes `models:/m-<id>` there); `get-download-uri` names the files for every MLflow version and store.
 */
export async function resolveMlflowModel(spec: MlflowModel, client: MlflowClient, context: ResolveContext): Promise<RegistryModel> {
  const version = await modelVersion(spec, client);
  const cacheKey = `${client.connection.trackingUri}\n${version.name}\n${version.version}`;
  const cached = resolved.get(cacheKey);
  if (cached) return { ...cached, ...(spec.alias ? { alias: spec.alias } : {}) };
  const label = `${version.name} version ${version.version}`;
  if (version.status !== undefined && version.status !== 'READY') {
    throw new SluiceError(
      'MODEL_NOT_READY',
      `MLflow model ${label} is ${version.status}; only READY versions are scored${version.status === 'PENDING_REGISTRATION' ? ' (try again once its registration completes)' : ''}`,
      { retryable: version.status === 'PENDING_REGISTRATION' },
    );
  }
  const uri = await client.get<{ artifact_uri?: string }>('model-versions/get-download-uri', {
    name: version.name,
    version: version.version,
  });
  if (!uri.ok) throw unexpectedAnswer(client.connection, `get-download-uri of ${label}`, uri.failure);
  const artifactUri = uri.body.artifact_uri;
  if (!artifactUri) throw new SluiceError('MODEL_REGISTRY_ERROR', `MLflow gave no download URI for ${label}`);
  const reader = artifactReader(client, version, artifactUri, context);
  const where = `MLflow model ${label} (${artifactUri})`;
  const mlmodel = parseMlmodel((await reader('MLmodel')).bytes.toString('utf8'), where);
  const choice = chooseModelFile(mlmodel, where);
  const file = await reader(choice.path);
  const loggedModelId = version.source?.match(/^models:\/(m-[0-9a-f]+)$/)?.[1] ?? mlmodel.modelId;
  const model: RegistryModel = {
    name: version.name,
    version: version.version,
    ...(spec.alias ? { alias: spec.alias } : {}),
    ...((version.run_id ?? mlmodel.runId) ? { runId: version.run_id ?? mlmodel.runId } : {}),
    ...(loggedModelId ? { loggedModelId } : {}),
    ...(version.source ? { source: version.source } : {}),
    artifactUri,
    file: {
      ...choice,
      sha256: createHash('sha256').update(file.bytes).digest('hex'),
      bytes: file.bytes.length,
      ...(file.etag ? { etag: file.etag } : {}),
      ...(file.versionId ? { versionId: file.versionId } : {}),
    },
    ...(mlmodel.mlflowVersion ? { mlflowVersion: mlmodel.mlflowVersion } : {}),
    text: file.bytes.toString('utf8'),
  };
  resolved.set(cacheKey, model);
  if (resolved.size > 8) resolved.delete(resolved.keys().next().value as string);
  return model;
}

/** The model version an alias points at now, or a pinned version; a missing model, alias or version says what exists. */
async function modelVersion(spec: MlflowModel, client: MlflowClient): Promise<ModelVersion> {
  const answer = spec.alias
    ? await client.get<{ model_version?: ModelVersion }>('registered-models/alias', { name: spec.name, alias: spec.alias })
    : await client.get<{ model_version?: ModelVersion }>('model-versions/get', { name: spec.name, version: spec.version! });
  if (answer.ok && answer.body.model_version?.version) return answer.body.model_version;
  const asked = spec.alias ? `alias ${JSON.stringify(spec.alias)}` : `version ${spec.version}`;
  if (answer.ok) throw new SluiceError('MODEL_REGISTRY_ERROR', `MLflow answered ${spec.name} ${asked} without a model version`);
  if (!isNotFound(answer.failure)) throw unexpectedAnswer(client.connection, `${spec.name} ${asked}`, answer.failure);
  // Which part is missing, and what there is instead: MLflow 2 and 3 word (and code) these answers differently.
  const model = await client.get<{ registered_model?: RegisteredModel }>('registered-models/get', { name: spec.name });
  const registry = `the MLflow registry at ${client.connection.trackingUri}`;
  if (!model.ok) {
    if (isNotFound(model.failure))
      throw new SluiceError('MODEL_NOT_FOUND', `${registry} has no registered model ${JSON.stringify(spec.name)}`);
    throw unexpectedAnswer(client.connection, `registered model ${spec.name}`, model.failure);
  }
  const aliases = (model.body.registered_model?.aliases ?? []).map((a) => `${a.alias} → version ${a.version}`);
  const latest = (model.body.registered_model?.latest_versions ?? []).map((v) => Number(v.version)).filter(Number.isFinite);
  const versions = latest.length > 0 ? `latest version: ${Math.max(...latest)}` : 'no versions';
  throw new SluiceError(
    'MODEL_NOT_FOUND',
    `registered model ${JSON.stringify(spec.name)} in ${registry} has no ${asked} (aliases: ${aliases.join(', ') || 'none'}; ${versions})`,
  );
}

interface RegisteredModel {
  readonly aliases?: ReadonlyArray<{ alias: string; version: string }>;
  readonly latest_versions?: ReadonlyArray<{ version: string }>;
}

/** Not found: 404 RESOURCE_DOES_NOT_EXIST, or MLflow 2's 400 INVALID_PARAMETER_VALUE "… alias … not found". */
function isNotFound(failure: MlflowFailure): boolean {
  if (failure.errorCode === 'RESOURCE_DOES_NOT_EXIST') return true;
  return failure.errorCode === 'INVALID_PARAMETER_VALUE' && /not found/i.test(failure.message);
}

type ArtifactRead = { bytes: Buffer; etag?: string; versionId?: string };

/**
 * Reads files of a model version by its download URI: `mlflow-artifacts:` through the server's artifact proxy, `s3://`
 * with Sluice's S3 client (at MLFLOW_S3_ENDPOINT_URL when set, as MLflow's clients do), anything else — or every URI
 * when SLUICE_MLFLOW_ARTIFACTS=server — through the server, which reads its store with its own credentials.
 */
function artifactReader(
  client: MlflowClient,
  version: ModelVersion,
  artifactUri: string,
  context: ResolveContext,
): (file: string) => Promise<ArtifactRead> {
  const { baseUrl } = client.connection;
  const viaServer = context.env[SLUICE_ENV.mlflowArtifacts] === 'server';
  const encode = (path: string) => path.split('/').filter(Boolean).map(encodeURIComponent).join('/');
  if (artifactUri.startsWith('mlflow-artifacts:') && !viaServer) {
    // `mlflow-artifacts:/<path>` or `mlflow-artifacts://host:port/<path>`: only the path counts.
    const path = artifactUri.replace(/^mlflow-artifacts:(\/\/[^/]*)?/, '');
    return async (file) => ({
      bytes: await client.bytes(
        `${baseUrl}/api/2.0/mlflow-artifacts/artifacts/${encode(path)}/${encode(file)}`,
        `${file} of ${artifactUri}`,
      ),
    });
  }
  const s3 = /^s3:\/\/([^/]+)\/?(.*)$/.exec(artifactUri);
  if (s3 && !viaServer) {
    const endpoint = context.env[MLFLOW_ENV.s3Endpoint];
    const [, bucket, prefix] = s3 as unknown as [string, string, string];
    return async (file) => {
      const store = new ObjectStore(endpoint ? { ...context.env, AWS_ENDPOINT_URL_S3: endpoint } : context.env);
      const key = [prefix.replace(/\/+$/, ''), file].filter(Boolean).join('/');
      const local = context.scratch(`mlflow-${file.replace(/[^A-Za-z0-9_.-]/g, '_')}`);
      try {
        const read = await store.download(bucket, key, local);
        return { bytes: await readFile(local), etag: read.etag, ...(read.versionId ? { versionId: read.versionId } : {}) };
      } catch (error) {
        throw new SluiceError(
          'MODEL_REGISTRY_ARTIFACT',
          `${file} of MLflow model ${version.name} version ${version.version} could not be read from s3://${bucket}/${key}${endpoint ? ` at ${endpoint}` : ''}: ${(error as Error).message}; the step needs read access to the artifact bucket (or set ${SLUICE_ENV.mlflowArtifacts}=server to read through the tracking server)`,
          { cause: error },
        );
      }
    };
  }
  return async (file) => ({
    bytes: await client.bytes(
      `${baseUrl}/model-versions/get-artifact?${new URLSearchParams({ name: version.name, version: version.version, path: file })}`,
      `${file} of ${version.name} version ${version.version}`,
    ),
  });
}
