import type { XgboostModel } from './xgboost.ts';

/** Entries a tree's leaf table may have; a tree that would need more is walked node by node instead. */
const MAX_TABLE_ENTRIES = 1 << 15;
/** Leaf-table entries over all trees (8 bytes each); past it, further trees are walked. */
const MAX_TOTAL_ENTRIES = 1 << 22;

/**
 * A tree ensemble rearranged so a row is scored by table lookups instead of a walk. Every split threshold of a
 * feature, over all trees, cuts the number line into bins; a row's bin per feature (a binary search) fixes every
 * comparison on that feature at once. A tree with few thresholds becomes a table indexed by the row's bins of the
 * features it splits on (one lookup and add per feature, then one leaf lookup, with no data-dependent branch);
 * a tree too large for a table is walked node by node over the same bins. Plain typed arrays, so it can be posted
 * to worker threads as it is.
 */
export interface BinnedForest {
  readonly width: number;
  /** Each feature's distinct thresholds, sorted, padded with +∞ to a power of two (`bounds[f]..bounds[f + 1]`). */
  readonly thresholds: Float32Array;
  readonly bounds: Int32Array;
  /** Each feature's count of real (unpadded) thresholds: its bins are 0..count, and count + 1 is "missing". */
  readonly counts: Int32Array;
  /** Table trees in threes: each group's features (`groupFeatures[groupStarts[g]..groupStarts[g + 1]]`)… */
  readonly groupStarts: Int32Array;
  readonly groupFeatures: Int32Array;
  /**
   * …for each of those, the offset into `steps` of its per-bin index contributions (`counts[f] + 2` entries): the
   * first tree's index in bits 0–15, the second's in bits 16–31, the third's from bit 32 (a float64 holds it exactly)…
   */
  readonly stepOffsets: Int32Array;
  readonly steps: Float64Array;
  /** …and where each tree's leaf values start in `leaves` (three per group; -1 where a group has fewer trees). */
  readonly leafOffsets: Int32Array;
  readonly leaves: Float64Array;
  /** Walked trees: root node of each, into the node arrays below (a leaf has `left = -1` and its value in `value`). */
  readonly roots: Int32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly feature: Int32Array;
  /** A split goes right when the row's bin of its feature exceeds `rank` (its threshold's index among the feature's). */
  readonly rank: Int32Array;
  readonly defaultLeft: Uint8Array;
  readonly value: Float64Array;
  readonly baseMargin: number;
  readonly logistic: boolean;
}

type Tree = XgboostModel['trees'][number];

/** Compiles an XGBoost model into a {@link BinnedForest}: every tree as a leaf table where it fits, else as nodes. */
export function binForest(model: XgboostModel): BinnedForest {
  const width = model.features.length;
  const perFeature: number[][] = Array.from({ length: width }, () => []);
  for (const tree of model.trees) {
    for (let j = 0; j < tree.left.length; j++)
      if (tree.left[j] !== -1) perFeature[tree.feature[j] as number]!.push(tree.value[j] as number);
  }
  const sorted = perFeature.map((values) => [...new Set(values)].sort((a, b) => a - b));
  const bounds = new Int32Array(width + 1);
  sorted.forEach((values, f) => (bounds[f + 1] = (bounds[f] as number) + paddedLength(values.length)));
  const thresholds = new Float32Array(bounds[width] as number).fill(Number.POSITIVE_INFINITY);
  sorted.forEach((values, f) => thresholds.set(values, bounds[f] as number));
  const rankOf = sorted.map((values) => new Map(values.map((v, i) => [v, i])));

  const tables: Array<{ leafOffset: number; steps: Map<number, number[]> }> = [];
  const leaves: Float64Array[] = [];
  let leafCount = 0;
  const nodes = { roots: [] as number[], left: [] as number[], right: [] as number[], feature: [] as number[], rank: [] as number[] };
  const defaultLeft: number[] = [];
  const value: number[] = [];
  for (const tree of model.trees) {
    const layout = tableLayout(tree, rankOf);
    if (layout && leafCount + layout.size <= MAX_TOTAL_ENTRIES) {
      const steps = new Map(layout.features.map((f, k) => [f, binSteps(layout.ranks[k]!, sorted[f]!.length, layout.strides[k]!)]));
      tables.push({ leafOffset: leafCount, steps });
      leaves.push(tableLeaves(tree, layout, rankOf));
      leafCount += layout.size;
    } else {
      const base = nodes.left.length;
      nodes.roots.push(base);
      for (let j = 0; j < tree.left.length; j++) {
        const leaf = tree.left[j] === -1;
        nodes.left.push(leaf ? -1 : base + (tree.left[j] as number));
        nodes.right.push(leaf ? -1 : base + (tree.right[j] as number));
        nodes.feature.push(leaf ? 0 : (tree.feature[j] as number));
        nodes.rank.push(leaf ? 0 : rankOf[tree.feature[j] as number]!.get(tree.value[j] as number)!);
        defaultLeft.push(tree.defaultLeft[j] as number);
        value.push(leaf ? (tree.value[j] as number) : 0);
      }
    }
  }
  const groups = groupTables(tables, sorted);
  return {
    width,
    thresholds,
    bounds,
    counts: Int32Array.from(sorted, (values) => values.length),
    ...groups,
    leaves: concat(leaves, leafCount),
    roots: Int32Array.from(nodes.roots),
    left: Int32Array.from(nodes.left),
    right: Int32Array.from(nodes.right),
    feature: Int32Array.from(nodes.feature),
    rank: Int32Array.from(nodes.rank),
    defaultLeft: Uint8Array.from(defaultLeft),
    value: Float64Array.from(value),
    baseMargin: model.baseMargin,
    logistic: model.objective === 'binary:logistic',
  };
}

