/** What sglang.bench_one_batch's printed lines and its JSON Lines share: the sweep's combinations, result shapes, the run. */
import type {Result, Settings} from "../../schema/schema.js";
import {emptyModel} from "../../schema/schema.js";
import {optionList, optionsRecord, type BenchCommand} from "../serving/bench-command.js";
import {quantFromFile} from "../shared/model-name.js";
import {scalarFromText} from "../shared/scalar.js";
import type {Block, Context, Doc, ParsedRun} from "../types.js";
import {ParseError} from "../types.js";

/** Options of the benchmark itself; every other option of the command is a server argument (a setting). */
const BENCH_OPTIONS = new Set([
  "batch-size",
  "batch",
  "input-len",
  "input",
  "output-len",
  "output",
  "run-name",
  "result-filename",
  "log-decode-step",
  "prompt-filename",
  "correctness-test",
  "cut-len",
  "profile",
  "model-path",
  "model"
]);

export interface Combo {
  batch: number | null;
  input: number | null;
  output: number | null;
  warmup?: boolean;
}

/** The sweep's combinations in the order bench_one_batch runs them (itertools.product). */
export function combos(bench: BenchCommand | null): Combo[] {
  const ints = (...names: string[]) =>
    optionList(bench, ...names)
      .filter((v) => /^\d+$/.test(v))
      .map(Number);
  const bs = ints("--batch-size", "--batch");
  const il = ints("--input-len", "--input");
  const ol = ints("--output-len", "--output");
  const out: Combo[] = [];
  for (const b of bs.length ? bs : [null])
    for (const i of il.length ? il : [null])
      for (const o of ol.length ? ol : [null]) out.push({batch: b, input: i, output: o});
  return out;
}

export function shapeOf(combo: Combo, kind: string, group: number) {
  const known = combo.batch !== null || combo.input !== null || combo.output !== null;
  return {
    test:
      (known ? `bs${combo.batch ?? "?"} in${combo.input ?? "?"} out${combo.output ?? "?"}` : `group ${group}`) +
      (combo.warmup ? " warmup" : ""),
    kind,
    n_prompt: kind === "tg" ? null : combo.input,
    n_gen: kind === "pp" ? null : combo.output,
    n_depth: null,
    concurrency: combo.batch
  };
}

export function value(
  shape: ReturnType<typeof shapeOf>,
  metric: string,
  unit: string,
  stat: string,
  text: string,
  line: number,
  printed: string,
  extra?: Record<string, unknown>,
  seq?: number
): Result {
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

export function oneBatchRun(
  format: string,
  results: Result[],
  bench: BenchCommand | null,
  doc: Doc,
  block: Block,
  context: Context,
  notes: string[]
): ParsedRun {
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
