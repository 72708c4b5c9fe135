/**
 * `python -m sglang.bench_one_batch` (a static batch run in-process, no
 * server): its printed lines and its `--result-filename` JSON Lines.
 *
 *   Warmup ...
 *   Prefill. latency: 4.32211 s, throughput:    947.69 token/s
 *   Decode.  latency: 0.02052 s, throughput:    194.90 token/s              (older; one per decode step, first 5)
 *   Decode 0. Batch size: 4, latency: 0.29446 s, throughput: 13.58 token/s  (newer)
 *   Decode.  median latency: 0.01973 s, median throughput:    202.71 token/s
 *   Total. latency:  6.476 s, throughput:    637.43 token/s
 *   Benchmark ...
 *   (one Prefill … Total group per --batch-size × --input-len × --output-len, in that order;
 *    "skipping (bs, il, ol) due to max batch size limit" for a combination that does not fit)
 *
 * Per group: prefill → kind pp, decode → kind tg (each printed step a value
 * with its step in `seq`, scope interval; the median over steps stat median),
 * total → kind pp+tg; each with metric latency (s) and throughput (token/s,
 * stored as tok/s). The warmup group is kept, marked extra.phase "warmup".
 * Batch size is the concurrency; input and output lengths come from the
 * command (or the JSON). A skipped combination is a result with status skipped.
 */
import type {Result, Settings} from "../../schema/schema.js";
import {emptyModel} from "../../schema/schema.js";
import {scalarFromText} from "../llama-bench/fields.js";
import {quantFromFile} from "../model-name.js";
import {spanOf} from "../json-text.js";
import type {Block, Context, Doc, Format, ParsedRun} from "../types.js";
import {ParseError} from "../types.js";
import {findBenchCommand, optionList, optionsRecord, SGLANG_ONE_BATCH, type BenchCommand} from "../vllm/bench-command.js";
import {findJsonObjects, groupAdjacent, lineOfKey, parseLenient} from "../vllm/json-blocks.js";

const PREFILL = /^Prefill\.\s+latency:\s*(\S+)\s*s,\s*throughput:\s*(\S+)\s*token\/s\s*$/;
const DECODE_STEP = /^Decode(?:\s+(\d+))?\.\s+(?:Batch size:\s*(\d+),\s*)?latency:\s*(\S+)\s*s,\s*throughput:\s*(\S+)\s*token\/s\s*$/;
const DECODE_MEDIAN = /^Decode\.\s+median latency:\s*(\S+)\s*s,\s*median throughput:\s*(\S+)\s*token\/s\s*$/;
const TOTAL = /^Total\.\s+latency:\s*(\S+)\s*s,\s*throughput:\s*(\S+)\s*token\/s\s*$/;
const SKIPPING = /^skipping \((\d+), (\d+), (\d+)\) due to max batch size limit\s*$/;
const MARKERS = /^(?:Warmup \.\.\.|Benchmark \.\.\.|max_total_num_tokens=\d+)\s*$/;
/** Log lines the server code prints in between (`[2026-02-26 10:25:20 TP0] Reset HybridReqToTokenPool`). */
const LOG = /^\[\d{4}-\d\d-\d\d[ T][\d:]+[^\]]*\]/;

const isOwn = (t: string) => PREFILL.test(t) || DECODE_STEP.test(t) || DECODE_MEDIAN.test(t) || TOTAL.test(t) || SKIPPING.test(t);
/** Options of the benchmark itself; every other option of the command is a server argument (a setting). */
const BENCH_OPTIONS = new Set(["batch-size", "batch", "input-len", "input", "output-len", "output", "run-name", "result-filename", "log-decode-step", "prompt-filename", "correctness-test", "cut-len", "profile", "model-path", "model"]);

function scanText(doc: Doc): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < doc.lines.length; i++) {
    const t = doc.lines[i].text.trim();
    if (!PREFILL.test(t) && !/^Warmup \.\.\.\s*$/.test(t) && !/^max_total_num_tokens=\d+\s*$/.test(t)) continue;
    let end = i;
    for (let j = i + 1; j < doc.lines.length; j++) {
      const u = doc.lines[j].text.trim();
      if (isOwn(u)) end = j;
      else if (!(MARKERS.test(u) || LOG.test(u))) break;
    }
    if (!doc.lines.slice(i, end + 1).some((l) => TOTAL.test(l.text.trim()))) continue;
    blocks.push({format: "sglang-bench-one-batch-text", start: i, end, confidence: 1, reason: "sglang.bench_one_batch lines (Prefill. latency … / Decode. median latency … / Total. latency …)"});
    i = end;
  }
  return blocks;
}

interface Combo {
  batch: number | null;
  input: number | null;
  output: number | null;
  warmup?: boolean;
}

