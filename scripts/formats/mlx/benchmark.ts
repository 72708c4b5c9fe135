/**
 * `mlx_lm.benchmark` (`Trial 1:  prompt_tps=361.322, generation_tps=39.657, peak_memory=3.502`, then
 * `Averages: …`, a plain mean with no deviation). peak_memory is GB of 10^9 bytes; unknown keys are kept.
 */
import type {ParsedCommand} from "../../context/command.js";
import {commandOptions, versionFromComments} from "../../context/command.js";
import {parseHardwareHeading} from "../../context/devices.js";
import type {Hardware, Result, Scalar, Settings} from "../../schema/schema.js";
import {emptyHardware, emptyModel} from "../../schema/schema.js";
import {quantFromFile} from "../shared/model-name.js";
import type {Block, Context, Doc, Format, ParsedRun} from "../types.js";
import {ParseError} from "../types.js";

const WARMUP = /^\s*Running warmup\.*\s*$/i;
const TIMING = /^\s*Timing with\s+(.*?)\s*$/i;
const TRIAL = /^\s*Trial\s+(\d+)\s*:\s*(.*?)\s*$/i;
const AVERAGES = /^\s*Averages\s*:\s*(.*?)\s*$/i;
/**
 * A label a person put before a result line when pasting two runs side by
 * side (`Pre: prompt_tps=…`, `Post: Averages: prompt_tps=…`, `H100: …`).
 */
const LABEL = /^\s*([A-Za-z][\w.+-]*(?: [\w.+-]+)?)\s*:\s*(?=(?:Trial\s+\d+\s*:|Averages\s*:|[A-Za-z_]\w*\s*=))/;
/** A line of key=value results with no Trial or Averages word: what a person's label replaced. */
const BARE_PAIRS = /^\s*[a-z_]+_tps\s*=/i;
/**
 * `key=value` pairs; a value is a number as printed (or, for unknown keys,
 * any word). The Timing line ends in a period; a pasted block may end in a
 * glued code fence (`peak_memory=2.825\`\`\``).
 */
const PAIR = /([A-Za-z_][\w.]*)\s*=\s*([^,\s`]+?)(?=\.?\s*(?:,|`{3}|$))/g;
const NUMBER = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** What each key printed by a trial measures. */
const KNOWN: Record<string, {metric: string; unit: string; kind: "pp" | "tg" | "pp+tg"; trialStat: string}> = {
  prompt_tps: {metric: "throughput", unit: "tok/s", kind: "pp", trialStat: "value"},
  generation_tps: {metric: "throughput", unit: "tok/s", kind: "tg", trialStat: "value"},
  // Each trial's peak_memory is the peak of that trial; Averages is the mean of those peaks.
  peak_memory: {metric: "peak_memory", unit: "GB", kind: "pp+tg", trialStat: "peak"},
  // mlx-lm ≥ 0.31.2 (#1072): wall time of the whole trial, time.perf_counter() seconds; no average is printed.
  total_time: {metric: "duration", unit: "s", kind: "pp+tg", trialStat: "value"}
};

/** Command-line options → setting names (mlx_lm/benchmark.py's argparse dests). */
const OPTIONS: Record<string, string> = {
  "-p": "prompt_tokens",
  "--prompt-tokens": "prompt_tokens",
  "-g": "generation_tokens",
  "--generation-tokens": "generation_tokens",
  "-b": "batch_size",
  "--batch-size": "batch_size",
  "-n": "num_trials",
  "--num-trials": "num_trials",
  "--prefill-step-size": "prefill_step_size",
  "--delay": "delay",
  "--pipeline": "pipeline",
  "-qa": "quantize_activations",
  "--quantize-activations": "quantize_activations",
  "--trust-remote-code": "trust_remote_code"
};
const FLAGS = new Set(["--pipeline", "-qa", "--quantize-activations", "--trust-remote-code"]);

interface Pair {
  key: string;
  value: string;
  /** `key=value` as printed. */
  text: string;
}

/** The line without a person's label (`Pre: `), and the label. */
function unlabel(text: string): {label: string | null; rest: string} {
  const m = LABEL.exec(text);
  if (!m || /^(Trial\s+\d+|Averages|Timing with.*)$/i.test(m[1])) return {label: null, rest: text};
  return {label: m[1], rest: text.slice(m[0].length)};
}

/** A result line the scanner starts a block at: a trial, or an Averages or labelled line standing alone. */
function resultLine(text: string): "trial" | "summary" | null {
  const {label, rest} = unlabel(text);
  if (!/_tps\s*=/.test(rest)) return null;
  if (TRIAL.test(rest)) return "trial";
  if (AVERAGES.test(rest) || (label !== null && BARE_PAIRS.test(rest))) return "summary";
  return null;
}

