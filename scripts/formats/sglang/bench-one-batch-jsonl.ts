/** `python -m sglang.bench_one_batch --result-filename` JSON Lines: one object per batch size × input × output length. */
import type {Result} from "../../schema/schema.js";
import {findBenchCommand} from "../serving/bench-command.js";
import {findJsonObjects, groupAdjacent, lineOfKey, parseLenient} from "../shared/json-blocks.js";
import {spanOf} from "../shared/json-text.js";
import type {Block, Context, Doc, Format, ParsedRun} from "../types.js";
import {SGLANG_ONE_BATCH} from "./command.js";
import {oneBatchRun, shapeOf, value} from "./one-batch-run.js";

/** JSON Lines: `{"run_name": …, "batch_size": 4, "input_len": 1024, "output_len": 1, "prefill_latency": …, …}`. */
const JSON_KEYS: Record<string, {kind: string; metric: string; unit: string; stat: string}> = {
  prefill_latency: {kind: "pp", metric: "latency", unit: "s", stat: "value"},
  prefill_throughput: {kind: "pp", metric: "throughput", unit: "tok/s", stat: "value"},
  median_decode_latency: {kind: "tg", metric: "latency", unit: "s", stat: "median"},
  median_decode_throughput: {kind: "tg", metric: "throughput", unit: "tok/s", stat: "median"},
  total_latency: {kind: "pp+tg", metric: "latency", unit: "s", stat: "value"},
  overall_throughput: {kind: "pp+tg", metric: "throughput", unit: "tok/s", stat: "value"}
};

const isOneBatchRecord = (text: string) => /"prefill_latency"\s*:/.test(text) && /"batch_size"\s*:/.test(text);

function scanJson(doc: Doc): Block[] {
  return groupAdjacent(doc, findJsonObjects(doc, isOneBatchRecord)).map((g) => ({
    format: "sglang-bench-one-batch-jsonl",
    start: g[0].start,
    end: g.at(-1)!.end,
    confidence: 1,
    reason: `${g.length} JSON line${g.length === 1 ? "" : "s"} with sglang.bench_one_batch's keys (batch_size, prefill_latency, …)`
  }));
}

function parseJson(doc: Doc, block: Block, context: Context): ParsedRun[] {
  const span = spanOf(doc, block.start, block.end);
  const results: Result[] = [];
  const runNames = new Set<string>();
  findJsonObjects(doc, () => true, span).forEach((object, k) => {
    const r = parseLenient(doc, span, object.from, object.to, "a sglang.bench_one_batch result") as Record<
      string,
      unknown
    >;
    const int = (v: unknown) => (typeof v === "number" ? v : null);
    const combo = {batch: int(r.batch_size), input: int(r.input_len), output: int(r.output_len)};
    if (typeof r.run_name === "string") runNames.add(r.run_name);
    for (const [key, spec] of Object.entries(JSON_KEYS)) {
      if (typeof r[key] !== "number") continue;
      const line = lineOfKey(doc, span, key, object.from, object.to);
      results.push({
        ...value(shapeOf(combo, spec.kind, k + 1), spec.metric, spec.unit, spec.stat, String(r[key]), line, ""),
        value: r[key] as number,
        text: null
      });
    }
  });
  const bench = findBenchCommand(doc, block, context, SGLANG_ONE_BATCH);
  const run = oneBatchRun("sglang-bench-one-batch-jsonl", results, bench, doc, block, context, []);
  if (runNames.size) run.extra.run_name = [...runNames].join("; ");
  return [run];
}

export const sglangBenchOneBatchJsonl: Format = {
  id: "sglang-bench-one-batch-jsonl",
  tool: "sglang-bench-one-batch",
  description:
    "SGLang `sglang.bench_one_batch --result-filename` JSON Lines (batch_size, input_len, output_len, prefill/decode/total latency and throughput)",
  scan: scanJson,
  parse: parseJson
};
