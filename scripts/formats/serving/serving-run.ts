/**
 * A serving benchmark's run (vLLM `bench serve`, SGLang `bench_serving`):
 * the block's results plus what the commands before it say — the client
 * command (model, lengths, concurrency) and the server behind the endpoint
 * (runtime, its version and options, the model file).
 */
import type {Result, Scalar, Settings} from "../../schema/schema.js";
import {emptyModel} from "../../schema/schema.js";
import {serverBehind} from "./server.js";
import {quantFromFile} from "../shared/model-name.js";
import type {Block, Context, Doc, ParsedRun} from "../types.js";
import type {BenchCommand} from "./bench-command.js";
import {integer, option, optionList, optionsRecord} from "./bench-command.js";

export interface ServeShape {
  test: string;
  kind: string;
  n_prompt: number | null;
  n_gen: number | null;
  n_depth: number | null;
  concurrency: number | null;
  /**
   * A run without a concurrency limit (no `--max-concurrency`): requests were
   * sent at the request rate, however many were in flight. Kept in each
   * result's `extra` as `concurrency: "unbounded"` and `request_rate`.
   */
  unbounded?: {request_rate: Scalar};
}

/** What the output itself says about the concurrency limit and request rate, when it says so. */
export interface PrintedLimit {
  /** `Maximum request concurrency: None`, `"max_concurrency": null`. */
  none: boolean;
  /** `Traffic request rate: 10.0`, `"request_rate": 10.0` (`inf`/`Infinity` as printed). */
  request_rate: Scalar;
}

/**
 * What every result of a serving run shares. Nothing names the test in the
 * output, so it is composed from the command: `<dataset> in<input len> out<output len> c<max concurrency>`
 * (`random in2048 out256 c8`), as far as known; `serve` when nothing is. A
 * run the output or the command shows without a limit is `unbounded`, with
 * its request rate (`random in1000 out500 unbounded 10 req/s`).
 */
export function serveShape(
  bench: BenchCommand | null,
  concurrency: number | null,
  lengths: {input: string[]; output: string[]},
  printed?: PrintedLimit
): ServeShape {
  const limit = concurrency ?? integer(option(bench, "--max-concurrency"));
  const unbounded =
    limit === null &&
    (printed?.none === true || (bench !== null && optionList(bench, "--max-concurrency").length === 0));
  return composeShape({
    dataset: option(bench, "--dataset-name"),
    n_prompt: integer(option(bench, ...lengths.input)),
    n_gen: integer(option(bench, ...lengths.output)),
    concurrency: limit,
    unbounded: unbounded
      ? {request_rate: printed?.request_rate ?? scalarOrNull(option(bench, "--request-rate"))}
      : undefined
  });
}

const scalarOrNull = (text: string | null): Scalar =>
  text === null ? null : /^\d+(?:\.\d+)?$/.test(text) ? Number(text) : text;

export function composeShape(s: {
  dataset: string | null;
  n_prompt: number | null;
  n_gen: number | null;
  concurrency: number | null;
  unbounded?: {request_rate: Scalar};
}): ServeShape {
  const rate = s.unbounded && s.unbounded.request_rate !== null ? ` ${s.unbounded.request_rate} req/s` : "";
  const limit = s.concurrency !== null ? `c${s.concurrency}` : s.unbounded ? `unbounded${rate}` : "";
  const parts = [
    s.dataset ?? "serve",
    s.n_prompt !== null ? `in${s.n_prompt}` : "",
    s.n_gen !== null ? `out${s.n_gen}` : "",
    limit
  ].filter(Boolean);
  return {
    test: parts.join(" "),
    kind: "serve",
    n_prompt: s.n_prompt,
    n_gen: s.n_gen,
    n_depth: null,
    concurrency: s.concurrency,
    ...(s.concurrency === null && s.unbounded ? {unbounded: s.unbounded} : {})
  };
}

export interface ServeValue {
  metric: string;
  unit: string;
  stat: string;
  value: number;
  line: number;
  text?: string | null;
  scope?: Result["scope"];
  request?: number | null;
  seq?: number | null;
  extra?: Record<string, unknown>;
}

export function serveResult({unbounded, ...shape}: ServeShape, v: ServeValue): Result {
  const extra = {...(unbounded ? {concurrency: "unbounded", request_rate: unbounded.request_rate} : {}), ...v.extra};
  return {
    line: v.line,
    ...(v.text !== undefined ? {text: v.text} : {}),
    ...shape,
    ...(v.scope && v.scope !== "run" ? {scope: v.scope} : {}),
    ...(v.request !== undefined && v.request !== null ? {request: v.request} : {}),
    ...(v.seq !== undefined && v.seq !== null ? {seq: v.seq} : {}),
    metric: v.metric,
    unit: v.unit,
    stat: v.stat,
    value: v.value,
    stddev: null,
    stddev_kind: null,
    repetitions: null,
    status: "ok",
    ...(Object.keys(extra).length ? {extra} : {})
  };
}

export interface ServingRunInput {
  tool: string;
  format: string;
  line_start: number;
  line_end: number;
  results: Result[];
  /** The model as the client named it (`--model`, `model_id`). */
  model_name: string | null;
  bench: BenchCommand | null;
  tool_version?: string | null;
  started_at?: string | null;
  settings?: Settings;
  extra?: Record<string, unknown>;
  notes?: string[];
}

export function servingRun(input: ServingRunInput, doc: Doc, block: Block, context: Context): ParsedRun {
  const server = serverBehind(doc, block, context);
  const notes = [...(input.notes ?? []), ...server.notes];
  const model = {...emptyModel(), name: input.model_name ?? option(input.bench, "--model"), file: server.model_file};
  model.quant = quantFromFile(model.file) ?? quantFromFile(model.name);
  const extra: Record<string, unknown> = {};
  const clientOptions = optionsRecord(input.bench);
  if (Object.keys(clientOptions).length) extra.client_options = clientOptions;
  if (server.command) extra.server_command = server.command.text;
  if (server.runtime_version) extra.runtime_version = server.runtime_version;
  const env = {...server.command?.env, ...input.bench?.env};
  if (Object.keys(env).length) extra.env = env;
  Object.assign(extra, input.extra);
  const serverLine = server.command && context.commands.includes(server.command) ? server.command.line_start : Infinity;
  return {
    tool: input.tool,
    tool_version: input.tool_version ?? null,
    runtime: server.runtime,
    build_commit: server.build_commit,
    build_number: server.build_number,
    format: input.format,
    started_at: input.started_at ?? null,
    command: input.bench?.text ?? null,
    hardware: context.hardware,
    model,
    settings: {...server.settings, ...input.settings},
    settings_from_command: Object.keys(server.settings),
    notes,
    extra,
    results: input.results,
    line_start: Math.min(input.line_start, input.bench?.line_start ?? Infinity, serverLine),
    line_end: input.line_end
  };
}

/** A JSON value as a setting: scalars as they are, anything else as JSON text. */
export function asSetting(value: unknown): Scalar {
  return value === null || ["string", "number", "boolean"].includes(typeof value)
    ? (value as Scalar)
    : JSON.stringify(value);
}
