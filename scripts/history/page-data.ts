/** What the site's history page reads (src/data/history.json): series, levels, change points, latest changes. */
import {compareMeans, type Comparison} from "../statistics/uncertainty.js";
import {seriesColumns} from "./format.js";
import type {SeriesHistory} from "./history.js";
import type {SeriesPoint} from "./series.js";

export interface PageComparison {
  ratio: number;
  low: number | null;
  high: number | null;
  noise: boolean | null;
  method: Comparison["method"];
}

export interface PageSeries {
  id: string;
  /** The key columns that tell this series from the others, as `column: value` pairs. */
  label: [string, string | null][];
  /** Of its key (`benchbook history --json` prints all of it): the label's columns, metric and unit. */
  key: Record<string, string | null>;
  better: SeriesHistory["better"];
  order: SeriesHistory["order"];
  status: SeriesHistory["status"];
  unstable: boolean;
  cv: number | null;
  reason: string | null;
  /** Each build's point, with where its (first) value was read. */
  points: (Omit<SeriesPoint, "sources"> & {source: {sha256: string; line: number} | null})[];
  levels: SeriesHistory["levels"];
  changes: (SeriesHistory["changes"][number] & {adjacent: PageComparison | null})[];
}

export interface LatestChange {
  series_id: string;
  previous: string;
  newest: string;
  /** Newest build / previous build, their own comparison (compare's: Welch where repetitions are stated). */
  comparison: PageComparison | null;
  /** The change-point label at the newest build, if one was flagged there. */
  flagged: string | null;
}

export interface HistoryData {
  /** Series with two builds or more (a single build has no history to draw). */
  series: PageSeries[];
  latest: LatestChange[];
}

const measured = (p: SeriesPoint) => ({
  value: p.mean,
  stddev: p.sd,
  stddev_kind: p.sd === null ? null : "sample",
  repetitions: p.n
});

function comparePoints(a: SeriesPoint, b: SeriesPoint): PageComparison {
  const c = compareMeans(measured(a), measured(b));
  return {ratio: c.ratio, low: c.low, high: c.high, noise: c.noise, method: c.method};
}

export function historyPageData(all: SeriesHistory[]): HistoryData {
  const histories = all.filter((h) => h.points.length >= 2);
  const columns = seriesColumns(histories.map((h) => h.key));
  const kept = [...new Set([...columns, "metric", "unit"])];
  const series = histories.map((h): PageSeries => ({
    id: h.id,
    label: columns.map((c) => [c, h.key[c] ?? null]),
    key: Object.fromEntries(kept.map((c) => [c, h.key[c] ?? null])),
    better: h.better,
    order: h.order,
    status: h.status,
    unstable: h.unstable,
    cv: h.cv,
    reason: h.reason,
    points: h.points.map(({sources, ...p}) => ({...p, source: sources[0] ?? null})),
    levels: h.levels,
    changes: h.changes.map((c) => ({...c, adjacent: comparePoints(h.points[c.index - 1], h.points[c.index])}))
  }));
  const latest = histories.map((h): LatestChange => {
    const [previous, newest] = h.points.slice(-2);
    const flagged = h.changes.find((c) => c.index === h.points.length - 1);
    return {
      series_id: h.id,
      previous: previous.build,
      newest: newest.build,
      comparison: comparePoints(previous, newest),
      flagged: flagged ? flagged.direction : null
    };
  });
  return {series, latest};
}
