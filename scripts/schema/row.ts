/**
 * The flat result row: one measured value with the facts of its run joined
 * in. It is what `benchbook parse --json` prints (one JSON object per line)
 * and what the exported Parquet/CSV hold (one row each, objects as JSON text).
 * The column list below is the single definition of that row.
 */
import {machineLabel, type MachineAliases} from "./machine.js";
import {resultEfficiency, runEfficiency, type RunEfficiency} from "../efficiency/efficiency.js";
import type {Gpu, Model, Result, Run, Scalar, Settings} from "./schema.js";

/** Settings promoted to their own column, as text exactly as the tool printed them. */
const PROMOTED_SETTINGS = [
  "n_gpu_layers",
  "n_threads",
  "n_batch",
  "n_ubatch",
  "type_k",
  "type_v",
  "flash_attn",
  "split_mode",
  "tensor_split",
  "main_gpu",
  "devices",
  "n_cpu_moe",
  "tensor_buft_overrides",
  "use_mmap"
] as const;

type ColumnType = "VARCHAR" | "DOUBLE" | "BIGINT" | "INTEGER" | "DOUBLE[]";

/**
 * Where a column's value comes from: `run` columns depend only on the run
 * (and on the model/settings a result overrides), `result` columns on the
 * measured value itself. The export builds `run` columns once per run.
 */
type Level = "run" | "result";

const column = (name: string, type: ColumnType, level: Level) => ({name, type, level});

/** Name, DuckDB type and level of every column, in order. Object-valued columns are JSON text. */
export const COLUMNS = [
  column("run_id", "VARCHAR", "run"),
  column("tool", "VARCHAR", "run"),
  column("tool_version", "VARCHAR", "run"),
  column("runtime", "VARCHAR", "run"),
  column("format", "VARCHAR", "run"),
  column("origin", "VARCHAR", "run"),
  column("build_commit", "VARCHAR", "run"),
  column("build_number", "BIGINT", "run"),
  column("source_sha256", "VARCHAR", "run"),
  column("file", "VARCHAR", "run"),
  column("line", "INTEGER", "result"),
  column("run_line_start", "INTEGER", "run"),
  column("run_line_end", "INTEGER", "run"),
  column("imported_at", "VARCHAR", "run"),
  column("started_at", "VARCHAR", "run"),
  column("time", "VARCHAR", "result"),
  column("tags", "VARCHAR", "run"),
  column("command", "VARCHAR", "run"),
  column("hardware", "VARCHAR", "run"),
  column("hardware_described_as", "VARCHAR", "run"),
  column("gpu_name", "VARCHAR", "run"),
  column("gpu_count", "INTEGER", "run"),
  column("vram_total_mib", "BIGINT", "run"),
  column("backend", "VARCHAR", "run"),
  column("cpu", "VARCHAR", "run"),
  column("gpus", "VARCHAR", "run"),
  column("model", "VARCHAR", "run"),
  column("model_file", "VARCHAR", "run"),
  column("model_label", "VARCHAR", "run"),
  column("model_repo", "VARCHAR", "run"),
  column("architecture", "VARCHAR", "run"),
  column("quant", "VARCHAR", "run"),
  column("ftype", "VARCHAR", "run"),
  column("size_bytes", "BIGINT", "run"),
  column("n_params", "BIGINT", "run"),
  column("size_value", "DOUBLE", "run"),
  column("size_unit", "VARCHAR", "run"),
  column("params_value", "DOUBLE", "run"),
  column("params_unit", "VARCHAR", "run"),
  column("test", "VARCHAR", "result"),
  column("test_printed", "VARCHAR", "result"),
  column("kind", "VARCHAR", "result"),
  column("n_prompt", "BIGINT", "result"),
  column("n_gen", "BIGINT", "result"),
  column("n_depth", "BIGINT", "result"),
  column("concurrency", "DOUBLE", "result"),
  column("scope", "VARCHAR", "result"),
  column("request", "INTEGER", "result"),
  column("seq", "INTEGER", "result"),
  column("metric", "VARCHAR", "result"),
  column("unit", "VARCHAR", "result"),
  column("stat", "VARCHAR", "result"),
  column("value", "DOUBLE", "result"),
  column("stddev", "DOUBLE", "result"),
  column("stddev_kind", "VARCHAR", "result"),
  column("repetitions", "INTEGER", "result"),
  column("samples", "DOUBLE[]", "result"),
  column("status", "VARCHAR", "result"),
  column("status_detail", "VARCHAR", "result"),
  column("text", "VARCHAR", "result"),
  column("settings", "VARCHAR", "run"),
  ...PROMOTED_SETTINGS.map((name) => column(name, "VARCHAR", "run")),
  column("varied_settings", "VARCHAR", "run"),
  column("settings_from_command", "VARCHAR", "run"),
  column("notes", "VARCHAR", "run"),
  column("extra", "VARCHAR", "run"),
  column("result_extra", "VARCHAR", "result"),
  // Against the hardware's limits (scripts/efficiency/, docs/efficiency.md).
  column("peak_device", "VARCHAR", "run"),
  column("peak_bw_gbs", "DOUBLE", "run"),
  column("peak_tflops", "DOUBLE", "run"),
  column("bytes_per_token", "DOUBLE", "result"),
  column("flops_per_token", "DOUBLE", "result"),
  column("bw_util", "DOUBLE", "result"),
  column("compute_util", "DOUBLE", "result")
] as const;

