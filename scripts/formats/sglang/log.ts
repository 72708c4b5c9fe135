/**
 * SGLang server logs: `Decode batch` / `Prefill batch` lines, KV cache and pool sizes (also as writeup 003
 * quotes them, at lower confidence). From scheduler_metrics_mixin.py: gen throughput and accept len cover the
 * steps since the previous line (counters reset), so they are interval means, not the server-cumulative
 * average bench_serving reads.
 */
import type {Result, Stat} from "../../schema/schema.js";
import type {LineHit, RunFacts} from "../logs/line-log.js";
import type {LogPrefix} from "../logs/log-prefix.js";
import {configFacts, logLine, serverLogFormat} from "../serving/server-log.js";
import {
  logResult,
  normalizeUnit,
  notANumber,
  parseQuantity,
  pythonScalar,
  slug,
  splitAssignments
} from "../logs/values.js";

interface Meaning {
  metric: string;
  kind?: string;
  stat: Stat;
  unit: string;
  pool?: string;
}

const BATCH_LABELS: Record<string, Meaning> = {
  "#running-req": {metric: "running_requests", stat: "value", unit: "requests"},
  "#queue-req": {metric: "queued_requests", stat: "value", unit: "requests"},
  "#retracted-req": {metric: "retracted_requests", stat: "value", unit: "requests"},
  "#token": {metric: "kv_tokens_used", stat: "value", unit: "tokens"},
  "#full token": {metric: "kv_tokens_used", stat: "value", unit: "tokens", pool: "full"},
  "#swa token": {metric: "kv_tokens_used", stat: "value", unit: "tokens", pool: "swa"},
  "token usage": {metric: "kv_cache_usage", stat: "value", unit: "ratio"},
  "full token usage": {metric: "kv_cache_usage", stat: "value", unit: "ratio", pool: "full"},
  "swa token usage": {metric: "kv_cache_usage", stat: "value", unit: "ratio", pool: "swa"},
  "mamba num": {metric: "mamba_slots_used", stat: "value", unit: "count"},
  "mamba usage": {metric: "mamba_usage", stat: "value", unit: "ratio"},
  "pre-allocated usage": {metric: "preallocated_usage", stat: "value", unit: "ratio"},
  "accept len": {metric: "acceptance_length", kind: "tg", stat: "interval_mean", unit: "tokens"},
  "accept rate": {metric: "acceptance_rate", kind: "tg", stat: "interval_mean", unit: "ratio"},
  "gen throughput (token/s)": {metric: "throughput", kind: "tg", stat: "interval_mean", unit: "tok/s"},
  "input throughput (token/s)": {metric: "throughput", kind: "pp", stat: "interval_mean", unit: "tok/s"},
  "#new-seq": {metric: "new_sequences", kind: "pp", stat: "value", unit: "count"},
  "#new-token": {metric: "new_tokens", kind: "pp", stat: "value", unit: "tokens"},
  "#cached-token": {metric: "cached_tokens", kind: "pp", stat: "value", unit: "tokens"},
  "#pending-token": {metric: "pending_tokens", stat: "value", unit: "tokens"},
  // `--enable-mfu-metrics`: SGLang's own estimates over the same interval ("est.").
  "est. prefill tflops/s (per gpu)": {
    metric: "est_tflops_per_gpu",
    kind: "pp",
    stat: "interval_mean",
    unit: "TFLOPS/s"
  },
  "est. decode tflops/s (per gpu)": {metric: "est_tflops_per_gpu", kind: "tg", stat: "interval_mean", unit: "TFLOPS/s"},
  "est. read bw (gb/s per gpu)": {
    metric: "est_read_bandwidth_per_gpu",
    kind: "tg",
    stat: "interval_mean",
    unit: "GB/s"
  },
  "est. write bw (gb/s per gpu)": {
    metric: "est_write_bandwidth_per_gpu",
    kind: "tg",
    stat: "interval_mean",
    unit: "GB/s"
  },
  "fwd occupancy": {metric: "fwd_occupancy", stat: "interval_mean", unit: "%"}
};

/** `max_total_num_tokens=…, chunked_prefill_size=…` and the sliding-window pool line. */
const POOL_KEYS: Record<string, Meaning> = {
  max_total_num_tokens: {metric: "kv_capacity", stat: "value", unit: "tokens"},
  full_layer_tokens: {metric: "kv_capacity", stat: "value", unit: "tokens", pool: "full"},
  swa_layer_tokens: {metric: "kv_capacity", stat: "value", unit: "tokens", pool: "swa"},
  available_gpu_mem: {metric: "available_gpu_memory", stat: "value", unit: "GB"}
};

const GRAPH_LABEL = /^(cuda|npu|cpu|xpu|hpu) graph$/i;

