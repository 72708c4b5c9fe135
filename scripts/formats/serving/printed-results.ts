/** A "Serving Benchmark Result" block's printed lines → results, by a tool's label vocabulary. */
import type {Result, Settings} from "../../schema/schema.js";
import {ParseError} from "../types.js";
import type {PrintedLine} from "./serving-block.js";
import {englishKey, latencyStat, printedNumber} from "./serving-block.js";
import {serveResult, type ServeShape} from "./serving-run.js";

export interface LabelSpec {
  metric: string;
  unit: string;
  stat: string;
  scope?: Result["scope"];
}

/** vLLM's labels (English key, see serving-block `englishKey`) → metric; SGLang's fork adds its own to these. */
export const SERVING_LABELS: Record<string, LabelSpec> = {
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
export function readPrinted(
  lines: PrintedLine[],
  shape: ServeShape,
  labels: Record<string, LabelSpec>,
  settingLabels: Record<string, string>
): ReadBlock {
  const results: Result[] = [];
  const settings: Settings = {};
  const unrecognized: ReadBlock["unrecognized"] = [];
  const notes = lines.flatMap((l) =>
    l.note === undefined
      ? []
      : [`line ${l.line}: the text after the value ("${l.note}") is a remark, not part of "${l.label}"`]
  );
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
    const spec: LabelSpec | null = latency
      ? {metric: latency.metric, unit: "ms", stat: latency.stat}
      : position
        ? {metric: "acceptance_rate", unit: "%", stat: "value"}
        : (labels[key] ?? null);
    if (!spec) {
      unrecognized.push({label: l.label, value: l.value, line: l.line});
      continue;
    }
    if (value === null) throw new ParseError(l.line, `a number after "${l.label}:"`, l.value);
    results.push(
      serveResult(shape, {
        ...spec,
        value,
        line: l.line,
        text: l.text,
        extra: position ? {position: Number(position[1])} : undefined
      })
    );
  }
  return {results, settings, unrecognized, notes};
}
