/**
 * `python -m sglang.bench_one_batch`'s printed lines (`Prefill. latency: …`, `Decode …`, `Total. …`), one group
 * per batch size × input × output length; its JSONL is bench-one-batch-jsonl.ts. Warmup is kept, marked;
 * a skipped combination is a skipped result.
 */
import type {Result} from "../../schema/schema.js";
import {findBenchCommand} from "../serving/bench-command.js";
import type {Block, Context, Doc, Format, ParsedRun} from "../types.js";
import {SGLANG_ONE_BATCH} from "./command.js";
import {combos, oneBatchRun, shapeOf, value, type Combo} from "./one-batch-run.js";

const PREFILL = /^Prefill\.\s+latency:\s*(\S+)\s*s,\s*throughput:\s*(\S+)\s*token\/s\s*$/;
const DECODE_STEP =
  /^Decode(?:\s+(\d+))?\.\s+(?:Batch size:\s*(\d+),\s*)?latency:\s*(\S+)\s*s,\s*throughput:\s*(\S+)\s*token\/s\s*$/;
const DECODE_MEDIAN = /^Decode\.\s+median latency:\s*(\S+)\s*s,\s*median throughput:\s*(\S+)\s*token\/s\s*$/;
const TOTAL = /^Total\.\s+latency:\s*(\S+)\s*s,\s*throughput:\s*(\S+)\s*token\/s\s*$/;
const SKIPPING = /^skipping \((\d+), (\d+), (\d+)\) due to max batch size limit\s*$/;
const MARKERS = /^(?:Warmup \.\.\.|Benchmark \.\.\.|max_total_num_tokens=\d+)\s*$/;
/** Log lines the server code prints in between (`[2026-02-26 10:25:20 TP0] Reset HybridReqToTokenPool`). */
const LOG = /^\[\d{4}-\d\d-\d\d[ T][\d:]+[^\]]*\]/;

const isOwn = (t: string) =>
  PREFILL.test(t) || DECODE_STEP.test(t) || DECODE_MEDIAN.test(t) || TOTAL.test(t) || SKIPPING.test(t);

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
    blocks.push({
      format: "sglang-bench-one-batch-text",
      start: i,
      end,
      confidence: 1,
      reason: "sglang.bench_one_batch lines (Prefill. latency … / Decode. median latency … / Total. latency …)"
    });
    i = end;
  }
  return blocks;
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
      results.push(
        value(
          {test: "kv cache", kind: "kv", n_prompt: null, n_gen: null, n_depth: null, concurrency: null},
          "kv_capacity",
          "tokens",
          "value",
          m[1],
          line,
          t
        )
      );
    } else if (/^Warmup \.\.\./.test(t)) warmup = true;
    else if (/^Benchmark \.\.\./.test(t)) warmup = false;
    else if ((m = SKIPPING.exec(t))) {
      const skipped = {batch: Number(m[1]), input: Number(m[2]), output: Number(m[3])};
      next++;
      results.push({
        ...value(shapeOf(skipped, "pp+tg", ++group), "latency", "s", "value", "0", line, t),
        value: null,
        status: "skipped",
        status_detail: t
      });
    } else if ((m = PREFILL.exec(t))) {
      group++;
      // Warmup runs the first batch size and input length; its output length changed across versions: not stated.
      combo = warmup
        ? {...first, output: null, warmup: true}
        : (sweep[next++] ?? {batch: null, input: null, output: null});
      const extra = warmup ? {phase: "warmup"} : undefined;
      const shape = shapeOf(combo, "pp", group);
      results.push(
        value(shape, "latency", "s", "value", m[1], line, t, extra),
        value(shape, "throughput", "tok/s", "value", m[2], line, t, extra)
      );
    } else if ((m = DECODE_MEDIAN.exec(t))) {
      const shape = shapeOf(combo, "tg", group);
      const extra = warmup ? {phase: "warmup"} : undefined;
      results.push(
        value(shape, "latency", "s", "median", m[1], line, t, extra),
        value(shape, "throughput", "tok/s", "median", m[2], line, t, extra)
      );
    } else if ((m = DECODE_STEP.exec(t))) {
      if (m[2] && combo.batch === null) combo = {...combo, batch: Number(m[2])};
      const shape = shapeOf(combo, "tg", group);
      const step =
        m[1] !== undefined
          ? Number(m[1])
          : results.filter(
              (r) =>
                r.kind === "tg" &&
                r.seq !== undefined &&
                r.metric === "latency" &&
                r.test === shape.test &&
                r.line < line
            ).length;
      const extra = warmup ? {phase: "warmup"} : undefined;
      results.push(
        value(shape, "latency", "s", "value", m[3], line, t, extra, step),
        value(shape, "throughput", "tok/s", "value", m[4], line, t, extra, step)
      );
    } else if ((m = TOTAL.exec(t))) {
      const shape = shapeOf(combo, "pp+tg", group);
      const extra = warmup ? {phase: "warmup"} : undefined;
      results.push(
        value(shape, "latency", "s", "value", m[1], line, t, extra),
        value(shape, "throughput", "tok/s", "value", m[2], line, t, extra)
      );
    }
  }
  const notes =
    sweep.length > 1 && next !== sweep.length
      ? [`the command sweeps ${sweep.length} combinations, the output holds ${next}`]
      : [];
  return [oneBatchRun("sglang-bench-one-batch-text", results, bench, doc, block, context, notes)];
}

export const sglangBenchOneBatchText: Format = {
  id: "sglang-bench-one-batch-text",
  tool: "sglang-bench-one-batch",
  description:
    "SGLang `python -m sglang.bench_one_batch` printed lines (Prefill. / Decode. median / Total. latency and throughput)",
  scan: scanText,
  parse: parseText
};