/**
 * The columns of results.csv, the spreadsheet download: the row minus its
 * JSON-text columns (settings, gpus, tags, notes, extra, command), which
 * would make every line a kilobyte. results.parquet has every column.
 */
export const CSV_COLUMNS: readonly string[] = COLUMNS.map((c) => c.name).filter(
  (name) =>
    ![
      "tags",
      "command",
      "gpus",
      "settings",
      "varied_settings",
      "settings_from_command",
      "notes",
      "extra",
      "result_extra",
      "samples"
    ].includes(name)
);

/** [name, type] pairs, in column order. */
export const ROW_COLUMNS: ReadonlyArray<readonly [string, ColumnType]> = COLUMNS.map((c) => [c.name, c.type] as const);

export type Row = Record<string, Scalar | number[] | Record<string, unknown> | unknown[]>;

/** Human label of a machine: `4× NVIDIA GeForce RTX 3080`, `Apple M4`, or what the tool printed. */
/** The machine a run is shown under: its own label (describedHardware), or the one the store's aliases merge it into. */
export function hardwareLabel(run: Run, aliases?: MachineAliases): string | null {
  return machineLabel(describedHardware(run), aliases).label;
}

/** The run's hardware as its own text describes it: the GPUs its device lines list, else what was stated. */
export function describedHardware(run: Run): string | null {
  const {gpus, gpu_info, stated, cpu, backend} = run.hardware;
  if (gpus.length) {
    const names = [...new Set(gpus.map((g: Gpu) => g.name))];
    return names.length === 1 ? (gpus.length > 1 ? `${gpus.length}× ${names[0]}` : names[0]) : names.join(" + ");
  }
  return stated ?? gpu_info ?? cpu ?? (backend ? `${backend} (device not stated)` : null);
}

/**
 * Short model label for charts and tables (docs/importing.md, "Model
 * identity"): a GGUF file's base name (no directories, `.gguf` or shard
 * suffix); else the repository name of a Hugging Face repo id or cache path
 * (`models--Qwen--Qwen3-8B/snapshots/<hash>` → `Qwen3-8B`); else a
 * directory's or file's last name; else the name as the tool printed it. The
 * name is read the same way when it is itself a path or repo id (a server's
 * `model` field).
 */
export function modelLabel(model: Pick<Model, "file" | "name">): string | null {
  return (
    (model.file ? labelOf(model.file) : null) ??
    (model.name && /[\\/]|\.gguf\s*$/i.test(model.name) ? labelOf(model.name) : null) ??
    model.name
  );
}

/** The Hugging Face repo id (`org/name`) a model file names, from a repo id or a cache path. */
export function modelRepo(model: Pick<Model, "file" | "name">): string | null {
  return repoOf(model.file) ?? repoOf(model.name);
}

const HF_CACHE = /(?:^|[\\/])models--([^\\/]+?)--([^\\/]+)(?:[\\/]|$)/;
const REPO_ID = /^([A-Za-z0-9][\w.-]*)\/([\w.-]+)$/;
/** First directories of local paths, not Hugging Face organizations. */
const NOT_ORGS = new Set(["models", "model", "weights", "checkpoints", "ckpt", "data", "home", "mnt", "tmp"]);

function repoOf(text: string | null): string | null {
  if (!text) return null;
  const cache = HF_CACHE.exec(text);
  if (cache) return `${cache[1].replace(/--/g, "/")}/${cache[2]}`;
  const id = REPO_ID.exec(text.trim());
  return id && !NOT_ORGS.has(id[1].toLowerCase()) && !/\.(?:gguf|bin|safetensors)$/i.test(id[2])
    ? `${id[1]}/${id[2]}`
    : null;
}

function labelOf(text: string): string | null {
  const parts = text.trim().split(/[\\/]/).filter(Boolean);
  const last = parts.at(-1) ?? "";
  if (/\.\s*gguf$/i.test(last)) return last.replace(/\s*\.\s*gguf$/i, "").replace(/-\d{5}-of-\d{5}$/i, "") || null;
  const repo = repoOf(text);
  if (repo) return repo.split("/").pop()!;
  return last.replace(/\.(?:bin|safetensors)$/i, "") || null;
}