function pairs(text: string): Pair[] {
  return [...text.matchAll(PAIR)].map((m) => ({key: m[1], value: m[2], text: m[0]}));
}

/** Split a line whose breaks a website removed (`… Trial 1: … Trial 2: … Averages: …`). */
function unflatten(line: string): string[] | null {
  if (!/Trial\s+\d+\s*:.*prompt_tps\s*=.*(?:Trial\s+\d+\s*:|Averages\s*:)/i.test(line)) return null;
  const pieces = line
    .split(/\s+(?=Timing with\s|Trial\s+\d+\s*:|Averages\s*:)|(?<=Running warmup\.\.)\s+/i)
    .map((p) => p.trim());
  return pieces.filter(Boolean);
}

/** The nearest non-blank logical line before or after i (Markdown pastes put blank lines between output lines), or -1. */
function neighbour(doc: Doc, i: number, step: 1 | -1): number {
  for (let j = i + step; j >= 0 && j < doc.lines.length; j += step) if (doc.lines[j].text.trim() !== "") return j;
  return -1;
}

function scan(doc: Doc): Block[] {
  const blocks: Block[] = [];
  const is = (re: RegExp, j: number) => j >= 0 && re.test(unlabel(doc.lines[j].text).rest);
  for (let i = 0; i < doc.lines.length; i++) {
    const kind = resultLine(doc.lines[i].text);
    if (kind === null) continue;
    let start = i;
    if (is(TIMING, neighbour(doc, start, -1))) start = neighbour(doc, start, -1);
    if (is(WARMUP, neighbour(doc, start, -1))) start = neighbour(doc, start, -1);
    if (kind === "summary") {
      // Averages (or labelled lines: `Pre:` / `Post:`) without trials: many posts keep only those lines.
      // Lines of one comparison, with short headings between them (`H100`), are one block under one command.
      const above = neighbour(doc, start, -1);
      if (start === i && above >= 0 && sideHeading(doc.lines[above].text) !== null) start = above;
      let end = i;
      for (let j = neighbour(doc, end, 1); j >= 0; j = neighbour(doc, j, 1)) {
        if (resultLine(doc.lines[j].text) === "summary") end = j;
        else if (!(
          sideHeading(doc.lines[j].text) !== null &&
          resultLine(doc.lines[neighbour(doc, j, 1)]?.text ?? "") === "summary"
        ))
          break;
      }
      blocks.push({
        format: "mlx-lm-benchmark",
        start,
        end,
        confidence: 0.9,
        reason: `mlx_lm.benchmark "${unlabel(doc.lines[i].text).label ?? "Averages"}: prompt_tps=…, generation_tps=…" lines without trials`
      });
      i = end;
      continue;
    }
    let end = i;
    while (is(TRIAL, neighbour(doc, end, 1))) end = neighbour(doc, end, 1);
    const averages = is(AVERAGES, neighbour(doc, end, 1));
    if (averages) end = neighbour(doc, end, 1);
    blocks.push({
      format: "mlx-lm-benchmark",
      start,
      end,
      confidence: averages ? 1 : 0.9,
      reason: `mlx_lm.benchmark "Trial N: prompt_tps=…, generation_tps=…" lines${averages ? " and an Averages line" : " (no Averages line: the output ends early)"}`
    });
    i = end;
  }
  return blocks;
}

/** A short line between labelled result lines naming the machine they ran on (`H100`, `B200`, `M2 Ultra:`). */
function sideHeading(text: string): string | null {
  const t = text.trim();
  if (t === "" || t.length > 30 || t.includes("=")) return null;
  // Data-center GPUs that MLX's CUDA backend runs on are often named bare (`H100`, `B200`).
  return (
    parseHardwareHeading(/[:：]$/.test(t) ? t : `${t}:`) ??
    /^(?:NVIDIA\s+)?[ABH]\d{3}(?:\s+\w+)?(?=[:：]?$)/.exec(t)?.[0] ??
    null
  );
}

interface LocatedPairs {
  line: number;
  pairs: Pair[];
}

function numberOf(pair: Pair, line: number): number {
  if (!NUMBER.test(pair.value)) throw new ParseError(line, `a number for ${pair.key}`, pair.text);
  return Number(pair.value);
}