/**
 * Packs table trees three by three: one float64 index holds all three trees' indices (each below 2^16, so the sum stays
 * exact), so a feature they all split on costs one pass instead of three.
 */
function groupTables(
  tables: ReadonlyArray<{ leafOffset: number; steps: ReadonlyMap<number, number[]> }>,
  sorted: readonly number[][],
): Pick<BinnedForest, 'groupStarts' | 'groupFeatures' | 'stepOffsets' | 'steps' | 'leafOffsets'> {
  const starts = [0];
  const features: number[] = [];
  const stepOffsets: number[] = [];
  const steps: number[] = [];
  const leafOffsets: number[] = [];
  for (let g = 0; g < tables.length; g += 3) {
    const group = tables.slice(g, g + 3);
    leafOffsets.push(...[0, 1, 2].map((k) => group[k]?.leafOffset ?? -1));
    for (const f of [...new Set(group.flatMap((t) => [...t.steps.keys()]))].sort((x, y) => x - y)) {
      features.push(f);
      stepOffsets.push(steps.length);
      for (let bin = 0; bin < sorted[f]!.length + 2; bin++) {
        steps.push(group.reduce((sum, t, k) => sum + (t.steps.get(f)?.[bin] ?? 0) * 2 ** (16 * k), 0));
      }
    }
    starts.push(features.length);
  }
  return {
    groupStarts: Int32Array.from(starts),
    groupFeatures: Int32Array.from(features),
    stepOffsets: Int32Array.from(stepOffsets),
    steps: Float64Array.from(steps),
    leafOffsets: Int32Array.from(leafOffsets),
  };
}

/** The smallest power of two above `n`: the branch-free search needs at least one +∞ after the real thresholds. */
function paddedLength(n: number): number {
  let length = 1;
  while (length <= n) length *= 2;
  return length;
}

interface TableLayout {
  /** The features the tree splits on, and for each its thresholds' global ranks (sorted) and its index stride. */
  readonly features: number[];
  readonly ranks: number[][];
  readonly strides: number[];
  readonly size: number;
}

/** How a tree's leaf table is indexed, or undefined when the table would be too large. */
function tableLayout(tree: Tree, rankOf: ReadonlyArray<ReadonlyMap<number, number>>): TableLayout | undefined {
  const byFeature = new Map<number, Set<number>>();
  for (let j = 0; j < tree.left.length; j++) {
    if (tree.left[j] === -1) continue;
    const f = tree.feature[j] as number;
    if (!byFeature.has(f)) byFeature.set(f, new Set());
    byFeature.get(f)!.add(rankOf[f]!.get(tree.value[j] as number)!);
  }
  const features = [...byFeature.keys()].sort((a, b) => a - b);
  const ranks = features.map((f) => [...byFeature.get(f)!].sort((a, b) => a - b));
  const strides: number[] = [];
  let size = 1;
  for (const r of ranks) {
    strides.push(size);
    // A tree-local bin per gap between its thresholds, plus one for a missing value.
    size *= r.length + 2;
    if (size > MAX_TABLE_ENTRIES) return undefined;
  }
  return { features, ranks, strides, size };
}

/** For each global bin of a feature (0..count, then missing), its tree-local bin times the feature's stride. */
function binSteps(localRanks: readonly number[], count: number, stride: number): number[] {
  const steps: number[] = [];
  let local = 0;
  for (let bin = 0; bin <= count; bin++) {
    // Bin b holds values at or above the b-th smallest threshold: the local bin counts the tree's thresholds below it.
    while (local < localRanks.length && (localRanks[local] as number) < bin) local++;
    steps.push(local * stride);
  }
  steps.push((localRanks.length + 1) * stride);
  return steps;
}

/**
 * The leaf every combination of tree-local bins reaches. The tree is walked once: each split narrows the bins its
 * feature may have on either side, and each leaf fills the entries its path allows, so every entry is written once.
 */
function tableLeaves(tree: Tree, layout: TableLayout, rankOf: ReadonlyArray<ReadonlyMap<number, number>>): Float64Array {
  const out = new Float64Array(layout.size);
  const bins = layout.ranks.map((r) => r.length + 2);
  // Per feature slot, the bins still possible on the current path.
  const allowed = bins.map((n) => new Uint8Array(n).fill(1));
  const fill = (k: number, base: number, value: number): void => {
    if (k === bins.length) {
      out[base] = value;
      return;
    }
    const open = allowed[k]!;
    for (let bin = 0; bin < open.length; bin++) if (open[bin]) fill(k + 1, base + bin * layout.strides[k]!, value);
  };
  const visit = (j: number): void => {
    if (tree.left[j] === -1) {
      fill(0, 0, tree.value[j] as number);
      return;
    }
    const f = tree.feature[j] as number;
    const k = layout.features.indexOf(f);
    const split = layout.ranks[k]!.indexOf(rankOf[f]!.get(tree.value[j] as number)!);
    const missing = bins[k]! - 1;
    const saved = allowed[k]!;
    // Bins 0..split lie below the threshold (left), split+1.. at or above it (right); a missing value takes the default side.
    for (const [child, right] of [
      [tree.left[j] as number, false],
      [tree.right[j] as number, true],
    ] as const) {
      const side = Uint8Array.from(saved, (open, bin) =>
        open && (bin === missing ? right !== Boolean(tree.defaultLeft[j]) : bin > split === right) ? 1 : 0,
      );
      allowed[k] = side;
      visit(child);
    }
    allowed[k] = saved;
  };
  visit(0);
  return out;
}

function concat(parts: readonly Float64Array[], length: number): Float64Array {
  const out = new Float64Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