/** The sweep's combinations in the order bench_one_batch runs them (itertools.product). */
function combos(bench: BenchCommand | null): Combo[] {
  const ints = (...names: string[]) => optionList(bench, ...names).filter((v) => /^\d+$/.test(v)).map(Number);
  const bs = ints("--batch-size", "--batch");
  const il = ints("--input-len", "--input");
  const ol = ints("--output-len", "--output");
  const out: Combo[] = [];
  for (const b of bs.length ? bs : [null]) for (const i of il.length ? il : [null]) for (const o of ol.length ? ol : [null]) out.push({batch: b, input: i, output: o});
  return out;
}

function shapeOf(combo: Combo, kind: string, group: number) {
  const known = combo.batch !== null || combo.input !== null || combo.output !== null;
  return {
    test: (known ? `bs${combo.batch ?? "?"} in${combo.input ?? "?"} out${combo.output ?? "?"}` : `group ${group}`) + (combo.warmup ? " warmup" : ""),
    kind,
    n_prompt: kind === "tg" ? null : combo.input,
    n_gen: kind === "pp" ? null : combo.output,
    n_depth: null,
    concurrency: combo.batch
  };
}

function value(shape: ReturnType<typeof shapeOf>, metric: string, unit: string, stat: string, text: string, line: number, printed: string, extra?: Record<string, unknown>, seq?: number): Result {
  const v = Number(text);
  if (!Number.isFinite(v)) throw new ParseError(line, `a number for ${metric}`, text);
  return {
    line,
    text: printed,
    ...shape,
    ...(seq !== undefined ? {scope: "interval" as const, seq} : {}),
    metric,
    unit,
    stat,
    value: v,
    stddev: null,
    stddev_kind: null,
    repetitions: null,
    status: "ok",
    ...(extra ? {extra} : {})
  };
}

function parseText(doc: Doc, block: Block, context: Context): ParsedRun[] {
  const bench = findBenchCommand(doc, block, context, SGLANG_ONE_BATCH);
  const sweep = combos(bench);
  const first = sweep[0] ?? {batch: null, input: null, output: null};
  const results: Result[] = [];
  let warmup = false;
  let next = 0;
  let group = 0;
  let combo: Combo = first;
  for (let i = block.start; i <= block.end; i++) {
    const {text, line} = doc.lines[i];
    const t = text.trim();
    let m: RegExpExecArray | null;
    if ((m = /^max_total_num_tokens=(\d+)\s*$/.exec(t))) {
      // The KV cache's capacity in tokens, as the model runner printed it.
      results.push(value({test: "kv cache", kind: "kv", n_prompt: null, n_gen: null, n_depth: null, concurrency: null}, "kv_capacity", "tokens", "value", m[1], line, t));
    } else if (/^Warmup \.\.\./.test(t)) warmup = true;
    else if (/^Benchmark \.\.\./.test(t)) warmup = false;
    else if ((m = SKIPPING.exec(t))) {
      const skipped = {batch: Number(m[1]), input: Number(m[2]), output: Number(m[3])};
      next++;
      results.push({...value(shapeOf(skipped, "pp+tg", ++group), "latency", "s", "value", "0", line, t), value: null, status: "skipped", status_detail: t});
    } else if ((m = PREFILL.exec(t))) {
      group++;
      // Warmup runs the first batch size and input length; its output length changed across versions: not stated.
      combo = warmup ? {...first, output: null, warmup: true} : (sweep[next++] ?? {batch: null, input: null, output: null});
      const extra = warmup ? {phase: "warmup"} : undefined;
      const shape = shapeOf(combo, "pp", group);
      results.push(value(shape, "latency", "s", "value", m[1], line, t, extra), value(shape, "throughput", "tok/s", "value", m[2], line, t, extra));
    } else if ((m = DECODE_MEDIAN.exec(t))) {
      const shape = shapeOf(combo, "tg", group);
      const extra = warmup ? {phase: "warmup"} : undefined;
      results.push(value(shape, "latency", "s", "median", m[1], line, t, extra), value(shape, "throughput", "tok/s", "median", m[2], line, t, extra));
    } else if ((m = DECODE_STEP.exec(t))) {
      if (m[2] && combo.batch === null) combo = {...combo, batch: Number(m[2])};
      const shape = shapeOf(combo, "tg", group);
      const step = m[1] !== undefined ? Number(m[1]) : results.filter((r) => r.kind === "tg" && r.seq !== undefined && r.metric === "latency" && r.test === shape.test && r.line < line).length;
      const extra = warmup ? {phase: "warmup"} : undefined;
      results.push(value(shape, "latency", "s", "value", m[3], line, t, extra, step), value(shape, "throughput", "tok/s", "value", m[4], line, t, extra, step));
    } else if ((m = TOTAL.exec(t))) {
      const shape = shapeOf(combo, "pp+tg", group);
      const extra = warmup ? {phase: "warmup"} : undefined;
      results.push(value(shape, "latency", "s", "value", m[1], line, t, extra), value(shape, "throughput", "tok/s", "value", m[2], line, t, extra));
    }
  }
  const notes = sweep.length > 1 && next !== sweep.length ? [`the command sweeps ${sweep.length} combinations, the output holds ${next}`] : [];
  return [oneBatchRun("sglang-bench-one-batch-text", results, bench, doc, block, context, notes)];
}