function result(
  line: number,
  prefix: LogPrefix | undefined,
  text: string,
  test: string,
  m: Meaning,
  value: number | null,
  scope: "interval" | "run",
  extra: Record<string, unknown>,
  skipped?: string
): Result {
  return logResult({
    line,
    text,
    test,
    kind: m.kind ?? "server",
    metric: m.metric,
    unit: m.unit,
    stat: m.stat,
    scope,
    value,
    prefix,
    skipped,
    extra: {...extra, ...(m.pool ? {pool: m.pool} : {})}
  });
}

function batchLine(kind: "decode" | "prefill", body: string, line: number, prefix: LogPrefix): Result[] {
  const pieces = body
    .split(/,\s+/)
    .map((p) => p.trim().replace(/,$/, ""))
    .filter(Boolean)
    .map((p) => {
      const colon = p.lastIndexOf(":");
      return colon > 0 ? {label: p.slice(0, colon).trim(), raw: p.slice(colon + 1).trim(), text: p} : null;
    })
    .filter((p): p is {label: string; raw: string; text: string} => p !== null);
  const extra: Record<string, unknown> = {batch: kind};
  for (const p of pieces)
    if (GRAPH_LABEL.test(p.label)) extra[slug(p.label)] = p.raw === "True" ? true : p.raw === "False" ? false : p.raw;
  const out: Result[] = [];
  for (const p of pieces) {
    if (GRAPH_LABEL.test(p.label)) continue;
    const q = parseQuantity(p.raw);
    if (!q && !notANumber(p.raw)) {
      extra[slug(p.label)] = p.raw;
      continue;
    }
    const known = BATCH_LABELS[p.label.toLowerCase()];
    const unitInLabel = /\(([^)]*\/[^)]*)\)/.exec(p.label)?.[1] ?? null;
    const m: Meaning = known ?? {metric: slug(p.label), stat: "value", unit: normalizeUnit(unitInLabel, "count")};
    out.push(
      result(
        line,
        prefix,
        p.text,
        p.label,
        {...m, unit: normalizeUnit(q?.unit ?? null, m.unit)},
        q?.value ?? null,
        "interval",
        extra,
        q ? undefined : `printed ${JSON.stringify(p.raw)}`
      )
    );
  }
  return out;
}

function gb(raw: string): {value: number; unit: string} | null {
  const m = /^(\d+(?:\.\d+)?)\s*(GB|GiB|MB|MiB)$/.exec(raw.trim());
  return m ? {value: Number(m[1]), unit: m[2]} : null;
}

/** `key=value, key=value` assignments: pool sizes are results, the rest settings. */
function assignments(
  body: string,
  line: number,
  prefix: LogPrefix,
  extra: Record<string, unknown> = {}
): {results: Result[]; settings: Record<string, string | number | boolean | null>} {
  const results: Result[] = [];
  const settings: Record<string, string | number | boolean | null> = {};
  for (const [key, raw] of splitAssignments(body)) {
    const meaning = POOL_KEYS[key];
    const size = meaning?.unit === "GB" ? gb(raw) : null;
    const count = /^(\d+)(?:\s*\(.*\))?$/.exec(raw.trim());
    if (meaning && size)
      results.push(result(line, prefix, `${key}=${raw}`, key, {...meaning, unit: size.unit}, size.value, "run", extra));
    else if (meaning && count)
      results.push(
        result(line, prefix, `${key}=${raw}`, key, meaning, Number(count[1]), "run", {
          ...extra,
          ...(raw.includes("(") ? {printed: raw} : {})
        })
      );
    else {
      const value = pythonScalar(raw);
      if (value !== undefined) settings[key] = value;
    }
  }
  return {results, settings};
}

