/**
 * vLLM server logs (`vllm serve`): V1's periodic stats and SpecDecoding lines, V0's metrics lines, KV cache
 * and load lines. From loggers.py: throughputs are interval means; V1 resets spec-decode counters per line,
 * V0's `Speculative metrics` are cumulative since start.
 */
import type {Result, Scope, Stat} from "../../schema/schema.js";
import type {LineHit} from "../logs/line-log.js";
import type {LogPrefix} from "../logs/log-prefix.js";
import {configFacts, logLine, serverLogFormat} from "../serving/server-log.js";
import {logResult, normalizeUnit, notANumber, parseQuantity, slug, splitLabeled} from "../logs/values.js";

interface LabelMeaning {
  metric: string;
  kind: string;
  stat: Stat;
  unit: string;
}

const STATS_LABELS: Record<string, LabelMeaning> = {
  "avg prompt throughput": {metric: "throughput", kind: "pp", stat: "interval_mean", unit: "tok/s"},
  "avg generation throughput": {metric: "throughput", kind: "tg", stat: "interval_mean", unit: "tok/s"},
  running: {metric: "running_requests", kind: "server", stat: "value", unit: "requests"},
  waiting: {metric: "waiting_requests", kind: "server", stat: "value", unit: "requests"},
  swapped: {metric: "swapped_requests", kind: "server", stat: "value", unit: "requests"},
  pending: {metric: "pending_requests", kind: "server", stat: "value", unit: "requests"},
  deferred: {metric: "deferred_requests", kind: "server", stat: "value", unit: "requests"},
  preemptions: {metric: "preemptions", kind: "server", stat: "value", unit: "count"},
  corrupted: {metric: "corrupted_requests", kind: "server", stat: "value", unit: "requests"},
  "gpu kv cache usage": {metric: "kv_cache_usage", kind: "server", stat: "value", unit: "%"},
  "cpu kv cache usage": {metric: "cpu_kv_cache_usage", kind: "server", stat: "value", unit: "%"},
  "prefix cache hit rate": {metric: "prefix_cache_hit_rate", kind: "server", stat: "value", unit: "%"},
  "external prefix cache hit rate": {
    metric: "external_prefix_cache_hit_rate",
    kind: "server",
    stat: "value",
    unit: "%"
  },
  "mm cache hit rate": {metric: "mm_cache_hit_rate", kind: "server", stat: "value", unit: "%"}
};

const SPEC_LABELS: Record<string, LabelMeaning> = {
  "mean acceptance length": {metric: "acceptance_length", kind: "tg", stat: "interval_mean", unit: "tokens"},
  "accepted throughput": {metric: "accepted_throughput", kind: "tg", stat: "interval_mean", unit: "tok/s"},
  "drafted throughput": {metric: "drafted_throughput", kind: "tg", stat: "interval_mean", unit: "tok/s"},
  accepted: {metric: "accepted_tokens", kind: "tg", stat: "total", unit: "tokens"},
  drafted: {metric: "drafted_tokens", kind: "tg", stat: "total", unit: "tokens"},
  "avg draft acceptance rate": {metric: "acceptance_rate", kind: "tg", stat: "interval_mean", unit: "%"},
  "draft acceptance rate": {metric: "acceptance_rate", kind: "tg", stat: "interval_mean", unit: "%"},
  "per-position acceptance rate": {metric: "acceptance_rate", kind: "tg", stat: "interval_mean", unit: "ratio"}
};

/** V0 `Speculative metrics:` totals since the server started. */
const V0_SPEC_LABELS: Record<string, LabelMeaning> = {
  "draft acceptance rate": {metric: "acceptance_rate", kind: "tg", stat: "value", unit: "ratio"},
  "system efficiency": {metric: "system_efficiency", kind: "tg", stat: "value", unit: "ratio"},
  "number of speculative tokens": {metric: "speculative_tokens", kind: "tg", stat: "value", unit: "tokens"},
  "number of accepted tokens": {metric: "accepted_tokens", kind: "tg", stat: "total", unit: "tokens"},
  "number of draft tokens": {metric: "drafted_tokens", kind: "tg", stat: "total", unit: "tokens"},
  "number of draft tokens tokens": {metric: "drafted_tokens", kind: "tg", stat: "total", unit: "tokens"},
  "number of emitted tokens": {metric: "emitted_tokens", kind: "tg", stat: "total", unit: "tokens"},
  "number of emitted tokens tokens": {metric: "emitted_tokens", kind: "tg", stat: "total", unit: "tokens"}
};

/** Labels start with a capital letter (`Avg prompt throughput`, `GPU KV cache usage`, `Per-position acceptance rate`). */
const LABEL = String.raw`[A-Z][A-Za-z0-9 ./#-]*?`;

