/**
 * The result of an A/B run (docs/bench.md, "A/B runs"): each invocation of a side is one observation (the
 * mean of its runs), so launch-to-launch noise is in the test. B / A with compareMeans' 95% interval, whether
 * the change is detected, and the smallest change this run's own noise could detect.
 */
import jstat from "jstat";
import {compareMeans, type Comparison} from "../statistics/uncertainty.js";
import {betterDirection, directionOf, type Better, type Direction} from "../history/direction.js";
import type {Store} from "../store/store.js";
import type {AbCellParams} from "./ab-plan.js";
import type {Cell} from "./types.js";

const {studentt} = jstat as unknown as {studentt: {inv(p: number, df: number): number}};

/** Confidence of the interval and of the test; power of the detectable change. */
export const LEVEL = 0.95;
export const POWER = 0.95;

export interface AbSideSummary {
  side: "A" | "B";
  label: string;
  /** One value per invocation, in run order. */
  values: number[];
  mean: number;
  /** Sample sd of the invocations' values (null with one). */
  sd: number | null;
  run_ids: string[];
}

export interface AbTest {
  comparison: Comparison;
  /** The interval excludes 1: Welch's test rejects "no change" at 1 − LEVEL. */
  detected: boolean;
  /**
   * The smallest |B/A − 1| this design detects with probability POWER at
   * its noise: (t(1 − α/2) + t(POWER)) · se / mean(A), with the test's
   * Welch–Satterthwaite df. null without a spread on both sides.
   */
  detectable: number | null;
}

/** Compare two sides' invocation values (B against A). */
export function testSides(a: number[], b: number[], level = LEVEL, power = POWER): AbTest {
  const side = (xs: number[]) => ({
    value: mean(xs),
    stddev: xs.length > 1 ? sd(xs) : null,
    stddev_kind: "sample",
    repetitions: xs.length
  });
  const comparison = compareMeans(side(a), side(b), level);
  const {se, df} = comparison;
  const detectable =
    se !== undefined && df !== undefined
      ? ((studentt.inv(1 - (1 - level) / 2, df) + studentt.inv(power, df)) * se) / Math.abs(mean(a))
      : null;
  return {comparison, detected: comparison.noise === false, detectable};
}

export interface AbResult extends AbTest {
  pair: string;
  /** The pair's cell (model, varying settings, depth). */
  cell: string;
  test: string;
  metric: string;
  unit: string;
  stat: string;
  better: Better;
  a: AbSideSummary;
  b: AbSideSummary;
  /** B / A, its 95% interval (null ends: unbounded or unknown). */
  ratio: number;
  low: number | null;
  high: number | null;
  p: number | null;
  /** Which way B differs, when the change is detected. */
  direction: Direction | null;
  rounds: number;
}

/**
 * The A/B results of `cells` (an A/B plan's cells) found in the store: for
 * every pair, test and metric measured on both sides. By default only
 * throughput (llama-bench's duration per run is its inverse).
 */
export function abResults(store: Store, cells: Cell[], metrics: readonly string[] = ["throughput"]): AbResult[] {
  const abOf = new Map(
    cells.flatMap((cell) => (cell.params.ab ? [[cell.id, cell.params.ab as AbCellParams] as const] : []))
  );
  type Key = {pair: string; cell: string; test: string; metric: string; unit: string; stat: string; rounds: number};
  const groups = new Map<
    string,
    {
      key: Key;
      sides: Record<"A" | "B", {label: string; values: {at: number; round: number; value: number; run: string}[]}>;
    }
  >();
  for (const input of store.readAll()) {
    for (const run of input.runs) {
      const ab = abOf.get((run.extra?.capture as {cell_id?: string} | undefined)?.cell_id ?? "");
      if (!ab) continue;
      const at = Date.parse(String((run.extra?.capture as {started_at?: string}).started_at ?? "")) || 0;
      for (const result of run.results) {
        if (
          (result.scope ?? "run") !== "run" ||
          result.status !== "ok" ||
          result.value === null ||
          !metrics.includes(result.metric)
        )
          continue;
        const key: Key = {
          pair: ab.pair,
          cell: ab.pair_label,
          test: result.test,
          metric: result.metric,
          unit: result.unit,
          stat: result.stat,
          rounds: ab.rounds
        };
        const id = JSON.stringify([key.pair, key.test, key.metric, key.unit, key.stat]);
        const group =
          groups.get(id) ??
          groups.set(id, {key, sides: {A: {label: "", values: []}, B: {label: "", values: []}}}).get(id)!;
        group.sides[ab.side].label = ab.label;
        group.sides[ab.side].values.push({at, round: ab.round, value: result.value, run: run.id});
      }
    }
  }
  const order = new Map(cells.map((cell, i) => [(cell.params.ab as AbCellParams | undefined)?.pair, i]));
  return [...groups.values()]
    .filter((g) => g.sides.A.values.length && g.sides.B.values.length)
    .sort((x, y) => (order.get(x.key.pair) ?? 0) - (order.get(y.key.pair) ?? 0))
    .map(({key, sides}) => {
      const summary = (side: "A" | "B"): AbSideSummary => {
        const values = [...sides[side].values].sort((x, y) => x.at - y.at || x.round - y.round);
        const xs = values.map((v) => v.value);
        return {
          side,
          label: sides[side].label,
          values: xs,
          mean: mean(xs),
          sd: xs.length > 1 ? sd(xs) : null,
          run_ids: values.map((v) => v.run)
        };
      };
      const a = summary("A");
      const b = summary("B");
      const tested = testSides(a.values, b.values);
      const better = betterDirection(key.metric, key.unit);
      const {ratio, low, high, p} = tested.comparison;
      return {
        ...key,
        better,
        a,
        b,
        ...tested,
        ratio,
        low,
        high,
        p,
        direction: tested.detected ? directionOf(ratio, better) : null
      };
    });
}

function mean(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

function sd(xs: number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}
