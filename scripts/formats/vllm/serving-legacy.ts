/**
 * vLLM's benchmark_serving.py before the "Serving Benchmark Result" block: the 2023 (`Total time: …`) and early
 * 2024 (`Successful requests: …`) wordings. Each value's unit is its own line's.
 */
import type {Result} from "../../schema/schema.js";
import type {Block, Context, Doc, Format, ParsedRun} from "../types.js";
import {ParseError} from "../types.js";
import {findBenchCommand} from "../serving/bench-command.js";
import {serveResult, serveShape, servingRun} from "../serving/serving-run.js";
import {VLLM_BENCH} from "./command.js";

const LINE =
  /^\s*(Total time|Throughput|Average latency(?: per (?:output )?token)?|Successful requests|Benchmark duration|Total input tokens|Total generated tokens|Request throughput|Input token throughput|Output token throughput|(?:Mean|Median|P\d+) (?:TTFT|TPOT|ITL))\s*:\s*(\S+)\s*(s|ms|requests\/s|tokens\/s)?\s*$/i;
const NUMBER = /^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/;

interface Spec {
  metric: string;
  unit: string;
  stat: string;
}

/** The label (lowercased) and the unit printed after the value → what it measures. */
function specOf(label: string, unit: string | undefined): Spec | null {
  const key = label.toLowerCase();
  const latency = /^(mean|median|p\d+) (ttft|tpot|itl)$/.exec(key);
  if (latency) return unit === "ms" ? {metric: latency[2], unit: "ms", stat: latency[1]} : null;
  switch (key) {
    case "total time":
    case "benchmark duration":
      return unit === "s" ? {metric: "duration", unit: "s", stat: "value"} : null;
    case "throughput":
      return unit === "requests/s"
        ? {metric: "request_throughput", unit: "req/s", stat: "value"}
        : unit === "tokens/s"
          ? {metric: "output_throughput", unit: "tok/s", stat: "value"}
          : null;
    case "average latency":
      return unit === "s" ? {metric: "e2el", unit: "s", stat: "mean"} : null;
    case "average latency per token":
      return unit === "s" ? {metric: "latency_per_token", unit: "s", stat: "mean"} : null;
    case "average latency per output token":
      return unit === "s" ? {metric: "latency_per_output_token", unit: "s", stat: "mean"} : null;
    case "successful requests":
      return unit === undefined ? {metric: "requests_completed", unit: "requests", stat: "total"} : null;
    case "total input tokens":
      return unit === undefined ? {metric: "input_tokens", unit: "tokens", stat: "total"} : null;
    case "total generated tokens":
      return unit === undefined ? {metric: "output_tokens", unit: "tokens", stat: "total"} : null;
    case "request throughput":
      return unit === "requests/s" ? {metric: "request_throughput", unit: "req/s", stat: "value"} : null;
    case "input token throughput":
      return unit === "tokens/s" ? {metric: "input_throughput", unit: "tok/s", stat: "value"} : null;
    case "output token throughput":
      return unit === "tokens/s" ? {metric: "output_throughput", unit: "tok/s", stat: "value"} : null;
  }
  return null;
}

function lineSpec(text: string): {label: string; value: string; spec: Spec} | null {
  const m = LINE.exec(text);
  if (!m) return null;
  const spec = specOf(m[1], m[3]);
  return spec ? {label: m[1], value: m[2], spec} : null;
}

/** Labels only these wordings print, one of which a block must hold (a lone `Throughput: …` is too common). */
const DISTINCT =
  /^(average latency|benchmark duration|request throughput|total time|(mean|median|p\d+) (ttft|tpot|itl))$/i;

function scan(doc: Doc): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < doc.lines.length; i++) {
    if (!lineSpec(doc.lines[i].text)) continue;
    let end = i;
    while (end + 1 < doc.lines.length && lineSpec(doc.lines[end + 1].text)) end++;
    const labels = doc.lines.slice(i, end + 1).map((l) => lineSpec(l.text)!.label);
    if (end - i + 1 >= 3 && labels.some((l) => DISTINCT.test(l))) {
      blocks.push({
        format: "vllm-benchmark-serving-legacy",
        start: i,
        end,
        confidence: 0.9,
        reason: `${end - i + 1} "label: value unit" lines of vLLM's older benchmark_serving.py (${labels[0]}: …)`
      });
    }
    i = end;
  }
  return blocks;
}

function parse(doc: Doc, block: Block, context: Context): ParsedRun[] {
  const bench = findBenchCommand(doc, block, context, VLLM_BENCH);
  const shape = serveShape(bench, null, {
    input: ["--random-input-len", "--input-len"],
    output: ["--random-output-len", "--output-len"]
  });
  const results: Result[] = [];
  for (let i = block.start; i <= block.end; i++) {
    const {text, line} = doc.lines[i];
    const read = lineSpec(text)!;
    if (!NUMBER.test(read.value)) throw new ParseError(line, `a number after "${read.label}:"`, read.value);
    results.push(serveResult(shape, {...read.spec, value: Number(read.value), line, text: text.trim()}));
  }
  return [
    servingRun(
      {
        tool: "vllm-benchmark-serving",
        format: "vllm-benchmark-serving-legacy",
        line_start: doc.lines[block.start].line,
        line_end: doc.lines[block.end].line,
        results,
        model_name: null,
        bench,
        notes: [
          "vLLM's older benchmark_serving.py wording (before the Serving Benchmark Result block): units as printed after each value"
        ]
      },
      doc,
      block,
      context
    )
  ];
}

export const vllmServingLegacy: Format = {
  id: "vllm-benchmark-serving-legacy",
  tool: "vllm-benchmark-serving",
  description:
    "vLLM's older benchmarks/benchmark_serving.py console output (2023: Total time / Throughput / Average latency; early 2024: Successful requests / Benchmark duration / Mean TTFT: … ms)",
  scan,
  parse
};