function oneBatchRun(format: string, results: Result[], bench: BenchCommand | null, doc: Doc, block: Block, context: Context, notes: string[]): ParsedRun {
  const settings: Settings = {};
  for (const [key, v] of Object.entries(optionsRecord(bench))) {
    if (BENCH_OPTIONS.has(key)) continue;
    settings[key] = v === true ? true : Array.isArray(v) ? v.join(" ") : scalarFromText(v);
  }
  const file = optionList(bench, "--model-path", "--model")[0] ?? null;
  const model = {...emptyModel(), name: file, file, quant: quantFromFile(file)};
  return {
    tool: "sglang-bench-one-batch",
    tool_version: null,
    runtime: context.runtime ?? "sglang",
    build_commit: null,
    build_number: null,
    format,
    started_at: null,
    command: bench?.text ?? null,
    hardware: context.hardware,
    model,
    settings,
    settings_from_command: Object.keys(settings),
    notes,
    extra: bench && Object.keys(bench.env).length ? {env: bench.env} : {},
    results,
    line_start: Math.min(doc.lines[block.start].line, bench?.line_start ?? Infinity),
    line_end: doc.lines[block.end].line
  };
}

/** JSON Lines: `{"run_name": …, "batch_size": 4, "input_len": 1024, "output_len": 1, "prefill_latency": …, …}`. */
const JSON_KEYS: Record<string, {kind: string; metric: string; unit: string; stat: string}> = {
  prefill_latency: {kind: "pp", metric: "latency", unit: "s", stat: "value"},
  prefill_throughput: {kind: "pp", metric: "throughput", unit: "tok/s", stat: "value"},
  median_decode_latency: {kind: "tg", metric: "latency", unit: "s", stat: "median"},
  median_decode_throughput: {kind: "tg", metric: "throughput", unit: "tok/s", stat: "median"},
  total_latency: {kind: "pp+tg", metric: "latency", unit: "s", stat: "value"},
  overall_throughput: {kind: "pp+tg", metric: "throughput", unit: "tok/s", stat: "value"}
};

const isOneBatchRecord = (text: string) => /"prefill_latency"\s*:/.test(text) && /"batch_size"\s*:/.test(text);

function scanJson(doc: Doc): Block[] {
  return groupAdjacent(doc, findJsonObjects(doc, isOneBatchRecord)).map((g) => ({
    format: "sglang-bench-one-batch-jsonl",
    start: g[0].start,
    end: g.at(-1)!.end,
    confidence: 1,
    reason: `${g.length} JSON line${g.length === 1 ? "" : "s"} with sglang.bench_one_batch's keys (batch_size, prefill_latency, …)`
  }));
}

function parseJson(doc: Doc, block: Block, context: Context): ParsedRun[] {
  const span = spanOf(doc, block.start, block.end);
  const results: Result[] = [];
  const runNames = new Set<string>();
  findJsonObjects(doc, () => true, span).forEach((object, k) => {
    const r = parseLenient(doc, span, object.from, object.to, "a sglang.bench_one_batch result") as Record<string, unknown>;
    const int = (v: unknown) => (typeof v === "number" ? v : null);
    const combo = {batch: int(r.batch_size), input: int(r.input_len), output: int(r.output_len)};
    if (typeof r.run_name === "string") runNames.add(r.run_name);
    for (const [key, spec] of Object.entries(JSON_KEYS)) {
      if (typeof r[key] !== "number") continue;
      const line = lineOfKey(doc, span, key, object.from, object.to);
      results.push({...value(shapeOf(combo, spec.kind, k + 1), spec.metric, spec.unit, spec.stat, String(r[key]), line, ""), value: r[key] as number, text: null});
    }
  });
  const bench = findBenchCommand(doc, block, context, SGLANG_ONE_BATCH);
  const run = oneBatchRun("sglang-bench-one-batch-jsonl", results, bench, doc, block, context, []);
  if (runNames.size) run.extra.run_name = [...runNames].join("; ");
  return [run];
}

export const sglangBenchOneBatchText: Format = {
  id: "sglang-bench-one-batch-text",
  tool: "sglang-bench-one-batch",
  description: "SGLang `python -m sglang.bench_one_batch` printed lines (Prefill. / Decode. median / Total. latency and throughput)",
  scan: scanText,
  parse: parseText
};

export const sglangBenchOneBatchJsonl: Format = {
  id: "sglang-bench-one-batch-jsonl",
  tool: "sglang-bench-one-batch",
  description: "SGLang `sglang.bench_one_batch --result-filename` JSON Lines (batch_size, input_len, output_len, prefill/decode/total latency and throughput)",
  scan: scanJson,
  parse: parseJson
};
