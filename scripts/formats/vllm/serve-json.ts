/**
 * `vllm bench serve --save-result` JSON (and `--append-result`, one object
 * per line; older benchmarks/benchmark_serving.py writes the same keys):
 *
 *   {"date": "20250530-203806", "backend": "vllm", "model_id": …, "tokenizer_id": …,
 *    "num_prompts": 300, <--metadata k=v>, "request_rate": 10.0 | "inf", "burstiness": 1.0,
 *    "max_concurrency": null, "duration": 36.03…, "completed": 300, "failed": 0,
 *    "total_input_tokens": …, "total_output_tokens": …, "request_throughput": …,
 *    "request_goodput": …, "output_throughput": …, "total_token_throughput": …,
 *    "max_output_tokens_per_s": …, "max_concurrent_requests": …,
 *    "mean_ttft_ms": …, "median_ttft_ms": …, "std_ttft_ms": …, "p99_ttft_ms": …, (tpot, itl, e2el, …)
 *    "spec_decode_acceptance_rate": …, … , per-request arrays with --save-detailed}
 *
 * Summary keys map like the printed block's lines; `std_<m>_ms` is the
 * population deviation (np.std) of `mean_<m>_ms` and is stored as that
 * result's stddev. NaN/Infinity values are not stored as values (listed in
 * extra.non_finite). Every other scalar key (the run's parameters and
 * `--metadata`) is a setting under its own name; per-request arrays become
 * scope "request" results (per-request.ts).
 */
import type {Result, Settings} from "../../schema/schema.js";
import {spanOf} from "../json-text.js";
import type {Block, Context, Doc, Format, ParsedRun} from "../types.js";
import {ParseError} from "../types.js";
import {findBenchCommand, VLLM_BENCH} from "./bench-command.js";
import {findJsonObjects, groupAdjacent, isNonFinite, lineOfKey, parseLenient} from "./json-blocks.js";
import {PER_REQUEST_KEYS, perRequestResults} from "./per-request.js";
import {asSetting, serveResult, serveShape, servingRun, type PrintedLimit, type ServeShape} from "./serving-run.js";

export interface KeySpec {
  metric: string;
  unit: string;
  stat: string;
  scope?: Result["scope"];
}

export const VLLM_KEYS: Record<string, KeySpec> = {
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
export function readRecord(record: Record<string, unknown>, shape: ServeShape, keys: Record<string, KeySpec>, lineOf: (key: string) => number, metricName: (m: string) => string = (m) => m): ReadRecord {
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
    const spec: KeySpec | null = latency ? {metric: metricName(latency[2]), unit: "ms", stat: latency[1]} : (keys[key] ?? null);
    if (spec && typeof value === "number") {
      if (latency?.[1] === "std" && typeof record[`mean_${latency[2]}_ms`] === "number") continue; // stored as the mean's stddev
      const result = serveResult(shape, {...spec, value, line: lineOf(key)});
      if (latency?.[1] === "mean" && stds.has(latency[2])) Object.assign(result, {stddev: stds.get(latency[2])!, stddev_kind: "population"});
      results.push(result);
    } else if (key === "spec_decode_per_position_acceptance_rates" && Array.isArray(value)) {
      // Fractions of drafts (not percent) per draft position.
      value.forEach((rate, i) => {
        if (typeof rate === "number") results.push(serveResult(shape, {metric: "acceptance_rate", unit: "ratio", stat: "value", value: rate, line: lineOf(key), extra: {position: i}}));
      });
    } else if (value === null || typeof value !== "object") settings[key] = asSetting(value);
    else extra[key] = value;
  }
  if (Object.keys(nonFinite).length) extra.non_finite = nonFinite;
  const perRequest = perRequestResults(shape, record, lineOf);
  results.push(...perRequest.results);
  return {results, settings, extra, notes: perRequest.notes};
}

function isVllmRecord(text: string): boolean {
  return /"(?:mean|median|p\d+)_(?:ttft|tpot|itl|e2el)_ms"\s*:/.test(text) && /"(?:tokenizer_id|model_id|num_prompts|endpoint_type|total_token_throughput)"\s*:/.test(text) && !/"(?:mean_e2e_latency_ms|total_output_tokens_retokenized)"\s*:/.test(text);
}

function scan(doc: Doc): Block[] {
  return groupAdjacent(doc, findJsonObjects(doc, isVllmRecord)).map((group) => ({
    format: "vllm-serve-json",
    start: group[0].start,
    end: group.at(-1)!.end,
    confidence: 1,
    reason: `${group.length === 1 ? "a JSON object" : `${group.length} JSON objects`} with vLLM bench serve's result keys (model_id/tokenizer_id, mean_ttft_ms…)`
  }));
}

/** `"max_concurrency": null` says there was no limit; `request_rate` as written (Infinity for Python's `inf`). */
export function recordLimit(record: Record<string, unknown>): PrintedLimit {
  const rate = record.request_rate;
  return {none: "max_concurrency" in record && record.max_concurrency === null, request_rate: typeof rate === "number" && Number.isFinite(rate) ? rate : rate === undefined || rate === null ? null : String(rate)};
}

function parse(doc: Doc, block: Block, context: Context): ParsedRun[] {
  const span = spanOf(doc, block.start, block.end);
  const objects = findJsonObjects(doc, () => true, span);
  if (objects.length === 0) throw new ParseError(doc.lines[block.start].line, "a complete JSON object of vllm bench serve results");
  const bench = findBenchCommand(doc, block, context, VLLM_BENCH);
  return objects.map((object) => {
    const record = parseLenient(doc, span, object.from, object.to, "vllm bench serve results") as Record<string, unknown>;
    if (typeof record !== "object" || record === null || Array.isArray(record)) throw new ParseError(doc.lines[object.start].line, "a JSON object of vllm bench serve results");
    const concurrency = typeof record.max_concurrency === "number" ? record.max_concurrency : null;
    const shape = serveShape(bench, concurrency, {input: ["--random-input-len", "--input-len"], output: ["--random-output-len", "--output-len"]}, recordLimit(record));
    const read = readRecord(record, shape, VLLM_KEYS, (key) => lineOfKey(doc, span, key, object.from, object.to));
    const {model_id, date, ...settings} = read.settings;
    return servingRun(
      {
        tool: "vllm-bench-serve",
        format: "vllm-serve-json",
        line_start: doc.lines[object.start].line,
        line_end: doc.lines[object.end].line,
        results: read.results,
        model_name: typeof model_id === "string" ? model_id : null,
        bench: objects.length === 1 ? bench : null,
        settings,
        // `date` is the client's local time (`20250530-203806`) without a zone: kept as printed.
        extra: {...read.extra, ...(date !== undefined ? {date} : {})},
        notes: read.notes
      },
      doc,
      {...block, start: object.start, end: object.end},
      context
    );
  });
}

export const vllmServeJson: Format = {
  id: "vllm-serve-json",
  tool: "vllm-bench-serve",
  description: "vLLM `vllm bench serve --save-result` JSON (one object, or one per line with --append-result), with per-request arrays when saved",
  scan,
  parse
};
