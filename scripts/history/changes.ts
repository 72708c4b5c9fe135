/**
 * Change points of one series, as Apache Otava does: E-Divisive binary segmentation, each split kept when a
 * Bonferroni-corrected t-test rejects equal levels at 1%, then re-tested against its neighbours (docs/history.md).
 */
import {directionOf, type Direction} from "./direction.js";
import type {Series} from "./series.js";
import {energyStatistics, pointNoise, testSplit, type Noise, type PointStats, type SplitTest} from "./statistics.js";

/** Series whose coefficient of variation exceeds this are unstable. */
export const UNSTABLE_CV = 0.05;
/** Family-wise level of a segment's split test (divided among its candidate splits). */
export const ALPHA = 0.01;

export type SeriesStatus = "changed" | "no change" | "insufficient data";

export interface Change extends SplitTest {
  /** Index of the first point after the change. */
  index: number;
  direction: Direction;
  /** The Bonferroni-corrected level p was held to. */
  threshold: number;
}

export interface Analysis {
  status: SeriesStatus;
  /** Coefficient of variation above UNSTABLE_CV: changes are still reported, small ones go unseen. */
  unstable: boolean;
  /** Why, in a few words (for insufficient data and unstable). */
  reason: string | null;
  /** Coefficient of variation: the larger of the build means' scatter around their levels and the builds' own (median) sd/mean. null: unknown. */
  cv: number | null;
  /** The noise of one build mean the tests used. */
  noise: Noise | null;
  changes: Change[];
  /** The segments' levels: [first index, end index, mean of build means]. */
  levels: {from: number; to: number; mean: number}[];
}

function boundsOf(changes: number[], k: number): number[] {
  return [0, ...[...changes].sort((a, b) => a - b), k];
}

/** Candidate split of [a, b): where the energy statistic is largest. */
function candidate(points: PointStats[], a: number, b: number): number {
  const q = energyStatistics(points.slice(a, b).map((p) => p.mean));
  let best = 1;
  for (let t = 2; t < q.length; t++) if (q[t] > q[best]) best = t;
  return a + best;
}

function segment(points: PointStats[]): number[] {
  const changes: number[] = [];
  const queue: [number, number][] = [[0, points.length]];
  while (queue.length) {
    const [a, b] = queue.shift()!;
    if (b - a < 2) continue;
    const tau = candidate(points, a, b);
    const noise = pointNoise(points, boundsOf([...changes, tau], points.length));
    if (!noise) continue;
    if (testSplit(points, a, tau, b, noise).p < ALPHA / (b - a - 1)) {
      changes.push(tau);
      queue.push([a, tau], [tau, b]);
    }
  }
  return changes.sort((a, b) => a - b);
}

/** Each change tested between its neighbours; the weakest failing one dropped, until none fails. */
function confirm(points: PointStats[], found: number[]): {changes: Change[]; noise: Noise | null} {
  let kept = [...found];
  for (;;) {
    const bounds = boundsOf(kept, points.length);
    const noise = pointNoise(points, bounds);
    if (!noise) return {changes: [], noise: null};
    const tested = kept.map((tau, i) => {
      const [a, b] = [bounds[i], bounds[i + 2]];
      const threshold = ALPHA / (b - a - 1);
      return {index: tau, threshold, ...testSplit(points, a, tau, b, noise)};
    });
    const failing = tested.filter((t) => !(t.p < t.threshold));
    if (failing.length === 0) return {changes: tested.map((t) => ({...t, direction: "change" as Direction})), noise};
    const worst = failing.reduce((w, t) => (t.p / t.threshold > w.p / w.threshold ? t : w));
    kept = kept.filter((tau) => tau !== worst.index);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export function analyse(series: Series): Analysis {
  const points = series.points;
  const k = points.length;
  const overall = points.reduce((a, p) => a + p.mean, 0) / Math.max(k, 1);
  const repeated = points.every((p) => p.sd !== null && p.n !== null && p.n > 1);
  if (k < (repeated ? 2 : 3)) {
    const reason = k === 0 ? "no builds" : k === 1 ? "one build" : "two builds without stated repetitions";
    return {
      status: "insufficient data",
      unstable: false,
      reason,
      cv: null,
      noise: null,
      changes: [],
      levels: k ? [{from: 0, to: k, mean: overall}] : []
    };
  }
  const {changes: confirmed, noise} = confirm(points, segment(points));
  const changes = confirmed.map((c) => ({...c, direction: directionOf(c.ratio, series.better)}));
  const bounds = boundsOf(
    changes.map((c) => c.index),
    k
  );
  const levels = bounds.slice(0, -1).map((from, i) => {
    const to = bounds[i + 1];
    return {from, to, mean: points.slice(from, to).reduce((a, p) => a + p.mean, 0) / (to - from)};
  });
  const scatter = k > levels.length ? Math.sqrt(residualVariance(points, levels)) / Math.abs(overall) : null;
  const own = points.filter((p) => p.sd !== null && p.mean !== 0).map((p) => p.sd! / Math.abs(p.mean));
  const cvs = [scatter, own.length ? median(own) : null].filter((x): x is number => x !== null && Number.isFinite(x));
  const cv = cvs.length ? Math.max(...cvs) : null;
  const unstable = cv !== null && cv > UNSTABLE_CV;
  if (!noise)
    return {
      status: "insufficient data",
      unstable,
      reason: "no noise estimate: too few builds, and no stated repetitions",
      cv,
      noise: null,
      changes: [],
      levels
    };
  return {
    status: changes.length ? "changed" : "no change",
    unstable,
    reason: unstable ? `coefficient of variation ${(cv! * 100).toFixed(1)}% > ${UNSTABLE_CV * 100}%` : null,
    cv,
    noise,
    changes,
    levels
  };
}

function residualVariance(points: PointStats[], levels: Analysis["levels"]): number {
  let ss = 0;
  for (const l of levels) for (let i = l.from; i < l.to; i++) ss += (points[i].mean - l.mean) ** 2;
  return ss / (points.length - levels.length);
}
