/** One saved JSON record of a serving benchmark (`--save-result`, SGLang's `--output-file`) → results, settings, extra. */
import type {Result, Settings} from "../../schema/schema.js";
import {isNonFinite} from "../shared/json-blocks.js";
import {PER_REQUEST_KEYS, perRequestResults} from "./per-request.js";
import {asSetting, serveResult, type PrintedLimit, type ServeShape} from "./serving-run.js";

export interface KeySpec {
  metric: string;
  unit: string;
  stat: string;
  scope?: Result["scope"];
}

/** vLLM's summary keys → metric; SGLang's fork adds its own to these. */
export const SERVING_KEYS: Record<string, KeySpec> = {
  duration: {metric: "duration", unit: "s", stat: "value"},
  completed: {metric: "requests_completed", unit: "requests", stat: "total"},
  failed: {metric: "requests_failed", unit: "requests", stat: "total"},
  total_input_tokens: {metric: "input_tokens", unit: "tokens", stat: "total"},
  total_output_tokens: {metric: "output_tokens", unit: "tokens", stat: "total"},
  request_throughput: {metric: "request_throughput", unit: "req/s", stat: "value"},
  request_goodput: {metric: "request_goodput", unit: "req/s", stat: "value"},
  output_throughput: {metric: "output_throughput", unit: "tok/s", stat: "value"},
  total_token_throughput: {metric: "total_throughput", unit: "tok/s", stat: "value"},
  max_output_tokens_per_s: {metric: "output_throughput", unit: "tok/s", stat: "peak"},
  max_concurrent_requests: {metric: "concurrent_requests", unit: "requests", stat: "peak"},
  spec_decode_acceptance_rate: {metric: "acceptance_rate", unit: "%", stat: "value"},
  spec_decode_acceptance_length: {metric: "acceptance_length", unit: "tokens", stat: "mean"},
  spec_decode_num_drafts: {metric: "drafts", unit: "drafts", stat: "total"},
  spec_decode_draft_tokens: {metric: "draft_tokens", unit: "tokens", stat: "total"},
  spec_decode_accepted_tokens: {metric: "accepted_tokens", unit: "tokens", stat: "total"}
};

/** `mean_ttft_ms`, `p99.9_e2el_ms`, `median_e2e_latency_ms` (SGLang), `std_itl_ms`. */
const LATENCY_KEY = /^(mean|median|std|max|min|p\d+(?:\.\d+)?)_(.+)_ms$/;

export interface ReadRecord {
  results: Result[];
  settings: Settings;
  extra: Record<string, unknown>;
  notes: string[];
}

/**
 * Results, settings and extra of one saved record. `keys` maps the tool's
 * summary keys; `metricName` renames a latency key's metric (`e2e_latency` → `e2el`).
 */
export function readRecord(
  record: Record<string, unknown>,
  shape: ServeShape,
  keys: Record<string, KeySpec>,
  lineOf: (key: string) => number,
  metricName: (m: string) => string = (m) => m
): ReadRecord {
  const results: Result[] = [];
  const settings: Settings = {};
  const extra: Record<string, unknown> = {};
  const nonFinite: Record<string, string> = {};
  const stds = new Map<string, number>();
  for (const [key, value] of Object.entries(record)) {
    const m = LATENCY_KEY.exec(key);
    if (m && m[1] === "std" && typeof value === "number") stds.set(m[2], value);
  }
  for (const [key, value] of Object.entries(record)) {
    if (PER_REQUEST_KEYS.has(key)) continue;
    const latency = LATENCY_KEY.exec(key);
    if (isNonFinite(value)) {
      // A parameter (SGLang's `"request_rate": Infinity`) is a setting as written; a metric has no value to store.
      if (latency || key in keys) nonFinite[key] = value.nonFinite;
      else settings[key] = value.nonFinite;
      continue;
    }
    const spec: KeySpec | null = latency
      ? {metric: metricName(latency[2]), unit: "ms", stat: latency[1]}
      : (keys[key] ?? null);
    if (spec && typeof value === "number") {
      if (latency?.[1] === "std" && typeof record[`mean_${latency[2]}_ms`] === "number") continue; // stored as the mean's stddev
      const result = serveResult(shape, {...spec, value, line: lineOf(key)});
      if (latency?.[1] === "mean" && stds.has(latency[2]))
        Object.assign(result, {stddev: stds.get(latency[2])!, stddev_kind: "population"});
      results.push(result);
    } else if (key === "spec_decode_per_position_acceptance_rates" && Array.isArray(value)) {
      // Fractions of drafts (not percent) per draft position.
      value.forEach((rate, i) => {
        if (typeof rate === "number")
          results.push(
            serveResult(shape, {
              metric: "acceptance_rate",
              unit: "ratio",
              stat: "value",
              value: rate,
              line: lineOf(key),
              extra: {position: i}
            })
          );
      });
    } else if (value === null || typeof value !== "object") settings[key] = asSetting(value);
    else extra[key] = value;
  }
  if (Object.keys(nonFinite).length) extra.non_finite = nonFinite;
  const perRequest = perRequestResults(shape, record, lineOf);
  results.push(...perRequest.results);
  return {results, settings, extra, notes: perRequest.notes};
}

/** `"max_concurrency": null` says there was no limit; `request_rate` as written (Infinity for Python's `inf`). */
export function recordLimit(record: Record<string, unknown>): PrintedLimit {
  const rate = record.request_rate;
  return {
    none: "max_concurrency" in record && record.max_concurrency === null,
    request_rate:
      typeof rate === "number" && Number.isFinite(rate)
        ? rate
        : rate === undefined || rate === null
          ? null
          : String(rate)
  };
}
