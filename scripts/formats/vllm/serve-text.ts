/**
 * `vllm bench serve`'s printed result (vllm/benchmarks/serve.py; older
 * benchmarks/benchmark_serving.py prints the same block):
 *
 *   ============ Serving Benchmark Result ============
 *   Successful requests:                     250
 *   Failed requests:                         0
 *   Maximum request concurrency:             8            (when --max-concurrency)
 *   Request rate configured (RPS):           0.30         (when --request-rate is finite)
 *   Benchmark duration (s):                  835.25
 *   Total input tokens / Total generated tokens
 *   Request throughput (req/s) / Request goodput (req/s)
 *   Output token throughput (tok/s) / Peak output token throughput (tok/s)
 *   Peak concurrent requests / Total token throughput (tok/s) (older: "Total Token throughput")
 *   ---------------Time to First Token----------------   Mean/Median/P<n> TTFT (ms)
 *   -----Time per Output Token (excl. 1st token)------   … TPOT (ms)
 *   ---------------Inter-token Latency----------------   … ITL (ms)
 *   ----------------End-to-end Latency----------------   … E2EL (ms)
 *   ---------------Speculative Decoding---------------   Acceptance rate (%), Acceptance length,
 *                                                        Drafts, Draft tokens, Accepted tokens,
 *                                                        Per-position acceptance (%): Position i
 *   ==================================================
 *
 * Labels are matched by name, case and spacing ignored; Japanese labels as a
 * site translated them are understood too. Unknown labels are kept in the
 * run's extra (`unrecognized`), never dropped. The spec-decode figures are
 * deltas of the server's counters over this run (scope run).
 */
import type {Block, Context, Doc, Format, ParsedRun} from "../types.js";
import {SERVING_LABELS} from "../serving/printed-results.js";
import {parsePrintedServing} from "../serving/printed-run.js";
import {findServingBlocks, unflattenServing} from "../serving/serving-block.js";
import {VLLM_BENCH, VLLM_LENGTHS} from "./command.js";

/** Labels that state a setting of the run rather than a measurement. */
const VLLM_SETTINGS: Record<string, string> = {
  maximumrequestconcurrency: "max_concurrency",
  "requestrateconfigured(rps)": "request_rate"
};

function scan(doc: Doc): Block[] {
  return findServingBlocks(doc)
    .filter((b) => b.flavor === "vllm")
    .map((b) => ({
      format: "vllm-serve-text",
      start: b.start,
      end: b.end,
      confidence: 1,
      reason: `"Serving Benchmark Result" block with vLLM's labels (${b.lines.length} lines)`
    }));
}

function parse(doc: Doc, block: Block, context: Context): ParsedRun[] {
  return parsePrintedServing(doc, block, context, {
    tool: "vllm-bench-serve",
    format: "vllm-serve-text",
    program: VLLM_BENCH,
    labels: SERVING_LABELS,
    settings: VLLM_SETTINGS,
    lengths: VLLM_LENGTHS
  });
}

export const vllmServeText: Format = {
  id: "vllm-serve-text",
  tool: "vllm-bench-serve",
  description:
    "vLLM `vllm bench serve` printed result (Serving Benchmark Result block), also flattened onto one line or translated",
  unflatten: unflattenServing,
  scan,
  parse
};
