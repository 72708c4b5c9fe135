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
import type {Result, Settings} from "../../schema/schema.js";
import type {Block, Context, Doc, Format, ParsedRun} from "../types.js";
import {ParseError} from "../types.js";
import {findBenchCommand, VLLM_BENCH} from "./bench-command.js";
import type {PrintedLine} from "./serving-block.js";
import {englishKey, findServingBlocks, latencyStat, printedLines, printedNumber, unflattenServing} from "./serving-block.js";
import {serveResult, serveShape, servingRun, type ServeShape} from "./serving-run.js";

export interface LabelSpec {
  metric: string;
  unit: string;
  stat: string;
  scope?: Result["scope"];
}

/** vLLM's labels (English key, see serving-block `englishKey`) → metric. */
export const VLLM_LABELS: Record<string, LabelSpec> = {
  successfulrequests: {metric: "requests_completed", unit: "requests", stat: "total"},
  failedrequests: {metric: "requests_failed", unit: "requests", stat: "total"},
  "benchmarkduration(s)": {metric: "duration", unit: "s", stat: "value"},
  totalinputtokens: {metric: "input_tokens", unit: "tokens", stat: "total"},
  totalgeneratedtokens: {metric: "output_tokens", unit: "tokens", stat: "total"},
  "requestthroughput(req/s)": {metric: "request_throughput", unit: "req/s", stat: "value"},
  "requestgoodput(req/s)": {metric: "request_goodput", unit: "req/s", stat: "value"},
  "outputtokenthroughput(tok/s)": {metric: "output_throughput", unit: "tok/s", stat: "value"},
  "peakoutputtokenthroughput(tok/s)": {metric: "output_throughput", unit: "tok/s", stat: "peak"},
  peakconcurrentrequests: {metric: "concurrent_requests", unit: "requests", stat: "peak"},
  "totaltokenthroughput(tok/s)": {metric: "total_throughput", unit: "tok/s", stat: "value"},
  "acceptancerate(%)": {metric: "acceptance_rate", unit: "%", stat: "value"},
  acceptancelength: {metric: "acceptance_length", unit: "tokens", stat: "mean"},
  drafts: {metric: "drafts", unit: "drafts", stat: "total"},
  drafttokens: {metric: "draft_tokens", unit: "tokens", stat: "total"},
  acceptedtokens: {metric: "accepted_tokens", unit: "tokens", stat: "total"}
};

/** Labels that state a setting of the run rather than a measurement. */
const VLLM_SETTINGS: Record<string, string> = {
  maximumrequestconcurrency: "max_concurrency",
  "requestrateconfigured(rps)": "request_rate"
};

export interface ReadBlock {
  results: Result[];
  settings: Settings;
  unrecognized: {label: string; value: string; line: number}[];
  /** Remarks written after values, said on the run. */
  notes: string[];
}

/**
 * Turn a block's printed lines into results. `labels`/`settingLabels` are the
 * tool's vocabulary; latency lines (`Mean TTFT (ms)`) are understood for both tools.
 */
export function readPrinted(lines: PrintedLine[], shape: ServeShape, labels: Record<string, LabelSpec>, settingLabels: Record<string, string>): ReadBlock {
  const results: Result[] = [];
  const settings: Settings = {};
  const unrecognized: ReadBlock["unrecognized"] = [];
  const notes = lines.flatMap((l) => (l.note === undefined ? [] : [`line ${l.line}: the text after the value ("${l.note}") is a remark, not part of "${l.label}"`]));
  for (const l of lines) {
    const key = englishKey(l.label);
    if (key in settingLabels) {
      settings[settingLabels[key]] = printedNumber(l.value) ?? l.value;
      continue;
    }
    if (l.value === "") continue; // "Per-position acceptance (%):" heads the Position lines
    const value = printedNumber(l.value);
    const latency = latencyStat(l.label);
    const position = /^position(\d+)$/.exec(key);
    const spec: LabelSpec | null = latency ? {metric: latency.metric, unit: "ms", stat: latency.stat} : position ? {metric: "acceptance_rate", unit: "%", stat: "value"} : (labels[key] ?? null);
    if (!spec) {
      unrecognized.push({label: l.label, value: l.value, line: l.line});
      continue;
    }
    if (value === null) throw new ParseError(l.line, `a number after "${l.label}:"`, l.value);
    results.push(serveResult(shape, {...spec, value, line: l.line, text: l.text, extra: position ? {position: Number(position[1])} : undefined}));
  }
  return {results, settings, unrecognized, notes};
}

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
  const lines = printedLines(doc, block.start, block.end);
  if (lines.length === 0) throw new ParseError(doc.lines[block.start].line, "result lines after the Serving Benchmark Result banner", "nothing");
  const bench = findBenchCommand(doc, block, context, VLLM_BENCH);
  const concurrencyLine = lines.find((l) => VLLM_SETTINGS[englishKey(l.label)] === "max_concurrency");
  const shape = serveShape(bench, concurrencyLine ? printedNumber(concurrencyLine.value) : null, {
    input: ["--random-input-len", "--input-len"],
    output: ["--random-output-len", "--output-len"]
  });
  const read = readPrinted(lines, shape, VLLM_LABELS, VLLM_SETTINGS);
  const notes: string[] = [...read.notes];
  if (lines.some((l, i) => i > 0 && l.line === lines[i - 1].line)) {
    notes.push("the block's line breaks had been removed; it was split back into lines at its labels");
  }
  return [
    servingRun(
      {
        tool: "vllm-bench-serve",
        format: "vllm-serve-text",
        line_start: doc.lines[block.start].line,
        line_end: doc.lines[block.end].line,
        results: read.results,
        model_name: null,
        bench,
        settings: read.settings,
        extra: read.unrecognized.length ? {unrecognized: read.unrecognized} : {},
        notes
      },
      doc,
      block,
      context
    )
  ];
}

export const vllmServeText: Format = {
  id: "vllm-serve-text",
  tool: "vllm-bench-serve",
  description: "vLLM `vllm bench serve` printed result (Serving Benchmark Result block), also flattened onto one line or translated",
  unflatten: unflattenServing,
  scan,
  parse
};
