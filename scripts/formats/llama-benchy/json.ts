/**
 * llama-benchy `--format json` (`{"version": …, "latency_mode": …, "benchmarks": [{…, "pp_throughput":
 * {"mean", "std", "values"}}]}`): each metric one result with its values as samples, on the row the table
 * would print; its line is the `"mean"` line.
 */
import type {Result, Settings} from "../../schema/schema.js";
import {spanOf} from "../shared/json-text.js";
import type {Block, Context, Doc, Format, ParsedRun} from "../types.js";
import {ParseError} from "../types.js";
import {findJsonObjects, lineOfKey, parseLenient} from "../shared/json-blocks.js";
import {benchyResult, benchyRun, cleanVersion, JSON_METRICS, parseTestName, testNameOf} from "./results.js";

interface Metric {
  mean: number;
  std: number;
  values?: number[];
}

interface Benchmark {
  concurrency: number;
  context_size: number;
  prompt_size: number;
  response_size: number;
  is_context_prefill_phase: boolean;
  [key: string]: unknown;
}

interface Report {
  version?: string;
  timestamp?: string;
  model?: string;
  max_concurrency?: number;
  benchmarks: Benchmark[];
  [key: string]: unknown;
}

const SHAPE_KEYS = new Set([
  "concurrency",
  "context_size",
  "prompt_size",
  "response_size",
  "is_context_prefill_phase",
  "throughput_over_time",
  "requests_throughput_over_time"
]);

function isReport(text: string): boolean {
  return (
    /"benchmarks"\s*:/.test(text) && /"(?:latency_mode|prefix_caching_enabled|is_context_prefill_phase)"\s*:/.test(text)
  );
}

function scan(doc: Doc): Block[] {
  return findJsonObjects(doc, isReport).map((o) => ({
    format: "llama-benchy-json",
    start: o.start,
    end: o.end,
    confidence: 1,
    reason: "JSON object with llama-benchy's report keys (benchmarks, latency_mode, is_context_prefill_phase)"
  }));
}

const isMetric = (v: unknown): v is Metric =>
  typeof v === "object" &&
  v !== null &&
  typeof (v as Metric).mean === "number" &&
  typeof (v as Metric).std === "number";

function parse(doc: Doc, block: Block, context: Context): ParsedRun[] {
  const span = spanOf(doc, block.start, block.end);
  const [object] = findJsonObjects(doc, () => true, span);
  if (!object) throw new ParseError(doc.lines[block.start].line, "a complete llama-benchy JSON report");
  const report = parseLenient(doc, span, object.from, object.to, "a llama-benchy report") as Report;
  if (!Array.isArray(report.benchmarks))
    throw new ParseError(doc.lines[block.start].line, `a "benchmarks" array in the llama-benchy report`);
  const maxConcurrency =
    typeof report.max_concurrency === "number"
      ? report.max_concurrency
      : Math.max(1, ...report.benchmarks.map((b) => b.concurrency ?? 1));
  // Where each benchmark's text starts, so every value gets the line it was written on.
  const benchmarksAt = span.text.indexOf('"benchmarks"', object.from);
  const results: Result[] = [];
  let cursor = benchmarksAt;
  for (const b of report.benchmarks) {
    const at = span.text.indexOf('"concurrency"', cursor + 1);
    const next = span.text.indexOf('"concurrency"', at + 1);
    const end = next < 0 ? object.to : next;
    cursor = at;
    const line = (key: string) => {
      const keyAt = span.text.indexOf(`"${key}"`, at);
      return lineOfKey(doc, span, "mean", keyAt >= 0 && keyAt < end ? keyAt : at, end);
    };
    for (const [key, value] of Object.entries(b)) {
      const known = JSON_METRICS[key];
      if (!known || value === null) continue;
      if (!isMetric(value))
        throw new ParseError(line(key), `"${key}" as {mean, std, values}`, JSON.stringify(value).slice(0, 60));
      const shape = parseTestName(testNameOf(known.row, b, maxConcurrency))!;
      shape.concurrency = b.concurrency;
      if (known.row === "pp" || shape.kind === "ctx_pp")
        shape.n_prompt = b.is_context_prefill_phase ? null : b.prompt_size;
      if (known.row === "tg") shape.n_gen = b.response_size;
      const extra: Record<string, unknown> = {};
      if (key === "tg_throughput") {
        if (b.throughput_over_time) extra.throughput_over_time = b.throughput_over_time;
        if (b.requests_throughput_over_time) extra.requests_throughput_over_time = b.requests_throughput_over_time;
      }
      for (const [k, v] of Object.entries(b)) if (!SHAPE_KEYS.has(k) && !(k in JSON_METRICS)) extra[k] = v;
      results.push(
        benchyResult(shape, known.spec, {
          value: value.mean,
          stddev: value.std,
          text: null,
          line: line(key),
          samples: value.values ?? null,
          extra
        })
      );
    }
  }
  const settings: Settings = {};
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(report)) {
    if (key === "benchmarks" || key === "version" || key === "model" || key === "timestamp") continue;
    // latency_ms is what llama-benchy measured (or assumed) and subtracted from ttfr: a figure, not a setting.
    if (key === "latency_ms") extra.latency_ms = value;
    else if (value === null || ["string", "number", "boolean"].includes(typeof value))
      settings[key] = value as string | number | boolean | null;
    else extra[key] = value;
  }
  const timestamp = typeof report.timestamp === "string" ? report.timestamp : null;
  if (timestamp) extra.timestamp = timestamp;
  return [
    benchyRun(
      {
        format: "llama-benchy-json",
        line_start: doc.lines[block.start].line,
        line_end: doc.lines[block.end].line,
        results,
        model_name: report.model ?? null,
        tool_version: cleanVersion(report.version ?? null),
        // `2026-02-07 19:09:00Z` is UTC; a timestamp without a zone is left in extra only.
        started_at:
          timestamp && /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?Z$/.test(timestamp)
            ? timestamp.replace(" ", "T")
            : null,
        settings,
        extra
      },
      doc,
      block,
      context
    )
  ];
}

export const llamaBenchyJson: Format = {
  id: "llama-benchy-json",
  tool: "llama-benchy",
  description: "llama-benchy JSON report (--format json): benchmarks[] with {mean, std, values} metrics",
  scan,
  parse
};
