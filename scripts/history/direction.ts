/**
 * Which way a metric is better, so that a change can be called a regression
 * or an improvement: throughput up, time and memory down. The same rule as
 * the site's sweeps (betterDirection in the tuning page's component), plus
 * memory; anything else is "none" and its changes are only `change`.
 */
export type Better = "higher" | "lower" | "none";

const TIME_UNITS = new Set(["ns", "us", "µs", "ms", "s"]);
const LOWER_METRICS =
  /^(ttft|tpot|itl|e2el|ttfr|est_ppt|e2e_ttft|latency|duration|model_load_time|peak_memory|model_memory|process_memory_used|kv_cache_memory|preemptions|requests_failed|corrupted_requests)$/;

export function betterDirection(metric: string, unit: string | null | undefined): Better {
  if (/\/s$/.test(unit ?? "") || /throughput|acceptance|goodput|kv_capacity|prefix_cache_hit_rate/.test(metric))
    return "higher";
  if (TIME_UNITS.has(unit ?? "") || LOWER_METRICS.test(metric)) return "lower";
  return "none";
}

export type Direction = "regression" | "improvement" | "change";

/** What a ratio after/before means for a metric whose better direction is `better`. */
export function directionOf(ratio: number, better: Better): Direction {
  if (better === "none" || ratio === 1) return "change";
  return ratio > 1 === (better === "higher") ? "improvement" : "regression";
}

/** How large a change is in its own direction, as a fraction: a throughput ratio of 0.96 is a 0.04 regression, a latency ratio of 1.04 too. */
export function magnitude(ratio: number): number {
  return Math.abs(ratio - 1);
}
