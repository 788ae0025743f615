import { readFile } from 'node:fs/promises';
import type { ModelPin } from '../../asl/score-shard-item.ts';
import type { MlflowModel } from '../../definition/step-kinds/batch-score.ts';
import { modelFacet } from '../../runtime/lineage/model-facet.ts';
import type { StepContext } from '../../runtime/run-step.ts';
import { MlflowClient } from './mlflow/client.ts';
import { mlflowConnection } from './mlflow/connection.ts';
import { resolveMlflowModel } from './mlflow/resolve-model.ts';
import { parseModel, type Model } from './model.ts';

/** The model a scoring run uses: parsed, with the version each prediction is tagged with and a name for messages. */
export interface ScoringModel {
  readonly model: Model;
  /** S3's VersionId (or ETag) of a model object; `models:/<name>/<version>` of a registry model. */
  readonly version: string;
  /** Where it came from: `s3://bucket/key` or `models:/<name>/<version>`. */
  readonly uri: string;
  /** Exactly this version, for the shards of a sharded run to read. */
  readonly pin: ModelPin;
}

/**
 * Reads the step's model and records it as an input of the run: an S3 object at its current version, or a registry
 * model resolved to a version (an alias moves between runs) with what lineage needs to find it again. Runs before
 * any input row is read, so a registry that is down or an unknown alias fails the step before scoring. With `pin`,
 * exactly that version (a shard of a sharded run), or the run fails saying the model changed.
 */
export async function loadScoringModel(ctx: StepContext<'batchScore'>, pin?: ModelPin): Promise<ScoringModel> {
  const spec = ctx.step.model;
  if (pin && 'registry' in pin) return loadRegistryModel(ctx, { registry: 'mlflow', name: pin.name, version: pin.version });
  if (spec.registry === 'mlflow') return loadRegistryModel(ctx, spec);
  const uri = `s3://${spec.bucket}/${spec.key}`;
  let current = pin ?? (await ctx.store.head(spec.bucket, spec.key));
  let version = current.versionId ?? current.etag;
  let model = models.get(`${uri}@${version}`);
  if (!model) {
    const file = ctx.scratch('model.json');
    const object = pin ? (await ctx.store.read(pin, file)).version : await ctx.store.download(spec.bucket, spec.key, file);
    current = object;
    version = object.versionId ?? object.etag;
    model = remember(`${uri}@${version}`, parseModel(await readFile(file), uri));
  }
  ctx.lineage.artifact({ namespace: `s3://${spec.bucket}`, name: spec.key }, { version });
  const exact = { bucket: spec.bucket, key: spec.key, etag: current.etag, ...(current.versionId ? { versionId: current.versionId } : {}) };
  return { model, version, uri, pin: exact };
}

// Parsing a model takes tens of milliseconds: a warm process keeps the last few versions it read.
const models = new Map<string, Model>();
const KEPT_VERSIONS = 4;

function remember(key: string, model: Model): Model {
  models.set(key, model);
  if (models.size > KEPT_VERSIONS) models.delete(models.keys().next().value as string);
  return model;
}

async function loadRegistryModel(ctx: StepContext<'batchScore'>, spec: MlflowModel): Promise<ScoringModel> {
  const asked = spec.alias ? `${spec.name}@${spec.alias}` : `${spec.name} version ${spec.version}`;
  const client = new MlflowClient(await mlflowConnection(ctx.env, `MLflow model ${asked}`));
  const resolved = await resolveMlflowModel(spec, client, { env: ctx.env, scratch: ctx.scratch });
  const uri = `models:/${resolved.name}/${resolved.version}`;
  let model: Model | undefined;
  let invalid: unknown;
  try {
    model = parseModel(resolved.text, `${uri} (${resolved.file.path})`);
  } catch (error) {
    invalid = error;
  }
  // Recorded even when the file cannot be read as a model, so the run's FAIL names the version that broke it.
  const { text: _text, ...described } = resolved;
  const body = {
    registry: 'mlflow' as const,
    trackingUri: client.connection.trackingUri,
    ...described,
    ...(model ? { modelType: model.type } : {}),
  };
  ctx.lineage.artifact(
    { namespace: client.connection.trackingUri, name: resolved.name },
    { version: resolved.version, facets: { sluice_model: modelFacet(body) } },
  );
  if (!model) throw invalid;
  return { model, version: uri, uri, pin: { registry: 'mlflow', name: resolved.name, version: String(resolved.version) } };
}