interface LineContext {
  line: number;
  prefix: LogPrefix;
  /** extra shared by every value of the line (engine index). */
  extra: Record<string, unknown>;
}

/** One `Label: value` piece → result(s); unknown labels keep their own name. */
function labeledResults(body: string, meanings: Record<string, LabelMeaning>, scope: Scope, lc: LineContext): Result[] {
  const out: Result[] = [];
  const pieces = splitLabeled(body, LABEL);
  // A value that is not a number (a fork's compound value) is kept as text on every value of the line.
  for (const piece of pieces) {
    if (
      piece.label.toLowerCase() !== "per-position acceptance rate" &&
      !parseQuantity(piece.raw) &&
      !notANumber(piece.raw)
    )
      lc.extra[slug(piece.label)] = piece.raw;
  }
  for (const piece of pieces) {
    const key = piece.label.toLowerCase();
    const meaning = meanings[key];
    if (key === "per-position acceptance rate") {
      piece.raw.split(/\s*,\s*/).forEach((rate, i) => {
        const q = parseQuantity(rate);
        if (!q && !notANumber(rate)) return;
        out.push(
          logResult({
            line: lc.line,
            text: piece.text,
            test: piece.label,
            ...meaning!,
            scope,
            value: q?.value ?? null,
            skipped: q ? undefined : `printed ${JSON.stringify(rate)}`,
            prefix: lc.prefix,
            extra: {...lc.extra, position: i + 1}
          })
        );
      });
      continue;
    }
    const q = parseQuantity(piece.raw);
    if (!q && !notANumber(piece.raw)) continue;
    const m: LabelMeaning = meaning ?? {metric: slug(piece.label), kind: "server", stat: "value", unit: "count"};
    out.push(
      logResult({
        line: lc.line,
        text: piece.text,
        test: piece.label,
        kind: m.kind,
        metric: m.metric,
        unit: normalizeUnit(q?.unit ?? null, m.unit),
        stat: m.stat,
        scope,
        value: q?.value ?? null,
        skipped: q ? undefined : `printed ${JSON.stringify(piece.raw)}`,
        prefix: lc.prefix,
        extra: {...lc.extra}
      })
    );
  }
  return out;
}

function single(
  lc: LineContext,
  text: string,
  test: string,
  metric: string,
  unit: string,
  value: number,
  extra: Record<string, unknown> = {}
): Result {
  return logResult({
    line: lc.line,
    text,
    test,
    kind: "server",
    metric,
    unit,
    stat: "value",
    scope: "run",
    value,
    prefix: lc.prefix,
    extra: {...lc.extra, ...extra}
  });
}

const STATS_START = /\bAvg prompt throughput\s*:/i;

