import { createHash } from 'node:crypto';
import { z } from 'zod';
import { SluiceError } from '../../../core/errors.ts';
import { MapRunManifestSchema, MapRunResultsSchema } from '../../asl/map-run-results.ts';
import { ScoreShardItemSchema, type ScoreShardsRef } from '../../asl/score-shard-item.ts';
import { StepResultSchema, type WrittenObject } from '../../asl/step-invocation.ts';
import { batchPartition } from '../../runtime/batch.ts';
import { datasetIdentity } from '../../runtime/lineage/run-ids.ts';
import type { StepContext, StepOutcome } from '../../runtime/run-step.ts';
import type { ObjectStore } from '../../runtime/object-store.ts';
import { predictionLineage } from './batch-score.ts';
import { loadScoringModel } from './model-source.ts';
import type { ScoreShardsPlan } from './score-shards-plan.ts';
import { shardName } from './score-shard.ts';

type MapRunResults = z.infer<typeof MapRunResultsSchema>;

/**
 * Records a sharded run's predictions once every shard succeeded: the parts in shard order (the input's order) in one
 * batch record, written last, with the lineage and result the single path gives the same input (the model, the input
 * as read, the predictions' columns, statistics and column lineage).
 */
export async function gatherShards(ctx: StepContext<'batchScore'>): Promise<StepOutcome> {
  const { step } = ctx;
  const ref = planRef(ctx);
  const plan = JSON.parse(await ctx.store.getText(ref.bucket, ref.plan)) as ScoreShardsPlan;
  const { model, version } = await loadScoringModel(ctx, plan.model);
  const results = await mapRunResults(ctx.store, ref);
  const parts = new Map<number, WrittenObject>();
  for (const entry of results.SUCCEEDED ?? []) {
    const shard = ScoreShardItemSchema.parse(JSON.parse(entry.Input).shard);
    const output = StepResultSchema.parse(JSON.parse(entry.Output ?? 'null').output);
    const part = output.outputs[0];
    if (part) parts.set(shard.index, part);
  }
  const ordered = [...parts].sort(([a], [b]) => a - b).map(([, part]) => part);
  const rows = ordered.reduce((n, p) => n + p.rows, 0);
  const missing = Array.from({ length: plan.shards }, (_, i) => i).filter((i) => !parts.has(i));
  if (missing.length > 0 || rows !== plan.rowsIn) {
    throw new SluiceError(
      'SCORE_SHARDS_INCOMPLETE',
      `step "${step.name}": ${parts.size} of ${plan.shards} shards reported a predictions part (${rows} of ${plan.rowsIn} rows); nothing was recorded`,
      { details: missing.slice(0, 10).map((i) => `shard ${i + 1} reported no part`) },
    );
  }
  ctx.lineage.input(step.input, plan.input);
  await ctx.recordBatch(step.output, ordered, plan.fields);
  const input = ctx.dataset(step.input);
  ctx.lineage.output(step.output, {
    version: partsVersion(ordered),
    fields: plan.fields,
    rowCount: rows,
    bytes: ordered.reduce((n, p) => n + p.bytes, 0),
    fileCount: ordered.length,
    partition: batchPartition(ctx.batchId),
    facets: { columnLineage: predictionLineage(model, datasetIdentity(input), step.entityKey) },
  });
  return { rowsIn: plan.rowsIn, rowsOut: rows, modelVersion: version, outputs: ordered };
}

/** Fails a sharded run whose map failed, naming each failed shard and its cause; nothing is recorded. */
export async function failShards(ctx: StepContext<'batchScore'>): Promise<never> {
  const ref = planRef(ctx);
  // A map that failed before any shard ran (its items unreadable) left no results: its own error is then the cause.
  const results = await mapRunResults(ctx.store, ref).catch(() => ({}) as Partial<Record<string, MapRunResults>>);
  const failed = (results.FAILED ?? []).map((entry) => {
    const parsed = ScoreShardItemSchema.safeParse(JSON.parse(entry.Input).shard);
    return {
      index: parsed.success ? parsed.data.index : -1,
      name: parsed.success ? shardName(parsed.data) : 'a shard',
      cause: causeText(entry.Cause),
    };
  });
  failed.sort((a, b) => a.index - b.index);
  const error = ctx.invocation.shardsError;
  const summary =
    failed.length > 0
      ? `${failed.length} of ${ref.count} shards failed; nothing was recorded. First: ${failed[0]!.cause}`
      : `the shards' map failed (${error?.Error ?? 'unknown error'}: ${causeText(error?.Cause)}); nothing was recorded`;
  throw new SluiceError('SCORE_SHARD_FAILED', summary, { details: failed.slice(0, 20).map((f) => `${f.name}: ${f.cause}`) });
}

function planRef(ctx: StepContext<'batchScore'>): ScoreShardsRef {
  const ref = ctx.invocation.results[ctx.step.name]?.output.shards;
  if (!ref) throw new SluiceError('SCORE_SHARD_INPUT', `step "${ctx.step.name}": no shard plan in the execution's results`);
  return ref;
}

/** The map run's results by status (SUCCEEDED, FAILED), from the manifest its ResultWriter left under the run's prefix. */
async function mapRunResults(store: ObjectStore, ref: ScoreShardsRef): Promise<Partial<Record<string, MapRunResults>>> {
  const manifests = (await store.list(ref.bucket, ref.results)).filter((o) => o.key.endsWith('/manifest.json'));
  if (manifests.length !== 1) {
    throw new SluiceError(
      'SCORE_SHARDS_INCOMPLETE',
      `s3://${ref.bucket}/${ref.results}/: expected the one manifest of this run's shards, found ${manifests.length}`,
    );
  }
  const manifest = MapRunManifestSchema.parse(JSON.parse(await store.getText(ref.bucket, manifests[0]!.key)));
  const out: Partial<Record<string, MapRunResults>> = {};
  for (const [status, files] of Object.entries(manifest.ResultFiles)) {
    for (const file of files) {
      const entries = MapRunResultsSchema.parse(JSON.parse(await store.getText(ref.bucket, file.Key)));
      out[status] = [...(out[status] ?? []), ...entries];
    }
  }
  return out;
}

/** A child's cause as text: Step Functions gives a Lambda error as JSON (`errorMessage`), the local runner as plain text. */
function causeText(cause: string | null | undefined): string {
  if (!cause) return 'no cause given';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // Plain text.
  }
  return cause;
}

/** A version naming exactly the parts recorded: a digest of their keys and versions. */
function partsVersion(parts: readonly WrittenObject[]): string {
  const hash = createHash('sha256');
  for (const p of parts) hash.update(`${p.key}@${p.versionId ?? p.etag ?? ''}\n`);
  return hash.digest('hex').slice(0, 32);
}
