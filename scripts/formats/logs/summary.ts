/**
 * Derived summaries of a log's series (median, max, p25–p75), marked as derived. Nearest rank, so every figure
 * is one of the printed values and keeps its line.
 */
import type {Result} from "../../schema/schema.js";

/** Throughput series skip idle intervals: a server that logs 0.0 tokens/s between requests is not slow, it is idle. */
const ACTIVE_ONLY_METRICS = new Set(["throughput", "accepted_throughput", "drafted_throughput"]);

export interface SeriesSamples {
  /** The first result of the series: its test, kind, metric, unit… are the summary's. */
  template: Result;
  values: number[];
  lines: number[];
}

/** Value at rank ⌈p·n⌉ (1-based) of the sorted values, cited at the first line that printed it. */
function nearestRank(sorted: {value: number; line: number}[], p: number): {value: number; line: number} {
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return firstOf(sorted, sorted[rank - 1].value);
}

/** Ties are sorted by line, so the first point with a value is where it was first printed. */
function firstOf(sorted: {value: number; line: number}[], value: number): {value: number; line: number} {
  return sorted.find((p) => p.value === value)!;
}

/** The series worth a summary: speed, speculative acceptance, KV usage, concurrency. */
const SUMMARIZED_METRICS = new Set([
  "throughput",
  "accepted_throughput",
  "acceptance_rate",
  "acceptance_length",
  "kv_cache_usage",
  "running_requests"
]);

export function isSummarized(result: Result): boolean {
  return SUMMARIZED_METRICS.has(result.metric);
}

export function summarize(series: SeriesSamples): Result[] {
  const {template} = series;
  const activeOnly = ACTIVE_ONLY_METRICS.has(template.metric);
  const points: {value: number; line: number}[] = [];
  let idle = 0;
  for (let i = 0; i < series.values.length; i++) {
    if (activeOnly && series.values[i] === 0) idle++;
    else points.push({value: series.values[i], line: series.lines[i]});
  }
  if (points.length < 2) return [];
  // Stable order: among equal values the earliest line is the one cited.
  points.sort((a, b) => a.value - b.value || a.line - b.line);
  const derivedFrom = template.scope === "request" ? "request" : "interval";
  const make = (stat: string, picked: {value: number; line: number}, method: string): Result => ({
    line: picked.line,
    text: null,
    test: template.test,
    kind: template.kind,
    // Requests differ in size: a summary over them has no single prompt or generation length.
    n_prompt: derivedFrom === "request" ? null : template.n_prompt,
    n_gen: derivedFrom === "request" ? null : template.n_gen,
    n_depth: derivedFrom === "request" ? null : template.n_depth,
    scope: "run",
    metric: template.metric,
    unit: template.unit,
    stat,
    value: picked.value,
    stddev: null,
    stddev_kind: null,
    repetitions: null,
    status: "ok",
    extra: {
      derived_from: derivedFrom,
      method,
      n: points.length,
      ...(activeOnly && idle ? {idle_excluded: idle} : {}),
      ...seriesExtra(template)
    }
  });
  return [
    make(
      "median",
      nearestRank(points, 0.5),
      "nearest-rank median: rank ⌈0.5·n⌉ (the lower middle value for an even n)"
    ),
    make("max", firstOf(points, points[points.length - 1].value), "largest value"),
    make("range_low", nearestRank(points, 0.25), "nearest-rank p25: rank ⌈0.25·n⌉ (typical band p25–p75)"),
    make("range_high", nearestRank(points, 0.75), "nearest-rank p75: rank ⌈0.75·n⌉ (typical band p25–p75)")
  ];
}

/** The labels that tell series apart (engine, rank, draft position…), carried onto the summary. */
export const SERIES_EXTRA_KEYS = ["engine", "source", "position", "pool", "part", "gpu_index", "batch"] as const;

function seriesExtra(result: Result): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of SERIES_EXTRA_KEYS) if (result.extra && key in result.extra) out[key] = result.extra[key];
  return out;
}
