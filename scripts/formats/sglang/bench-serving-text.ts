/**
 * `python -m sglang.bench_serving`'s printed result (forked from vLLM's
 * benchmark_serving.py, with its own labels):
 *
 *   ============ Serving Benchmark Result ============
 *   Backend:                                 sglang
 *   Traffic request rate:                    inf
 *   Max request concurrency:                 100        (older: "Max reqeuest concurrency:", "not set")
 *   Successful requests / Benchmark duration (s) / Total input tokens / Total input text tokens /
 *   Total input vision tokens / Total generated tokens / Total generated tokens (retokenized)
 *   Request throughput (req/s) / Input token throughput (tok/s) / Output token throughput (tok/s)
 *   Peak output token throughput (tok/s) / Peak concurrent requests / Total token throughput (tok/s)
 *   Concurrency:                             97.41      (total request time / duration: a mean)
 *   Accept length:                           2.86       (the server's running average: scope cumulative)
 *   ----------------End-to-End Latency----------------  Mean/Median/P90/P99 E2E Latency (ms)
 *   ---------------Time to First Token----------------  Mean/Median/P99 TTFT (ms)
 *   -----Time per Output Token (excl. 1st token)------  … TPOT (ms)
 *   ---------------Inter-Token Latency----------------  Mean/Median/P95/P99/Max ITL (ms)
 *   ==================================================
 *
 * `Accept length` is read by bench_serving from the server's /server_info
 * (`avg_spec_accept_length`): an average since the server started, not over
 * this run alone, hence scope "cumulative" (vLLM's is a per-run delta).
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