function readSglangLine(text: string, line: number): LineHit | null {
  const read = logLine(text);
  if (!read) return null;
  const {prefix, hit} = read;
  const message = read.message.trim();
  let m = /^(Decode|Prefill) batch[.,]?\s+(.*)$/i.exec(message);
  if (m && /#(?:running-req|new-seq)\s*:/.test(m[2]))
    return hit(batchLine(m[1].toLowerCase() as "decode" | "prefill", m[2], line, prefix));
  m = /^KV Cache is allocated\.\s*(.*)$/i.exec(message);
  if (m) {
    const results: Result[] = [];
    const extra: Record<string, unknown> = {};
    for (const piece of m[1].split(/,\s*/)) {
      const [label, raw = ""] = piece.split(/:\s*/);
      if (/^#tokens$/i.test(label) && /^\d+$/.test(raw))
        results.push(
          result(
            line,
            prefix,
            piece,
            "KV Cache #tokens",
            {metric: "kv_capacity", stat: "value", unit: "tokens"},
            Number(raw),
            "run",
            {}
          )
        );
      else if (/^(K|V|KV) size$/i.test(label) && gb(raw)) {
        const size = gb(raw)!;
        results.push(
          result(
            line,
            prefix,
            piece,
            `KV Cache ${label}`,
            {metric: "kv_cache_memory", stat: "value", unit: size.unit},
            size.value,
            "run",
            label.toUpperCase() === "KV SIZE" ? {} : {part: label[0].toUpperCase()}
          )
        );
      } else if (label) extra[slug(label)] = raw;
    }
    if (Object.keys(extra).length) for (const r of results) r.extra = {...r.extra, ...extra};
    return results.length ? hit(results) : null;
  }
  m = /^Load weight end\.\s*(.*?)\.?$/i.exec(message);
  if (m) {
    const results: Result[] = [];
    const facts: RunFacts = {settings: {}, model: {}};
    for (const [key, raw] of splitAssignments(m[1])) {
      const size = gb(raw);
      if (key === "mem usage" && size)
        results.push(
          result(
            line,
            prefix,
            `${key}=${raw}`,
            "Load weight mem usage",
            {metric: "model_memory", stat: "value", unit: size.unit},
            size.value,
            "run",
            {}
          )
        );
      else if (key === "avail mem" && size)
        results.push(
          result(
            line,
            prefix,
            `${key}=${raw}`,
            "Load weight avail mem",
            {metric: "available_gpu_memory", stat: "value", unit: size.unit},
            size.value,
            "run",
            {}
          )
        );
      else if (key === "elapsed") {
        const q = parseQuantity(raw);
        if (q)
          results.push(
            result(
              line,
              prefix,
              `${key}=${raw}`,
              "Load weight elapsed",
              {metric: "model_load_time", stat: "value", unit: normalizeUnit(q.unit, "s")},
              q.value,
              "run",
              {}
            )
          );
      } else if (key === "type") facts.model!.architecture = raw;
      else if (key === "dtype") facts.settings!.dtype = raw;
    }
    return results.length ? hit(results, facts) : null;
  }
  m = /^Use sliding window memory pool\.\s*(.*)$/i.exec(message);
  if (m) {
    const {results} = assignments(m[1], line, prefix);
    return results.length ? hit(results) : null;
  }
  if (/^max_total_num_tokens=\d+/.test(message)) {
    const {results, settings} = assignments(message, line, prefix);
    return hit(results, {settings});
  }
  // The seed-003 shapes: one pool size per line, and K/V memory per pool.
  m = /^(full_layer_tokens|swa_layer_tokens|max_total_num_tokens)\s*=\s*(\d+)\s*$/.exec(message);
  if (m) return hit(assignments(message, line, prefix).results);
  m = /^(SWA|Full)\s+KV:\s*(\d+(?:\.\d+)?)\s*(GB|GiB)\s*K\s*\+\s*(\d+(?:\.\d+)?)\s*(GB|GiB)\s*V\s*$/i.exec(message);
  if (m) {
    const pool = m[1].toLowerCase();
    return hit([
      result(
        line,
        prefix,
        `${m[2]} ${m[3]} K`,
        `${m[1]} KV`,
        {metric: "kv_cache_memory", stat: "value", unit: m[3], pool},
        Number(m[2]),
        "run",
        {part: "K"}
      ),
      result(
        line,
        prefix,
        `${m[4]} ${m[5]} V`,
        `${m[1]} KV`,
        {metric: "kv_cache_memory", stat: "value", unit: m[5], pool},
        Number(m[4]),
        "run",
        {part: "V"}
      )
    ]);
  }
  m = /^Total SWAKVPool usage:\s*(\d+(?:\.\d+)?)\s*(GB|GiB)\s*$/i.exec(message);
  if (m)
    return hit([
      result(
        line,
        prefix,
        message,
        "Total SWAKVPool usage",
        {metric: "kv_cache_memory", stat: "value", unit: m[2], pool: "total"},
        Number(m[1]),
        "run",
        {}
      )
    ]);
  // Facts, only with SGLang's prefix.
  if (!prefix.prefixed) return null;
  m = /^server_args=ServerArgs\((.*)\)\s*$/.exec(message);
  if (m) return hit([], configFacts(m[1], ["model_path"], ["tokenizer_path"]));
  return null;
}

export const sglangLog = serverLogFormat({
  id: "sglang-log",
  tool: "sglang-server",
  runtime: "sglang",
  name: "SGLang",
  description:
    "SGLang server log: Decode/Prefill batch lines (throughput, accept len/rate, token usage), KV cache allocation and pool sizes",
  read: readSglangLine,
  unprefixed: {confidence: 0.75, minHits: 1}
});
