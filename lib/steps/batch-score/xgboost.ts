import { z } from 'zod';
import { SluiceError } from '../../../core/errors.ts';
import { formatIssues } from '../../../core/issues.ts';

const NumberString = z.string().transform((s, ctx) => {
  // XGBoost ≥ 3 writes base_score as a vector "[5E-1]"; older versions write "5E-1".
  const n = Number(s.replace(/^\[|\]$/g, ''));
  if (!Number.isFinite(n)) ctx.addIssue({ code: 'custom', message: `expected a number, got ${JSON.stringify(s)}` });
  return n;
});

const TreeSchema = z.object({
  left_children: z.array(z.int()),
  right_children: z.array(z.int()),
  split_indices: z.array(z.int().nonnegative()),
  split_conditions: z.array(z.number()),
  default_left: z.array(z.union([z.boolean(), z.int()])),
  split_type: z.array(z.int()).optional(),
});

/** The part of XGBoost's own JSON model format (`Booster.save_model("model.json")`) that scoring needs. */
export const XgboostJsonSchema = z.object({
  version: z.array(z.int()).optional(),
  learner: z.object({
    feature_names: z.array(z.string()).optional(),
    feature_types: z.array(z.string()).optional(),
    learner_model_param: z.object({ base_score: NumberString, num_feature: NumberString, num_class: NumberString.optional() }),
    objective: z.object({ name: z.string() }),
    gradient_booster: z.object({
      name: z.string(),
      model: z.object({ trees: z.array(TreeSchema).min(1), tree_info: z.array(z.int()).optional() }).optional(),
    }),
  }),
});

/** A tree ensemble compiled from XGBoost's JSON: flat arrays per tree, leaves hold their value in `value`. */
export interface XgboostModel {
  readonly type: 'xgboost';
  readonly objective: 'binary:logistic' | 'reg:squarederror';
  readonly features: string[];
  /** XGBoost's feature types when it was trained from a DataFrame (`float`, `int`, `i`, `q`, `c`). */
  readonly featureTypes?: string[];
  /** The margin every tree's output is added to (base_score in margin space). */
  readonly baseMargin: number;
  readonly trees: ReadonlyArray<{
    readonly left: Int32Array;
    readonly right: Int32Array;
    readonly feature: Int32Array;
    /** Split threshold (rounded to float32, as XGBoost compares) or, for a leaf, its value. */
    readonly value: Float64Array;
    readonly defaultLeft: Uint8Array;
  }>;
}

const OBJECTIVES = ['binary:logistic', 'reg:squarederror'] as const;

/** True when a parsed JSON document looks like an XGBoost model rather than a Sluice linear model. */
export function isXgboostJson(json: unknown): boolean {
  return typeof json === 'object' && json !== null && 'learner' in json;
}

