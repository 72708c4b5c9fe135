/**
 * `sglang.bench_serving --output-file`: one JSON object per run, keys as vLLM's saved result with SGLang's
 * names. `"request_rate": Infinity` (Python's json) is the setting "Infinity"; `accept_length` is cumulative.
 */
import {findBenchCommand} from "../serving/bench-command.js";
import {readRecord, recordLimit, SERVING_KEYS, type KeySpec} from "../serving/saved-record.js";
import {composeShape, servingRun} from "../serving/serving-run.js";
import {findJsonObjects, groupAdjacent, lineOfKey, parseLenient} from "../shared/json-blocks.js";
import {spanOf} from "../shared/json-text.js";
import type {Block, Context, Doc, Format, ParsedRun} from "../types.js";
import {ParseError} from "../types.js";
import {SGLANG_BENCH_SERVING} from "./command.js";

const SGLANG_KEYS: Record<string, KeySpec> = {
  ...SERVING_KEYS,
  total_input_text_tokens: {metric: "input_text_tokens", unit: "tokens", stat: "total"},
  total_input_vision_tokens: {metric: "input_vision_tokens", unit: "tokens", stat: "total"},
  total_output_tokens_retokenized: {metric: "output_tokens_retokenized", unit: "tokens", stat: "total"},
  input_throughput: {metric: "input_throughput", unit: "tok/s", stat: "value"},
  total_throughput: {metric: "total_throughput", unit: "tok/s", stat: "value"},
  concurrency: {metric: "concurrent_requests", unit: "requests", stat: "mean"},
  accept_length: {metric: "acceptance_length", unit: "tokens", stat: "mean", scope: "cumulative"}
};

function isSglangRecord(text: string): boolean {
  return (
    /"(?:mean_e2e_latency_ms|total_output_tokens_retokenized)"\s*:/.test(text) &&
    /"(?:backend|dataset_name|request_rate)"\s*:/.test(text)
  );
}

function scan(doc: Doc): Block[] {
  return groupAdjacent(doc, findJsonObjects(doc, isSglangRecord)).map((group) => ({
    format: "sglang-bench-serving-jsonl",
    start: group[0].start,
    end: group.at(-1)!.end,
    confidence: 1,
    reason: `${group.length} JSON line${group.length === 1 ? "" : "s"} with SGLang bench_serving's keys (mean_e2e_latency_ms, total_output_tokens_retokenized…)`
  }));
}

const int = (v: unknown) => (typeof v === "number" && Number.isInteger(v) ? v : null);

function parse(doc: Doc, block: Block, context: Context): ParsedRun[] {
  const span = spanOf(doc, block.start, block.end);
  const objects = findJsonObjects(doc, () => true, span);
  if (objects.length === 0)
    throw new ParseError(doc.lines[block.start].line, "a complete JSON line of sglang.bench_serving results");
  const bench = findBenchCommand(doc, block, context, SGLANG_BENCH_SERVING);
  return objects.map((object) => {
    const record = parseLenient(doc, span, object.from, object.to, "sglang.bench_serving results") as Record<
      string,
      unknown
    >;
    if (typeof record !== "object" || record === null || Array.isArray(record))
      throw new ParseError(doc.lines[object.start].line, "a JSON object of sglang.bench_serving results");
    const dataset = typeof record.dataset_name === "string" ? record.dataset_name : null;
    const random = dataset?.startsWith("random") ?? false;
    const shape = composeShape({
      dataset,
      n_prompt: random ? int(record.random_input_len) : null,
      n_gen: random ? int(record.random_output_len) : int(record.sharegpt_output_len),
      concurrency: int(record.max_concurrency),
      unbounded: recordLimit(record).none ? {request_rate: recordLimit(record).request_rate} : undefined
    });
    const read = readRecord(
      record,
      shape,
      SGLANG_KEYS,
      (key) => lineOfKey(doc, span, key, object.from, object.to),
      (m) => (m === "e2e_latency" ? "e2el" : m)
    );
    return servingRun(
      {
        tool: "sglang-bench-serving",
        format: "sglang-bench-serving-jsonl",
        line_start: doc.lines[object.start].line,
        line_end: doc.lines[object.end].line,
        results: read.results,
        model_name: null,
        bench: objects.length === 1 ? bench : null,
        settings: read.settings,
        extra: read.extra,
        notes: read.notes
      },
      doc,
      {...block, start: object.start, end: object.end},
      context
    );
  });
}

export const sglangBenchServingJsonl: Format = {
  id: "sglang-bench-serving-jsonl",
  tool: "sglang-bench-serving",
  description:
    "SGLang `sglang.bench_serving --output-file` JSON Lines (request_rate may be Infinity), with per-request arrays when --output-details",
  scan,
  parse
};
