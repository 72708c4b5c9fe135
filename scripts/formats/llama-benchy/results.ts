/**
 * What llama-benchy's three outputs share: test names, the metric mapping (docs/importing.md) and the run they
 * make. Its ± is the **population** sd (np.std, llama_benchy/results.py); `peak` is the mean of per-run peaks.
 */
import type {ParsedCommand} from "../../context/command.js";
import {commandOptions} from "../../context/command.js";
import type {Result, Scalar, Settings} from "../../schema/schema.js";
import {emptyModel} from "../../schema/schema.js";
import {quantFromFile} from "../shared/model-name.js";
import type {Block, Context, Doc, ParsedRun} from "../types.js";
import {serverBehind} from "../serving/server.js";

export interface MetricSpec {
  metric: string;
  unit: string;
  stat: string;
}

const THROUGHPUT: MetricSpec = {metric: "throughput", unit: "tok/s", stat: "mean"};
const THROUGHPUT_REQ: MetricSpec = {metric: "throughput_per_request", unit: "tok/s", stat: "mean"};
const PEAK: MetricSpec = {metric: "throughput", unit: "tok/s", stat: "peak"};
const PEAK_REQ: MetricSpec = {metric: "throughput_per_request", unit: "tok/s", stat: "peak"};
const TTFR: MetricSpec = {metric: "ttfr", unit: "ms", stat: "mean"};
const EST_PPT: MetricSpec = {metric: "est_ppt", unit: "ms", stat: "mean"};
const E2E_TTFT: MetricSpec = {metric: "e2e_ttft", unit: "ms", stat: "mean"};

/** Markdown column (lowercased) → metric. */
export const MD_COLUMNS: Record<string, MetricSpec> = {
  "t/s": THROUGHPUT,
  "t/s (total)": THROUGHPUT,
  "t/s (req)": THROUGHPUT_REQ,
  "peak t/s": PEAK,
  "peak t/s (total)": PEAK,
  "peak t/s (req)": PEAK_REQ,
  "ttfr (ms)": TTFR,
  "est_ppt (ms)": EST_PPT,
  "e2e_ttft (ms)": E2E_TTFT
};

/** CSV column stem (`t_s` of `t_s_mean`/`t_s_std`) → metric. */
export const CSV_STEMS: Record<string, MetricSpec> = {
  t_s: THROUGHPUT,
  t_s_req: THROUGHPUT_REQ,
  peak_ts: PEAK,
  peak_ts_req: PEAK_REQ,
  ttfr: TTFR,
  est_ppt: EST_PPT,
  e2e_ttft: E2E_TTFT
};

/** JSON benchmark metric → the row (pp or tg) it is printed on, and its metric. */
export const JSON_METRICS: Record<string, {row: "pp" | "tg"; spec: MetricSpec}> = {
  pp_throughput: {row: "pp", spec: THROUGHPUT},
  pp_req_throughput: {row: "pp", spec: THROUGHPUT_REQ},
  tg_throughput: {row: "tg", spec: THROUGHPUT},
  tg_req_throughput: {row: "tg", spec: THROUGHPUT_REQ},
  peak_throughput: {row: "tg", spec: PEAK},
  peak_req_throughput: {row: "tg", spec: PEAK_REQ},
  ttfr: {row: "pp", spec: TTFR},
  est_ppt: {row: "pp", spec: EST_PPT},
  e2e_ttft: {row: "pp", spec: E2E_TTFT}
};

export interface TestShape {
  test: string;
  /** pp | tg | ctx_pp | ctx_tg (the context-loading phase of --enable-prefix-caching). */
  kind: string;
  n_prompt: number | null;
  n_gen: number | null;
  n_depth: number;
  concurrency: number | null;
}

const TEST_NAME = /^(ctx_)?(pp|tg)(\d+)?(?:\s*@\s*d(\d+))?(?:\s*\(c(\d+)\))?$/;

/** `pp2048 @ d8192 (c4)`, `tg32`, `ctx_pp @ d4096 (c1)`. null when the name is not one of llama-benchy's. */
export function parseTestName(test: string): TestShape | null {
  const m = TEST_NAME.exec(test.trim());
  if (!m || (!m[1] && m[3] === undefined)) return null;
  const [, ctx, phase, size, depth, c] = m;
  return {
    test: test.trim(),
    kind: `${ctx ? "ctx_" : ""}${phase}`,
    n_prompt: phase === "pp" && size ? Number(size) : null,
    n_gen: phase === "tg" && size ? Number(size) : null,
    n_depth: depth ? Number(depth) : 0,
    concurrency: c ? Number(c) : null
  };
}

/** The test name llama-benchy itself prints for a JSON benchmark (`_generate_rows`). */
export function testNameOf(
  row: "pp" | "tg",
  b: {
    prompt_size: number;
    response_size: number;
    context_size: number;
    concurrency: number;
    is_context_prefill_phase: boolean;
  },
  maxConcurrency: number
): string {
  const c = maxConcurrency > 1 ? ` (c${b.concurrency})` : "";
  if (b.is_context_prefill_phase) return `ctx_${row} @ d${b.context_size}${c}`;
  const d = b.context_size > 0 ? ` @ d${b.context_size}` : "";
  return `${row}${row === "pp" ? b.prompt_size : b.response_size}${d}${c}`;
}

