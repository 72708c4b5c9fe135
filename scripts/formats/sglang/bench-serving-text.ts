/**
 * `sglang.bench_serving`'s printed result (serving-block.ts, with SGLang's labels). `Accept length` comes from
 * the server's /server_info: an average since the server started, hence scope "cumulative" (vLLM's is per run).
 */
import type {Block, Context, Doc, Format, ParsedRun} from "../types.js";
import {SERVING_LABELS, type LabelSpec} from "../serving/printed-results.js";
import {parsePrintedServing} from "../serving/printed-run.js";
import {findServingBlocks} from "../serving/serving-block.js";
import {SGLANG_BENCH_SERVING} from "./command.js";

const SGLANG_LABELS: Record<string, LabelSpec> = {
  ...SERVING_LABELS,
  totalinputtexttokens: {metric: "input_text_tokens", unit: "tokens", stat: "total"},
  totalinputvisiontokens: {metric: "input_vision_tokens", unit: "tokens", stat: "total"},
  "totalgeneratedtokens(retokenized)": {metric: "output_tokens_retokenized", unit: "tokens", stat: "total"},
  "inputtokenthroughput(tok/s)": {metric: "input_throughput", unit: "tok/s", stat: "value"},
  concurrency: {metric: "concurrent_requests", unit: "requests", stat: "mean"},
  acceptlength: {metric: "acceptance_length", unit: "tokens", stat: "mean", scope: "cumulative"}
};

const SGLANG_SETTINGS: Record<string, string> = {
  backend: "backend",
  trafficrequestrate: "request_rate",
  maxrequestconcurrency: "max_concurrency",
  maxreqeuestconcurrency: "max_concurrency"
};

const LENGTHS = {
  input: ["--random-input-len", "--random-input"],
  output: ["--random-output-len", "--random-output", "--sharegpt-output-len"]
};

function scan(doc: Doc): Block[] {
  return findServingBlocks(doc)
    .filter((b) => b.flavor === "sglang")
    .map((b) => ({
      format: "sglang-bench-serving-text",
      start: b.start,
      end: b.end,
      confidence: 1,
      reason: `"Serving Benchmark Result" block with SGLang bench_serving's labels (Backend, Traffic request rate, Concurrency…; ${b.lines.length} lines)`
    }));
}

function parse(doc: Doc, block: Block, context: Context): ParsedRun[] {
  return parsePrintedServing(doc, block, context, {
    tool: "sglang-bench-serving",
    format: "sglang-bench-serving-text",
    program: SGLANG_BENCH_SERVING,
    labels: SGLANG_LABELS,
    settings: SGLANG_SETTINGS,
    lengths: LENGTHS
  });
}

export const sglangBenchServingText: Format = {
  id: "sglang-bench-serving-text",
  tool: "sglang-bench-serving",
  description:
    "SGLang `python -m sglang.bench_serving` printed result (Serving Benchmark Result block with Backend, Concurrency, Accept length…)",
  scan,
  parse
};
