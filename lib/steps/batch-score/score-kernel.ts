import type { BinnedForest } from './binned-forest.ts';

/**
 * Scores rows `from..to` of a block: `x[f * stride + i]` is feature f of row i as float32 (NaN = missing), and the
 * margin (or probability) of row i goes to `out[i]`; `bins` (same layout as `x`) and `acc` are scratch space.
 * Self-contained — it refers to nothing outside its body — because worker threads run its source text (see
 * score-workers.ts), which keeps the Lambda bundle a single file.
 */
export function scoreRange(
  forest: BinnedForest,
  x: Float32Array,
  bins: Int32Array,
  acc: Float64Array,
  out: Float64Array,
  stride: number,
  from: number,
  to: number,
): void {
  const { width, thresholds, bounds, counts } = forest;
  // Each value's bin: how many of its feature's thresholds are at or below it (branch-free binary search).
  for (let f = 0; f < width; f++) {
    const lo = bounds[f] as number;
    const half = ((bounds[f + 1] as number) - lo) >> 1;
    const count = counts[f] as number;
    const base = f * stride;
    for (let i = from; i < to; i++) {
      const v = x[base + i] as number;
      let bin = 0;
      for (let step = half; step > 0; step >>= 1) bin += ((v >= (thresholds[lo + bin + step - 1] as number)) as unknown as number) * step;
      // +∞ also passes the padding: it belongs in the last bin. NaN passes nothing and is the missing bin.
      bins[base + i] = v !== v ? count + 1 : bin > count ? count : bin;
    }
  }
  out.fill(forest.baseMargin, from, to);
  const { groupStarts, groupFeatures, stepOffsets, steps, leafOffsets, leaves } = forest;
  for (let g = 0; g + 1 < groupStarts.length; g++) {
    const first = groupStarts[g] as number;
    const end = groupStarts[g + 1] as number;
    acc.fill(0, from, to);
    for (let q = first; q < end; q++) {
      const base = (groupFeatures[q] as number) * stride;
      const offset = stepOffsets[q] as number;
      for (let i = from; i < to; i++) acc[i] = (acc[i] as number) + (steps[offset + (bins[base + i] as number)] as number);
    }
    const a = leafOffsets[3 * g] as number;
    const b = leafOffsets[3 * g + 1] as number;
    const c = leafOffsets[3 * g + 2] as number;
    if (c >= 0) {
      for (let i = from; i < to; i++) {
        const index = acc[i] as number;
        const high = Math.floor(index / 4294967296);
        const low = index - high * 4294967296;
        out[i] =
          (out[i] as number) + (leaves[a + (low & 0xffff)] as number) + (leaves[b + (low >>> 16)] as number) + (leaves[c + high] as number);
      }
    } else if (b >= 0) {
      for (let i = from; i < to; i++) {
        const index = acc[i] as number;
        out[i] = (out[i] as number) + (leaves[a + (index & 0xffff)] as number) + (leaves[b + (index >>> 16)] as number);
      }
    } else {
      for (let i = from; i < to; i++) out[i] = (out[i] as number) + (leaves[a + (acc[i] as number)] as number);
    }
  }
  const { roots, left, right, feature, rank, defaultLeft, value, counts: missing } = forest;
  for (let r = 0; r < roots.length; r++) {
    for (let i = from; i < to; i++) {
      let j = roots[r] as number;
      while ((left[j] as number) !== -1) {
        const f = feature[j] as number;
        const bin = bins[f * stride + i] as number;
        const goRight = bin === (missing[f] as number) + 1 ? defaultLeft[j] === 0 : bin > (rank[j] as number);
        j = goRight ? (right[j] as number) : (left[j] as number);
      }
      out[i] = (out[i] as number) + (value[j] as number);
    }
  }
  if (forest.logistic) for (let i = from; i < to; i++) out[i] = 1 / (1 + Math.exp(-(out[i] as number)));
}