function readVllmLine(text: string, line: number): LineHit | null {
  const read = logLine(text);
  if (!read) return null;
  const {prefix, message, hit} = read;
  const lc: LineContext = {line, prefix, extra: {}};

  // The stats label comes right after `Engine 000: ` (or `2 Engines Aggregated: `): no need to search a logged prompt.
  const stats = STATS_START.exec(message.slice(0, 200));
  if (stats) {
    const head = message.slice(0, stats.index).trim().replace(/:$/, "");
    const engine = /Engine\s+(\d+)/.exec(head);
    if (engine) lc.extra.engine = engine[1];
    else if (head) lc.extra.engine = head; // `2 Engines Aggregated`
    return hit(labeledResults(message.slice(stats.index), STATS_LABELS, "interval", lc));
  }
  let m = /^SpecDecoding metrics:\s*(.*)$/i.exec(message);
  if (m) return hit(labeledResults(m[1], SPEC_LABELS, "interval", lc));
  m = /^Speculative metrics:\s*(.*?)\.?\s*$/i.exec(message);
  if (m) return hit(labeledResults(m[1], V0_SPEC_LABELS, "cumulative", lc));
  m = /^GPU KV cache size:\s*((\d{1,3}(?:,\d{3})+|\d+)\s*tokens)\s*$/i.exec(message);
  if (m)
    return hit([
      single(lc, message.trim(), "GPU KV cache size", "kv_capacity", "tokens", parseQuantity(m[2])!.value, {
        printed: m[1]
      })
    ]);
  m = /^Maximum concurrency for\s*((\d{1,3}(?:,\d{3})+|\d+))\s*tokens per request:\s*(\d+(?:\.\d+)?)x\s*$/i.exec(
    message
  );
  if (m)
    return hit([
      single(lc, message.trim(), "Maximum concurrency", "max_concurrency", "x", Number(m[3]), {
        tokens_per_request: parseQuantity(m[2])!.value,
        tokens_per_request_printed: m[1]
      })
    ]);
  m =
    /^Model loading took\s*(\d+(?:\.\d+)?)\s*(GiB|GB|MiB|MB)(?:\s+memory)?\s+and\s+(\d+(?:\.\d+)?)\s*(?:seconds|s)\b/i.exec(
      message
    );
  if (m) {
    return hit([
      single(lc, `${m[1]} ${m[2]}`, "Model loading", "model_memory", m[2], Number(m[1])),
      single(lc, `${m[3]} seconds`, "Model loading", "model_load_time", "s", Number(m[3]))
    ]);
  }
  m = /^Loading model weights took\s*(\d+(?:\.\d+)?)\s*(GiB|GB|MiB|MB)\s*$/i.exec(message);
  if (m) return hit([single(lc, message.trim(), "Loading model weights", "model_memory", m[2], Number(m[1]))]);
  m = /^#?\s*GPU blocks:\s*(\d+)(?:,\s*#?\s*CPU blocks:\s*(\d+))?\s*$/i.exec(message);
  if (m) {
    const results = [single(lc, `GPU blocks: ${m[1]}`, "GPU blocks", "kv_capacity", "blocks", Number(m[1]))];
    if (m[2]) results.push(single(lc, `CPU blocks: ${m[2]}`, "CPU blocks", "cpu_kv_capacity", "blocks", Number(m[2])));
    return hit(results);
  }
  m = /^Memory profiling results:\s*(.*)$/i.exec(message);
  if (m) {
    // V0: `total_gpu_memory=23.58GiB … kv_cache_size=2.89GiB gpu_memory_utilization=0.90`
    const results: Result[] = [];
    const settings: Record<string, number> = {};
    for (const piece of m[1].trim().split(/\s+/)) {
      const kv = /^(\w+)=(\d+(?:\.\d+)?)(GiB|GB|MiB|MB)?$/.exec(piece);
      if (!kv) continue;
      if (!kv[3]) settings[kv[1]] = Number(kv[2]);
      else
        results.push(
          single(
            lc,
            piece,
            "Memory profiling results",
            kv[1] === "kv_cache_size" ? "kv_cache_memory" : kv[1],
            kv[3],
            Number(kv[2])
          )
        );
    }
    return hit(results, {settings});
  }
  m = /^Available KV cache memory:\s*(\d+(?:\.\d+)?)\s*(GiB|GB|MiB|MB)\s*$/i.exec(message);
  if (m) return hit([single(lc, message.trim(), "Available KV cache memory", "kv_cache_memory", m[2], Number(m[1]))]);
  m = /^init engine \(profile, create kv cache, warmup model\) took\s*(\d+(?:\.\d+)?)\s*seconds/i.exec(message);
  if (m) return hit([single(lc, message.trim(), "init engine", "engine_init_time", "s", Number(m[1]))]);
  m = /^Prefix cache hit rate:\s*GPU:\s*(\d+(?:\.\d+)?)%,\s*CPU:\s*(\d+(?:\.\d+)?)%/i.exec(message);
  if (m) {
    const make = (which: string, value: string) =>
      logResult({
        line,
        text: `${which}: ${value}%`,
        test: `Prefix cache hit rate ${which}`,
        kind: "server",
        metric: "prefix_cache_hit_rate",
        unit: "%",
        stat: "value",
        scope: "interval",
        value: Number(value),
        prefix,
        extra: {pool: which}
      });
    return hit([make("GPU", m[1]), make("CPU", m[2])]);
  }
  // Facts: only with vLLM's own log prefix (a bare sentence could be anyone's).
  if (!prefix.prefixed) return null;
  m = /^vLLM API server version\s+(\S+)/i.exec(message);
  if (m) return hit([], {tool_version: m[1]});
  m = /^non-default args:\s*\{(.*)\}\s*$/.exec(message);
  if (m) return hit([], vllmConfig(m[1]));
  m = /^Initializing an? (?:V1 )?LLM engine \(v?([^)]+)\) with config:\s*(.*)$/i.exec(message);
  if (m) return hit([], {tool_version: m[1], ...vllmConfig(m[2])});
  return null;
}

/** Settings from `non-default args: {...}` and `… with config: model='…', dtype=…`. */
const vllmConfig = (body: string) => configFacts(body, ["model", "model_tag"], ["tokenizer", "served_model_name"]);

export const vllmLog = serverLogFormat({
  id: "vllm-log",
  tool: "vllm-server",
  runtime: "vllm",
  name: "vLLM",
  description:
    "vLLM server log: periodic throughput/KV-cache lines, SpecDecoding metrics, KV cache size and model loading lines",
  read: readVllmLine,
  // A lone unprefixed capacity line may be a writer's own summary; two or more, or a prefix, are a log.
  unprefixed: {confidence: 0.8, minHits: 2}
});
