/**
 * A person's one-line digest of vLLM's log (`Generation throughput: 95.9 tok/s  acceptance length: 4.28 …`,
 * writeup 003). vLLM never prints it, so the tool is `vllm-log-summary` and each run says so; values are still
 * copied from the log, stored like the log's.
 */
import type {Result, Stat} from "../../schema/schema.js";
import type {LineHit, LineReader} from "../logs/line-log.js";
import {lineLogFormat} from "../logs/line-log.js";
import {splitLogPrefix} from "../logs/log-prefix.js";
import {applyServerContext} from "../serving/server-context.js";
import {logResult, normalizeUnit, parseQuantity, slug} from "../logs/values.js";

const LABELS: Record<string, {metric: string; kind: string; stat: Stat; unit: string}> = {
  "generation throughput": {metric: "throughput", kind: "tg", stat: "interval_mean", unit: "tok/s"},
  "prompt throughput": {metric: "throughput", kind: "pp", stat: "interval_mean", unit: "tok/s"},
  "acceptance length": {metric: "acceptance_length", kind: "tg", stat: "interval_mean", unit: "tokens"},
  "draft acceptance": {metric: "acceptance_rate", kind: "tg", stat: "interval_mean", unit: "%"},
  "draft acceptance rate": {metric: "acceptance_rate", kind: "tg", stat: "interval_mean", unit: "%"},
  "accepted throughput": {metric: "accepted_throughput", kind: "tg", stat: "interval_mean", unit: "tok/s"}
};

const NOTE =
  "These lines are a writeup's own one-line digest of vLLM's periodic log (`Generation throughput: … acceptance length: … draft acceptance: …`), not a format vLLM prints; the values are as the writer printed them.";

function readSummaryLine(text: string, line: number): LineHit | null {
  const {message} = splitLogPrefix(text);
  if (!/^Generation throughput\s*:\s*\d/i.test(message)) return null;
  const pieces = message.trim().split(/\s{2,}|\t+/);
  const results: Result[] = [];
  for (const piece of pieces) {
    const m = /^([A-Za-z][A-Za-z ]*?)\s*:\s*(.+)$/.exec(piece);
    if (!m) return null;
    const q = parseQuantity(m[2]);
    if (!q) return null; // `up to 115.3 tok/s` is prose, not a log line
    const meaning = LABELS[m[1].toLowerCase()] ?? {metric: slug(m[1]), kind: "tg", stat: "value", unit: "count"};
    results.push(
      logResult({
        line,
        text: piece,
        test: m[1],
        kind: meaning.kind,
        metric: meaning.metric,
        unit: normalizeUnit(q.unit, meaning.unit),
        stat: meaning.stat,
        scope: "interval",
        value: q.value
      })
    );
  }
  return results.length >= 2 ? {results, prefixed: false} : null;
}

export const vllmLogSummary = lineLogFormat({
  id: "vllm-log-summary",
  tool: "vllm-log-summary",
  runtime: "vllm",
  description:
    "a writeup's one-line digests of vLLM's log (Generation throughput: … acceptance length: … draft acceptance: …)",
  createReader: (): LineReader => ({read: readSummaryLine}),
  judge: (stats) => ({
    confidence: 0.7,
    reason: `${stats.hits} line${stats.hits === 1 ? "" : "s"} of "Generation throughput: … acceptance length: …" (a writer's digest of a vLLM log), ${stats.results} values`
  }),
  applyContext(run, context) {
    run.notes.push(NOTE);
    applyServerContext(run, context, "vllm", {deviceLines: false});
    // A container tag is vLLM's version, not the digest's: keep it as the runtime's.
    if (run.tool_version) {
      run.extra.runtime_version = run.tool_version;
      run.tool_version = null;
    }
  }
});
