import type { XgboostModel } from './xgboost.ts';

/** Trees deeper than this are walked node by node instead of being padded to complete trees. */
const MAX_COMPLETE_DEPTH = 10;

/**
 * A tree ensemble laid out for a branch-free walk: every tree padded to a complete binary tree of one depth,
 * stored heap-style (children of node j at 2j+1 and 2j+2), so a row descends in exactly `depth` steps of
 * `j = 2j + 1 + goRight` with no per-node leaf test. A leaf above the bottom is pushed down by nodes that
 * always go left (threshold +∞), so its value is reached unchanged.
 */
export interface CompiledForest {
  readonly depth: number;
  readonly trees: number;
  /** Internal nodes per tree (2^depth − 1) and leaves per tree (2^depth). */
  readonly internal: number;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  /** 1 where a missing value (NaN) goes right. */
  readonly missingRight: Int32Array;
  readonly leaf: Float64Array;
  readonly baseMargin: number;
  readonly logistic: boolean;
}

/** Compiles an XGBoost model for {@link scoreRows}, or returns undefined when its trees are too deep to pad. */
export function compileForest(model: XgboostModel): CompiledForest | undefined {
  const depthOf = (tree: XgboostModel['trees'][number], j: number): number =>
    tree.left[j] === -1 ? 0 : 1 + Math.max(depthOf(tree, tree.left[j] as number), depthOf(tree, tree.right[j] as number));
  const depth = Math.max(1, ...model.trees.map((t) => depthOf(t, 0)));
  if (depth > MAX_COMPLETE_DEPTH) return undefined;
  const internal = 2 ** depth - 1;
  const leaves = 2 ** depth;
  const n = model.trees.length;
  const feature = new Int32Array(n * internal);
  const threshold = new Float64Array(n * internal).fill(Number.POSITIVE_INFINITY);
  const missingRight = new Int32Array(n * internal);
  const leaf = new Float64Array(n * leaves);
  model.trees.forEach((tree, k) => {
    const place = (src: number, dst: number, level: number): void => {
      if (level === depth) {
        leaf[k * leaves + (dst - internal)] = tree.value[src] as number;
        return;
      }
      if (tree.left[src] === -1) {
        // Padding: x >= +∞ is false and NaN is sent left too, so every row goes left to the copied leaf.
        place(src, 2 * dst + 1, level + 1);
        return;
      }
      feature[k * internal + dst] = tree.feature[src] as number;
      threshold[k * internal + dst] = tree.value[src] as number;
      missingRight[k * internal + dst] = tree.defaultLeft[src] ? 0 : 1;
      place(tree.left[src] as number, 2 * dst + 1, level + 1);
      place(tree.right[src] as number, 2 * dst + 2, level + 1);
    };
    place(0, 0, 0);
  });
  return {
    depth,
    trees: n,
    internal,
    feature,
    threshold,
    missingRight,
    leaf,
    baseMargin: model.baseMargin,
    logistic: model.objective === 'binary:logistic',
  };
}

/**
 * Scores `rows` rows of row-major float32 features (`x[i * width + f]`, NaN = missing) into `out`; `position`
 * is scratch space of at least `rows` entries. Tree by tree and level by level over all rows, so the rows'
 * descents are independent and overlap in the CPU instead of waiting on each other's loads.
 * A right turn is `x >= threshold`, or a missing value at a node whose default is right.
 */
export function scoreRows(
  forest: CompiledForest,
  x: Float32Array,
  width: number,
  rows: number,
  out: Float64Array,
  position: Int32Array,
): void {
  const { depth, trees, internal, feature, threshold, missingRight, leaf, baseMargin, logistic } = forest;
  const leaves = internal + 1;
  out.fill(baseMargin, 0, rows);
  for (let k = 0; k < trees; k++) {
    const base = k * internal;
    position.fill(0, 0, rows);
    for (let d = 0; d < depth; d++) {
      for (let i = 0; i < rows; i++) {
        const j = position[i] as number;
        const v = x[i * width + (feature[base + j] as number)] as number;
        position[i] =
          2 * j +
          1 +
          (((v >= (threshold[base + j] as number)) as unknown as number) |
            (((v !== v) as unknown as number) & (missingRight[base + j] as number)));
      }
    }
    const first = k * leaves - internal;
    for (let i = 0; i < rows; i++) out[i] = (out[i] as number) + (leaf[first + (position[i] as number)] as number);
  }
  if (logistic) for (let i = 0; i < rows; i++) out[i] = 1 / (1 + Math.exp(-(out[i] as number)));
}