const text = (value: Scalar | undefined): string | null =>
  value === undefined || value === null ? null : String(value);

type Json = (value: unknown) => Row[string];

/**
 * The `run` columns of a result: the run's facts, with the model and settings
 * the result overrides. The same for every result of a run that overrides nothing.
 */
export function runColumns(
  run: Run,
  result: Pick<Result, "model" | "settings">,
  asText: boolean,
  efficiency: RunEfficiency = runEfficiency(run, result),
  aliases?: MachineAliases
): Row {
  const machine = machineLabel(describedHardware(run), aliases);
  const model: Model = {...run.model, ...result.model};
  const settings: Settings = {...run.settings, ...result.settings};
  const obj: Json = (value) => (asText ? JSON.stringify(value) : value) as Row[string];
  const row: Row = {
    run_id: run.id,
    tool: run.tool,
    tool_version: run.tool_version,
    runtime: run.runtime,
    format: run.format,
    origin: run.origin ?? "measured",
    build_commit: run.build_commit,
    build_number: run.build_number,
    source_sha256: run.source.sha256,
    file: run.source.name,
    run_line_start: run.source.line_start,
    run_line_end: run.source.line_end,
    imported_at: run.imported_at,
    started_at: run.started_at,
    tags: obj(run.tags),
    command: run.command,
    hardware: machine.label,
    hardware_described_as: machine.described_as,
    gpu_name: run.hardware.gpus[0]?.name ?? run.hardware.gpu_info ?? run.hardware.stated,
    gpu_count: run.hardware.gpus.length || null,
    vram_total_mib: run.hardware.vram_total_mib,
    backend: run.hardware.backend,
    cpu: run.hardware.cpu,
    gpus: obj(run.hardware.gpus),
    model: model.name,
    model_file: model.file,
    model_label: modelLabel(model),
    model_repo: modelRepo(model),
    architecture: model.architecture,
    quant: model.quant,
    ftype: model.ftype,
    size_bytes: model.size_bytes,
    n_params: model.n_params,
    size_value: model.size_value,
    size_unit: model.size_unit,
    params_value: model.params_value,
    params_unit: model.params_unit,
    settings: obj(settings)
  };
  for (const name of PROMOTED_SETTINGS) row[name] = text(settings[name]);
  row.varied_settings = obj(Object.keys(result.settings ?? {}));
  row.settings_from_command = obj(run.settings_from_command);
  row.notes = obj(run.notes);
  row.extra = obj(run.extra);
  row.peak_device = efficiency.peak.device;
  row.peak_bw_gbs = efficiency.peak.bw_gbs;
  row.peak_tflops = efficiency.peak.tflops;
  return row;
}

/** The `result` columns: the measured value and what it measured, and its share of the run's peaks (`efficiency`, from runEfficiency). */
export function resultColumns(result: Result, asText: boolean, efficiency: RunEfficiency): Row {
  // Named one by one: V8 builds an object literal that starts with a spread property by property
  // (about 150 µs a result here, most of the store index's build time); this one from a template.
  const {bytes_per_token, flops_per_token, bw_util, compute_util} = resultEfficiency(efficiency, result);
  return {
    bytes_per_token,
    flops_per_token,
    bw_util,
    compute_util,
    line: result.line,
    time: result.time ?? null,
    test: result.test,
    test_printed: result.test_printed ?? null,
    kind: result.kind,
    n_prompt: result.n_prompt,
    n_gen: result.n_gen,
    n_depth: result.n_depth,
    concurrency: result.concurrency ?? null,
    scope: result.scope ?? "run",
    request: result.request ?? null,
    seq: result.seq ?? null,
    metric: result.metric,
    unit: result.unit,
    stat: result.stat,
    value: result.value,
    stddev: result.stddev,
    stddev_kind: result.stddev_kind,
    repetitions: result.repetitions,
    samples: result.samples ?? null,
    status: result.status,
    status_detail: result.status_detail ?? null,
    text: result.text ?? null,
    result_extra:
      result.extra === undefined ? null : asText ? JSON.stringify(result.extra) : (result.extra as Row[string])
  };
}

/**
 * One flat row, columns in order. `asText` turns object-valued fields into
 * JSON text (for Parquet/CSV); without it they stay objects (`parse --json`).
 */
export function toRow(run: Run, result: Result, asText: boolean, aliases?: MachineAliases): Row {
  const efficiency = runEfficiency(run, result);
  const parts = {...runColumns(run, result, asText, efficiency, aliases), ...resultColumns(result, asText, efficiency)};
  const row: Row = {};
  for (const {name} of COLUMNS) row[name] = parts[name];
  return row;
}