function parse(doc: Doc, block: Block, context: Context): ParsedRun[] {
  const summaries: number[] = [];
  for (let i = block.start; i <= block.end; i++) if (resultLine(doc.lines[i].text) === "summary") summaries.push(i);
  if (summaries.length <= 1) return [parseRun(doc, block, context)];
  // One run per summary line: each is a run of its own (Pre and Post are two builds), under the same command.
  let hardware = context.hardware;
  return summaries.map((i, n) => {
    for (let j = n === 0 ? block.start : summaries[n - 1] + 1; j < i; j++) {
      const stated = sideHeading(doc.lines[j].text);
      if (stated !== null) hardware = {...emptyHardware(), stated};
    }
    const run = parseRun(doc, {...block, start: i, end: i}, {...context, hardware});
    return n === 0 ? {...run, line_start: Math.min(run.line_start, doc.lines[block.start].line)} : run;
  });
}

function parseRun(doc: Doc, block: Block, context: Context): ParsedRun {
  let timing: LocatedPairs | null = null;
  let averages: LocatedPairs | null = null;
  /** `Pre: prompt_tps=…`: whether the label replaced "Averages" or "Trial N" is not said, so its values are kept as single values. */
  let labelled: LocatedPairs | null = null;
  const trials: (LocatedPairs & {index: number})[] = [];
  let label: string | null = null;
  for (let i = block.start; i <= block.end; i++) {
    const {line} = doc.lines[i];
    const unlabelled = unlabel(doc.lines[i].text);
    const text = unlabelled.rest;
    label ??= unlabelled.label;
    const trial = TRIAL.exec(text);
    const timingLine = TIMING.exec(text);
    const averagesLine = AVERAGES.exec(text);
    if (trial) {
      const found = pairs(trial[2]);
      if (found.length === 0)
        throw new ParseError(
          line,
          `"Trial ${trial[1]}:" followed by key=value pairs (prompt_tps=…, generation_tps=…)`,
          text
        );
      trials.push({index: Number(trial[1]), line, pairs: found});
    } else if (timingLine) timing = {line, pairs: pairs(timingLine[1])};
    else if (averagesLine) {
      averages = {line, pairs: pairs(averagesLine[1])};
      if (averages.pairs.length === 0) throw new ParseError(line, "Averages followed by key=value pairs", text);
    } else if (unlabelled.label !== null && BARE_PAIRS.test(text)) labelled = {line, pairs: pairs(text)};
  }
  const command = mlxCommand(context);
  const options = command ? commandOptions(command.argv, FLAGS) : new Map<string, string[]>();
  const option = (...names: string[]) =>
    names.map((n) => options.get(n)?.at(-1)).find((v) => v !== undefined && v !== "") ?? null;

  // Settings: the Timing line is the tool's own statement; the command fills what it omits.
  const settings: Settings = {};
  const settingsFromCommand: string[] = [];
  const notes: string[] = [];
  for (const pair of timing?.pairs ?? [])
    settings[pair.key] = NUMBER.test(pair.value) ? Number(pair.value) : pair.value;
  const fromCommand = new Map<string, Scalar>();
  for (const [name, values] of options) {
    const key = OPTIONS[name];
    if (!key) continue;
    const value = values.at(-1) ?? "";
    fromCommand.set(key, FLAGS.has(name) ? true : NUMBER.test(value) ? Number(value) : value);
  }
  for (const [key, scalar] of fromCommand) {
    if (!(key in settings)) {
      settings[key] = scalar;
      settingsFromCommand.push(key);
    } else if (String(settings[key]) !== String(scalar)) {
      notes.push(
        `${key}: the command says ${JSON.stringify(scalar)}, the output says ${JSON.stringify(settings[key])}; the output is kept`
      );
    }
  }
  if (typeof settings.num_trials === "number" && averages && settings.num_trials !== trials.length) {
    notes.push(`the command asks for ${settings.num_trials} trials but ${trials.length} Trial lines were printed`);
  }
  if (labelled)
    notes.push(
      `the line is labelled "${label}:" in place of "Averages:" or "Trial N:": its values are kept as printed, as single values`
    );
  else if (!averages) notes.push("no Averages line (the output ends early): each trial is kept as its own value");
  else if (trials.length === 0) notes.push("only the Averages line was pasted: the trials behind it are not known");
  if (label !== null) notes.push(`labelled "${label}:" by the person who pasted it`);
  notes.push("peak_memory is printed by mlx_lm.benchmark in GB of 10^9 bytes (mx.get_peak_memory() / 1e9)");

  const n_prompt = typeof settings.prompt_tokens === "number" ? settings.prompt_tokens : null;
  const n_gen = typeof settings.generation_tokens === "number" ? settings.generation_tokens : null;
  const concurrency = typeof settings.batch_size === "number" ? settings.batch_size : null;
  /**
   * A trial processes the prompt, then generates in that context: in
   * llama-bench's terms prompt_tps is `pp1024` and generation_tps is
   * `tg64 @ d1024`; whole-trial figures are `pp1024+tg64`.
   */
  const shapeOf = (kind: "pp" | "tg" | "pp+tg", key: string) => {
    if (n_prompt === null || n_gen === null) return {test: key, n_prompt, n_gen, n_depth: null, concurrency};
    if (kind === "pp") return {test: `pp${n_prompt}`, n_prompt, n_gen: 0, n_depth: 0, concurrency};
    if (kind === "tg") return {test: `tg${n_gen} @ d${n_prompt}`, n_prompt: 0, n_gen, n_depth: n_prompt, concurrency};
    return {test: `pp${n_prompt}+tg${n_gen}`, n_prompt, n_gen, n_depth: 0, concurrency};
  };

  const keys = [
    ...new Set([
      ...trials.flatMap((t) => t.pairs.map((p) => p.key)),
      ...(averages?.pairs.map((p) => p.key) ?? []),
      ...(labelled?.pairs.map((p) => p.key) ?? [])
    ])
  ];
  const results: Result[] = [];
  for (const key of keys) {
    const known = KNOWN[key] ?? {metric: key, unit: "", kind: "pp+tg" as const, trialStat: "value"};
    const base = {
      kind: known.kind,
      ...shapeOf(known.kind, key),
      metric: known.metric,
      unit: known.unit,
      stddev: null,
      stddev_kind: null,
      status: "ok" as const
    };
    const perTrial = trials.flatMap((t) =>
      t.pairs.filter((p) => p.key === key).map((p) => ({trial: t, pair: p, value: numberOf(p, t.line)}))
    );
    const average = averages?.pairs.find((p) => p.key === key);
    const single = labelled?.pairs.find((p) => p.key === key);
    if (single && labelled) {
      results.push({
        line: labelled.line,
        text: single.text,
        ...base,
        stat: "value",
        value: numberOf(single, labelled.line),
        repetitions: null,
        extra: {field: key, label}
      });
    } else if (average && averages) {
      const complete = trials.length > 0 && perTrial.length === trials.length;
      results.push({
        line: averages.line,
        text: average.text,
        ...base,
        stat: "mean",
        value: numberOf(average, averages.line),
        repetitions: complete ? trials.length : null,
        samples: complete ? perTrial.map((t) => t.value) : null,
        extra: {
          field: key,
          ...(complete && perTrial.length ? {sample_lines: perTrial.map((t) => t.trial.line)} : {}),
          ...(label !== null ? {label} : {})
        }
      });
    } else {
      // No printed mean for this key: each trial's value is a result of its own.
      for (const {trial, pair, value} of perTrial) {
        results.push({
          line: trial.line,
          text: pair.text,
          ...base,
          stat: known.trialStat,
          value,
          repetitions: null,
          extra: {field: key, trial: trial.index}
        });
      }
    }
  }

  const file = option("--model", "-m");
  const comments = [...(command?.comments ?? []), ...context.comments];
  return {
    tool: "mlx_lm.benchmark",
    tool_version: versionFromComments(comments, ["mlx-lm", "mlx_lm"]),
    runtime: "mlx",
    build_commit: null,
    build_number: null,
    format: "mlx-lm-benchmark",
    started_at: null,
    command: command?.text ?? null,
    hardware: hardwareFor(context.hardware),
    model: {...emptyModel(), file, quant: quantFromFile(file)},
    settings,
    settings_from_command: settingsFromCommand,
    notes,
    extra: {
      ...(command && Object.keys(command.env).length ? {env: command.env} : {}),
      ...(label !== null ? {label} : {})
    },
    results,
    line_start: Math.min(doc.lines[block.start].line, command?.line_start ?? Infinity),
    line_end: doc.lines[block.end].line
  };
}

/** The `mlx_lm.benchmark …` (or `mlx_lm benchmark …`) command before the output, if any. */
function mlxCommand(context: Context): ParsedCommand | null {
  return (
    context.commands
      .filter((c) => c.program === "mlx_lm.benchmark" || (c.program === "mlx_lm" && c.argv[0] === "benchmark"))
      .at(-1) ?? null
  );
}

/** MLX runs on Apple GPUs (Metal) or, lately, CUDA: CUDA/Vulkan device lines of another tool's run do not describe it. */
function hardwareFor(hardware: Hardware): Hardware {
  if (hardware.backend === null || hardware.backend === "Metal") return hardware;
  return {...emptyHardware(), stated: hardware.stated};
}

export const mlxLmBenchmark: Format = {
  id: "mlx-lm-benchmark",
  tool: "mlx_lm.benchmark",
  description: "mlx_lm.benchmark output (Trial N: prompt_tps=…, generation_tps=…, peak_memory=… and Averages)",
  unflatten,
  scan,
  parse
};