/** Reads XGBoost's JSON model format, naming what is unsupported or malformed. */
export function parseXgboost(json: unknown, uri: string): XgboostModel {
  // What a model is for comes first: a multiclass model is well formed but unsupported, not unreadable.
  const declared = (json as { learner?: { objective?: { name?: unknown }; learner_model_param?: { num_class?: unknown } } }).learner;
  const named = declared?.objective?.name;
  const classes = Number(String(declared?.learner_model_param?.num_class ?? '0').replace(/^\[|\]$/g, ''));
  if ((typeof named === 'string' && /^multi:/.test(named)) || classes > 1) {
    throw new SluiceError(
      'MODEL_UNSUPPORTED',
      `${uri}: a multiclass XGBoost model (${[typeof named === 'string' ? `objective ${JSON.stringify(named)}` : '', classes > 1 ? `${classes} classes` : ''].filter(Boolean).join(', ')}) is not supported: Sluice scores binary:logistic (a probability and a label) and reg:squarederror (a value) models; train one binary:logistic model per class that matters`,
    );
  }
  const parsed = XgboostJsonSchema.safeParse(json);
  if (!parsed.success)
    throw new SluiceError('MODEL_INVALID', `${uri}: not a readable XGBoost JSON model`, { details: formatIssues(parsed.error) });
  const { learner } = parsed.data;
  const objective = learner.objective.name;
  if (!(OBJECTIVES as readonly string[]).includes(objective)) {
    throw new SluiceError(
      'MODEL_UNSUPPORTED',
      `${uri}: XGBoost objective ${JSON.stringify(objective)} is not supported (supported: ${OBJECTIVES.join(', ')})`,
    );
  }
  if (learner.gradient_booster.name !== 'gbtree' || !learner.gradient_booster.model) {
    throw new SluiceError(
      'MODEL_UNSUPPORTED',
      `${uri}: XGBoost booster ${JSON.stringify(learner.gradient_booster.name)} is not supported (supported: gbtree)`,
    );
  }
  const numFeature = learner.learner_model_param.num_feature;
  const names = learner.feature_names ?? Array.from({ length: numFeature }, (_, i) => `f${i}`);
  if (names.length !== numFeature) {
    throw new SluiceError('MODEL_INVALID', `${uri}: ${names.length} feature names for num_feature ${numFeature}`);
  }
  const categorical = (learner.feature_types ?? []).flatMap((t, i) => (t === 'c' ? [names[i]] : []));
  if (categorical.length > 0) {
    throw new SluiceError(
      'MODEL_UNSUPPORTED',
      `${uri}: categorical features are not supported (${categorical.join(', ')}); one-hot encode them in the feature SQL`,
    );
  }
  const trees = learner.gradient_booster.model.trees.map((t, i) => {
    const n = t.left_children.length;
    const where = `${uri}: tree ${i}`;
    for (const [key, arr] of Object.entries({
      right_children: t.right_children,
      split_indices: t.split_indices,
      split_conditions: t.split_conditions,
      default_left: t.default_left,
    })) {
      if (arr.length !== n) throw new SluiceError('MODEL_INVALID', `${where}: ${key} has ${arr.length} entries, left_children ${n}`);
    }
    if (t.split_type?.some((s) => s !== 0)) throw new SluiceError('MODEL_UNSUPPORTED', `${where}: categorical splits are not supported`);
    const value = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const l = t.left_children[j] as number;
      const r = t.right_children[j] as number;
      const leaf = l === -1;
      if (!leaf && (l <= j || r <= j || l >= n || r >= n))
        throw new SluiceError('MODEL_INVALID', `${where}: node ${j} has children ${l}, ${r} outside ${j + 1}..${n - 1}`);
      if (!leaf && (t.split_indices[j] as number) >= numFeature)
        throw new SluiceError('MODEL_INVALID', `${where}: node ${j} splits on feature ${t.split_indices[j]} of ${numFeature}`);
      // XGBoost stores thresholds as float32 and compares float32 feature values against them.
      value[j] = leaf ? (t.split_conditions[j] as number) : Math.fround(t.split_conditions[j] as number);
    }
    return {
      left: Int32Array.from(t.left_children),
      right: Int32Array.from(t.right_children),
      feature: Int32Array.from(t.split_indices),
      value,
      defaultLeft: Uint8Array.from(t.default_left, (d) => (d ? 1 : 0)),
    };
  });
  const base = learner.learner_model_param.base_score;
  if (objective === 'binary:logistic' && !(base > 0 && base < 1)) {
    throw new SluiceError('MODEL_INVALID', `${uri}: base_score ${base} of a binary:logistic model must be a probability in (0, 1)`);
  }
  return {
    type: 'xgboost',
    objective: objective as XgboostModel['objective'],
    features: names,
    ...(learner.feature_types ? { featureTypes: learner.feature_types } : {}),
    // base_score is kept in output space (a probability for binary:logistic): the margin starts at its logit.
    baseMargin: objective === 'binary:logistic' ? Math.log(base / (1 - base)) : base,
    trees,
  };
}
