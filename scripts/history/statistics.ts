/**
 * The statistics of `benchbook history` (docs/history.md): E-Divisive's
 * energy statistic to place a change, and a t-test on build means, whose
 * noise is the larger of the scatter of build means around their segment's
 * level and the builds' own repetitions, to decide whether it is one.
 */
import jstat from "jstat";
import {fieller} from "../statistics/uncertainty.js";

const {studentt} = jstat as unknown as {
  studentt: {inv(p: number, df: number): number; cdf(x: number, df: number): number};
};

/** What a series knows of one build: the mean of its repetitions, their sample sd and how many there were (null: not stated). */
export interface PointStats {
  mean: number;
  sd: number | null;
  n: number | null;
}

/**
 * E-Divisive's divergence Q̂(τ) (Matteson & James 2014, α = 1) of splitting
 * `xs` before index τ, for τ = 1 … k−1 (index 0 is −∞): (m·n/(m+n))·Ê with
 * Ê = 2·mean|x−y| − mean within-left |x−x'| − mean within-right |y−y'|;
 * a side of one point has no within pairs (0). O(k²).
 */
export function energyStatistics(xs: number[]): number[] {
  const k = xs.length;
  const d = (i: number, j: number) => Math.abs(xs[i] - xs[j]);
  // left[τ] = Σ_{i<j<τ} d, right[τ] = Σ_{τ≤i<j<k} d.
  const left = new Array<number>(k + 1).fill(0);
  for (let t = 1; t <= k; t++) {
    let add = 0;
    for (let i = 0; i < t - 1; i++) add += d(i, t - 1);
    left[t] = left[t - 1] + add;
  }
  const right = new Array<number>(k + 1).fill(0);
  for (let t = k - 1; t >= 0; t--) {
    let add = 0;
    for (let j = t + 1; j < k; j++) add += d(t, j);
    right[t] = right[t + 1] + add;
  }
  const total = left[k];
  const q = new Array<number>(k).fill(-Infinity);
  for (let t = 1; t < k; t++) {
    const m = t;
    const n = k - t;
    const cross = total - left[t] - right[t];
    const within = (sum: number, size: number) => (size > 1 ? sum / ((size * (size - 1)) / 2) : 0);
    q[t] = ((m * n) / (m + n)) * ((2 * cross) / (m * n) - within(left[t], m) - within(right[t], n));
  }
  return q;
}

/** The variance of one build's mean around its segment's level, with its degrees of freedom and where it came from. */
export interface Noise {
  variance: number;
  df: number;
  source: "between" | "within";
}

/**
 * The noise of a build mean given a segmentation (`bounds`: 0, the change
 * indices, k): the pooled variance of the build means around their segment
 * means (df k − segments), or the builds' own repetitions (the mean of
 * sd²/n, Welch–Satterthwaite df) — whichever is larger, since the first also
 * holds run-to-run noise the repetitions of one run never see, and the second
 * is all there is when every segment has one build. null when neither is known.
 */
export function pointNoise(points: PointStats[], bounds: number[]): Noise | null {
  let between: Noise | null = null;
  const df = points.length - (bounds.length - 1);
  if (df >= 1) {
    let ss = 0;
    for (let s = 0; s + 1 < bounds.length; s++) {
      const seg = points.slice(bounds[s], bounds[s + 1]).map((p) => p.mean);
      const mean = seg.reduce((a, x) => a + x, 0) / seg.length;
      for (const x of seg) ss += (x - mean) ** 2;
    }
    between = {variance: ss / df, df, source: "between"};
  }
  const known = points.filter((p) => p.sd !== null && p.n !== null && p.n > 1);
  let within: Noise | null = null;
  if (known.length === points.length && known.length > 0) {
    const parts = known.map((p) => p.sd! ** 2 / p.n!);
    const sum = parts.reduce((a, x) => a + x, 0);
    const denominator = parts.reduce((a, x, i) => a + (x * x) / (known[i].n! - 1), 0);
    within = {
      variance: sum / parts.length,
      df: denominator === 0 ? known.reduce((a, p) => a + p.n! - 1, 0) : (sum * sum) / denominator,
      source: "within"
    };
  }
  if (between && within) return within.variance > between.variance ? within : between;
  return between ?? within;
}

export interface SplitTest {
  /** Mean of the build means before and after. */
  before: number;
  after: number;
  /** after / before, and its 95% Fieller interval (null ends: unbounded). */
  ratio: number;
  low: number | null;
  high: number | null;
  /** Two-sided p of the t-test of after − before. */
  p: number;
  df: number;
}

/** The t-test of the builds [a, τ) against [τ, b), each build mean one observation of the level, with `noise` per build. */
export function testSplit(
  points: PointStats[],
  a: number,
  tau: number,
  b: number,
  noise: Noise,
  level = 0.95
): SplitTest {
  const mean = (from: number, to: number) => points.slice(from, to).reduce((s, p) => s + p.mean, 0) / (to - from);
  const before = mean(a, tau);
  const after = mean(tau, b);
  const vb = noise.variance / (tau - a);
  const va = noise.variance / (b - tau);
  const se = Math.sqrt(vb + va);
  const difference = after - before;
  const p = se === 0 ? (difference === 0 ? 1 : 0) : 2 * (1 - studentt.cdf(Math.abs(difference / se), noise.df));
  const q = studentt.inv(1 - (1 - level) / 2, noise.df);
  const [low, high] = fieller(before, after, vb, va, q);
  return {before, after, ratio: after / before, low, high, p, df: noise.df};
}