/** `330.87 ± 0.99` (or `+/-`) → value and population deviation as printed. */
const VALUE_PM = /^(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*(?:±|\+\/-|\+-)\s*(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)$/;
const VALUE = /^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/;

export function valueAndDeviation(cell: string): {value: number; stddev: number | null} | null {
  const t = cell.trim();
  const pm = VALUE_PM.exec(t);
  if (pm) return {value: Number(pm[1]), stddev: Number(pm[2])};
  if (VALUE.test(t)) return {value: Number(t), stddev: null};
  return null;
}

export interface MeasuredValue {
  value: number;
  stddev: number | null;
  /** The cell as printed; null for JSON, whose values are not cells. */
  text: string | null;
  line: number;
  samples?: number[] | null;
  extra?: Record<string, unknown>;
}

export function benchyResult(shape: TestShape, spec: MetricSpec, measured: MeasuredValue): Result {
  const {test, kind, n_prompt, n_gen, n_depth, concurrency} = shape;
  return {
    line: measured.line,
    text: measured.text,
    test,
    kind,
    n_prompt,
    n_gen,
    n_depth,
    concurrency,
    metric: spec.metric,
    unit: spec.unit,
    stat: spec.stat,
    value: measured.value,
    stddev: measured.stddev,
    stddev_kind: measured.stddev === null ? null : "population",
    repetitions: measured.samples?.length ?? null,
    ...(measured.samples ? {samples: measured.samples} : {}),
    status: "ok",
    ...(measured.extra && Object.keys(measured.extra).length ? {extra: measured.extra} : {})
  };
}

/** `v0.3.5` (uvx pin) and `0.3.5` (footer) name the same version. */
export function cleanVersion(version: string | null): string | null {
  return version ? version.replace(/^v(?=\d)/, "") : null;
}

export interface BenchyRunInput {
  format: string;
  line_start: number;
  line_end: number;
  results: Result[];
  /** The model as llama-benchy printed it (its `--model`, the served name). */
  model_name: string | null;
  tool_version: string | null;
  started_at?: string | null;
  settings?: Settings;
  extra?: Record<string, unknown>;
  notes?: string[];
}

/**
 * The latest `llama-benchy …` command before the block. Its own banner line
 * `llama-benchy (0.3.8.dev2+gff162bcfc)` reads like a command with no
 * options to the command parser; a real invocation has options.
 */
function benchyCommand(context: Context): ParsedCommand | null {
  return context.commands.filter((c) => c.program === "llama-benchy" && c.argv.length > 0).at(-1) ?? null;
}

/** One value of a command option, when it was given exactly one. */
function single(options: Map<string, string[]>, ...names: string[]): string | null {
  for (const name of names) {
    const values = options.get(name);
    if (values && values.length === 1 && values[0] !== "") return values[0];
  }
  return null;
}

export function benchyRun(input: BenchyRunInput, doc: Doc, block: Block, context: Context): ParsedRun {
  const notes = [...(input.notes ?? [])];
  const server = serverBehind(doc, block, context);
  notes.push(...server.notes);
  const command = benchyCommand(context);
  const options = command ? commandOptions(command.argv) : new Map<string, string[]>();
  const commandVersion = cleanVersion(command?.program_version ?? null);
  if (input.tool_version && commandVersion && input.tool_version !== commandVersion) {
    notes.push(
      `tool_version: the command pins ${commandVersion}, the output says ${input.tool_version}; the output is kept`
    );
  }
  // --runs N: N runs (batches) stand behind each per-run statistic; per-request ones also when one request runs at a time.
  const runs = single(options, "--runs");
  const concurrencyOption = single(options, "--concurrency");
  for (const result of input.results) {
    result.concurrency ??=
      concurrencyOption !== null && /^\d+$/.test(concurrencyOption) ? Number(concurrencyOption) : 1;
    if (result.repetitions === null && runs !== null && /^\d+$/.test(runs)) {
      // throughput (total) and its peak summarize one value per run; the others one per request.
      if (result.metric === "throughput" || result.concurrency === 1) result.repetitions = Number(runs);
    }
  }
  const model = {...emptyModel(), name: input.model_name, file: server.model_file};
  model.quant = quantFromFile(model.file);
  const settings: Settings = {...server.settings, ...input.settings};
  const extra: Record<string, unknown> = {...input.extra};
  if (server.command) extra.server_command = server.command.text;
  if (server.runtime_version) extra.runtime_version = server.runtime_version;
  const env = {...server.command?.env, ...command?.env};
  if (Object.keys(env).length) extra.env = env;
  const fromContext = (c: ParsedCommand | null) => (c && context.commands.includes(c) ? c.line_start : Infinity);
  return {
    tool: "llama-benchy",
    tool_version: input.tool_version ?? commandVersion,
    runtime: server.runtime,
    build_commit: server.build_commit,
    build_number: server.build_number,
    format: input.format,
    started_at: input.started_at ?? null,
    command: command?.text ?? null,
    hardware: context.hardware,
    model,
    settings,
    settings_from_command: Object.keys(server.settings),
    notes,
    extra,
    results: input.results,
    line_start: Math.min(input.line_start, fromContext(command), fromContext(server.command)),
    line_end: input.line_end
  };
}

/** Unknown columns' cells, kept on the result under their printed names. */
export function extraCells(entries: [string, Scalar][]): Record<string, unknown> | undefined {
  const kept = entries.filter(([, v]) => v !== "" && v !== null);
  return kept.length ? Object.fromEntries(kept) : undefined;
}
