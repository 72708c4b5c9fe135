/**
 * `vllm bench serve`'s printed "Serving Benchmark Result" block (also older benchmark_serving.py). Labels matched
 * by name (also as a site translated them); unknown labels kept in extra.unrecognized. Spec-decode figures are
 * deltas over this run.
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
