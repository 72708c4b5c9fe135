/**
 * Rows in, every series with its change points out, and the changes flagged
 * (what `benchbook history` prints and the site's history page shows).
 */
import type {Row} from "../schema/row.js";
import type {BuildOrder} from "./build-order.js";
import {analyse, type Analysis} from "./changes.js";
import type {Direction} from "./direction.js";
import {buildSeries, buildSeriesOfGroups, historyRow, type Series, type SharedRows} from "./series.js";

export type SeriesHistory = Series & Analysis;

export interface HistoryOptions {
  /** Metrics to follow; default throughput when the rows have it, else all ("all": every metric). */
  metrics?: string[];
  order?: BuildOrder;
}

export function chooseMetrics(rows: Row[], metrics: string[] | undefined): string[] | "all" {
  if (metrics?.includes("all")) return "all";
  if (metrics?.length) return metrics;
  return rows.some((r) => r.metric === "throughput" && historyRow(r)) ? ["throughput"] : "all";
}

export function history(rows: Row[], options: HistoryOptions = {}): SeriesHistory[] {
  const metrics = chooseMetrics(rows, options.metrics);
  const kept = metrics === "all" ? rows : rows.filter((r) => metrics.includes(String(r.metric)));
  return analyseAll(buildSeries(kept, options.order));
}

/** The history of rows already grouped by series and build (the export's DuckDB query), every metric. */
export function historyOfGroups(groups: SharedRows[], order: HistoryOptions["order"] = {}): SeriesHistory[] {
  return analyseAll(buildSeriesOfGroups(groups, order));
}

const analyseAll = (series: Series[]): SeriesHistory[] => series.map((s) => ({...s, ...analyse(s)}));

/** A change as `benchbook history --json` prints it. */
export interface FlaggedChange {
  /** The series' key columns and their values. */
  series: Record<string, string | null>;
  series_id: string;
  /** The first build after the change, and the last one before it. */
  build: string;
  build_commit: string | null;
  build_number: number | null;
  previous_build: string;
  previous_build_commit: string | null;
  previous_build_number: number | null;
  direction: Direction;
  /** Level after / level before (means of the build means of the two segments), its 95% interval, the test's p and the level it was held to. */
  ratio: number;
  low: number | null;
  high: number | null;
  p: number;
  threshold: number;
  before: number;
  after: number;
  /** Builds in the segments before and after. */
  builds_before: number;
  builds_after: number;
  /** The runs of the last build before and of the first build after. */
  runs_before: string[];
  runs_after: string[];
  /** The change is at the series' newest build. */
  latest: boolean;
  unstable: boolean;
}

export function flaggedChanges(histories: SeriesHistory[]): FlaggedChange[] {
  return histories.flatMap((h) =>
    h.changes.map((c, i): FlaggedChange => {
      const after = h.points[c.index];
      const before = h.points[c.index - 1];
      const from = i === 0 ? 0 : h.changes[i - 1].index;
      const to = i + 1 < h.changes.length ? h.changes[i + 1].index : h.points.length;
      return {
        series: h.key,
        series_id: h.id,
        build: after.build,
        build_commit: after.build_commit,
        build_number: after.build_number,
        previous_build: before.build,
        previous_build_commit: before.build_commit,
        previous_build_number: before.build_number,
        direction: c.direction,
        ratio: c.ratio,
        low: c.low,
        high: c.high,
        p: c.p,
        threshold: c.threshold,
        before: c.before,
        after: c.after,
        builds_before: c.index - from,
        builds_after: to - c.index,
        runs_before: before.run_ids,
        runs_after: after.run_ids,
        latest: c.index === h.points.length - 1,
        unstable: h.unstable
      };
    })
  );
}
