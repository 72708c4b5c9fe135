/**
 * llama-batched-bench rows, shared by its table and JSONL: for each PP × TG × B one measurement (stat value)
 * of pp, tg (after pp) and pp+tg, as throughput and duration; B is the concurrency. docs/importing.md maps each column.
 */
import type {ParsedCommand} from "../../context/command.js";
import {commandOptions} from "../../context/command.js";
import type {Model, Result, Scalar, Settings} from "../../schema/schema.js";
import {emptyModel} from "../../schema/schema.js";
import type {RowWithFacts} from "../shared/hoist.js";
import {hoist} from "../shared/hoist.js";
import {quantFromFile} from "../shared/model-name.js";
import type {Context, ParsedRun} from "../types.js";

export type Phase = "pp" | "tg" | "pp+tg";

/** One printed value of one configuration row. */
export interface PhaseValue {
  phase: Phase;
  metric: "throughput" | "duration";
  value: number;
  /** The cell or `"key": value` fragment as printed. */
  text: string | null;
  /** Column or key it came from (`S_PP t/s`, `speed_pp`). */
  field: string;
}

export interface ConfigRow {
  line: number;
  pp: number;
  tg: number;
  b: number;
  values: PhaseValue[];
  /** Other printed fields of the row (`n_kv`, unknown columns), as printed. */
  extra: Record<string, Scalar>;
  /** Settings printed on the row itself (JSONL repeats them on every record). */
  settings: Settings;
}

/** The shape of one phase, in llama-bench's terms: generation runs after PP tokens of context. */
function phaseShape(
  phase: Phase,
  pp: number,
  tg: number,
  b: number
): Pick<Result, "test" | "kind" | "n_prompt" | "n_gen" | "n_depth" | "concurrency"> {
  switch (phase) {
    case "pp":
      return {test: `pp${pp} B${b}`, kind: "pp", n_prompt: pp, n_gen: 0, n_depth: 0, concurrency: b};
    case "tg":
      return {test: `tg${tg} @ d${pp} B${b}`, kind: "tg", n_prompt: 0, n_gen: tg, n_depth: pp, concurrency: b};
    case "pp+tg":
      return {test: `pp${pp}+tg${tg} B${b}`, kind: "pp+tg", n_prompt: pp, n_gen: tg, n_depth: 0, concurrency: b};
  }
}

/** Common-argument options the settings line does not print (KV types, splits, offload). */
const COMMAND_SETTINGS: Record<string, string> = {
  "-ctk": "type_k",
  "--cache-type-k": "type_k",
  "-ctv": "type_v",
  "--cache-type-v": "type_v",
  "-sm": "split_mode",
  "--split-mode": "split_mode",
  "-ts": "tensor_split",
  "--tensor-split": "tensor_split",
  "-mg": "main_gpu",
  "--main-gpu": "main_gpu",
  "-ot": "tensor_buft_overrides",
  "--override-tensor": "tensor_buft_overrides",
  "-ncmoe": "n_cpu_moe",
  "--n-cpu-moe": "n_cpu_moe",
  "-dev": "devices",
  "--device": "devices",
  "-nkvo": "no_kv_offload",
  "--no-kv-offload": "no_kv_offload",
  "--no-mmap": "no_mmap",
  "--mlock": "mlock"
};
const FLAGS = new Set(["-nkvo", "--no-kv-offload", "--no-mmap", "--mlock", "-pps", "--no-warmup", "-v", "--verbose"]);
const NUMBER = /^-?\d+(?:\.\d+)?$/;

function batchedBenchCommand(context: Context): ParsedCommand | null {
  return context.commands.filter((c) => c.program === "llama-batched-bench").at(-1) ?? null;
}

export interface BatchedBenchInput {
  format: string;
  line_start: number;
  line_end: number;
  /** Settings from the settings line (md) — JSONL carries them per record. */
  settings: Settings;
  rows: ConfigRow[];
  notes?: string[];
}

export function batchedBenchRun(input: BatchedBenchInput, context: Context): ParsedRun {
  const command = batchedBenchCommand(context);
  const options = command ? commandOptions(command.argv, FLAGS) : new Map<string, string[]>();
  const notes = [...(input.notes ?? [])];
  const fromCommand: Settings = {};
  for (const [option, values] of options) {
    const key = COMMAND_SETTINGS[option];
    if (!key) continue;
    const value = values.at(-1) ?? "";
    fromCommand[key] = FLAGS.has(option) ? true : NUMBER.test(value) ? Number(value) : value;
  }
  const file = [...(options.get("-m") ?? []), ...(options.get("--model") ?? [])].at(-1) ?? null;
  const model: Model = {...emptyModel(), file, quant: quantFromFile(file)};
  const settingsFromCommand = Object.keys(fromCommand).filter((k) => !(k in input.settings));
  const rows: RowWithFacts[] = input.rows.flatMap((row) => {
    const settings = {...fromCommand, ...input.settings, ...row.settings};
    return row.values.map((v) => ({
      result: {
        line: row.line,
        text: v.text,
        ...phaseShape(v.phase, row.pp, row.tg, row.b),
        metric: v.metric,
        unit: v.metric === "throughput" ? "tok/s" : "s",
        stat: "value",
        value: v.value,
        stddev: null,
        stddev_kind: null,
        repetitions: null,
        status: "ok" as const,
        extra: {field: v.field, ...row.extra}
      },
      model: {...model},
      settings
    }));
  });
  const hoisted = hoist(rows);
  return {
    tool: "llama-batched-bench",
    tool_version: null,
    runtime: "llama.cpp",
    build_commit: null,
    build_number: null,
    format: input.format,
    started_at: null,
    command: command?.text ?? null,
    hardware: context.hardware,
    model: hoisted.model,
    settings: hoisted.settings,
    settings_from_command: settingsFromCommand,
    notes,
    extra: command && Object.keys(command.env).length ? {env: command.env} : {},
    results: hoisted.results,
    line_start: Math.min(input.line_start, command?.line_start ?? Infinity),
    line_end: input.line_end
  };
}
