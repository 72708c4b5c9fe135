/**
 * The flat result row: one measured value with the facts of its run joined
 * in. It is what `benchbook parse --json` prints (one JSON object per line)
 * and what the exported Parquet/CSV hold (one row each, objects as JSON text).
 * The column list below is the single definition of that row.
 */
import type {Gpu, Model, Result, Run, Scalar, Settings} from "./schema.js";

/** Settings promoted to their own column, as text exactly as the tool printed them. */
export const PROMOTED_SETTINGS = [
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

/** Name → DuckDB type. Object-valued columns (settings, tags, gpus, extra, notes) are JSON text. */
export const ROW_COLUMNS: ReadonlyArray<readonly [string, ColumnType]> = [
  ["run_id", "VARCHAR"],
  ["tool", "VARCHAR"],
  ["tool_version", "VARCHAR"],
  ["runtime", "VARCHAR"],
  ["format", "VARCHAR"],
  ["origin", "VARCHAR"],
  ["build_commit", "VARCHAR"],
  ["build_number", "BIGINT"],
  ["source_sha256", "VARCHAR"],
  ["file", "VARCHAR"],
  ["line", "INTEGER"],
  ["run_line_start", "INTEGER"],
  ["run_line_end", "INTEGER"],
  ["imported_at", "VARCHAR"],
  ["started_at", "VARCHAR"],
  ["time", "VARCHAR"],
  ["tags", "VARCHAR"],
  ["command", "VARCHAR"],
  ["hardware", "VARCHAR"],
  ["gpu_name", "VARCHAR"],
  ["gpu_count", "INTEGER"],
  ["vram_total_mib", "BIGINT"],
  ["backend", "VARCHAR"],
  ["cpu", "VARCHAR"],
  ["gpus", "VARCHAR"],
  ["model", "VARCHAR"],
  ["model_file", "VARCHAR"],
  ["model_label", "VARCHAR"],
  ["architecture", "VARCHAR"],
  ["quant", "VARCHAR"],
  ["ftype", "VARCHAR"],
  ["size_bytes", "BIGINT"],
  ["n_params", "BIGINT"],
  ["size_value", "DOUBLE"],
  ["size_unit", "VARCHAR"],
  ["params_value", "DOUBLE"],
  ["params_unit", "VARCHAR"],
  ["test", "VARCHAR"],
  ["kind", "VARCHAR"],
  ["n_prompt", "BIGINT"],
  ["n_gen", "BIGINT"],
  ["n_depth", "BIGINT"],
  ["concurrency", "DOUBLE"],
  ["scope", "VARCHAR"],
  ["request", "INTEGER"],
  ["seq", "INTEGER"],
  ["metric", "VARCHAR"],
  ["unit", "VARCHAR"],
  ["stat", "VARCHAR"],
  ["value", "DOUBLE"],
  ["stddev", "DOUBLE"],
  ["stddev_kind", "VARCHAR"],
  ["repetitions", "INTEGER"],
  ["samples", "DOUBLE[]"],
  ["status", "VARCHAR"],
  ["status_detail", "VARCHAR"],
  ["text", "VARCHAR"],
  ["settings", "VARCHAR"],
  ...PROMOTED_SETTINGS.map((name) => [name, "VARCHAR"] as const),
  ["varied_settings", "VARCHAR"],
  ["settings_from_command", "VARCHAR"],
  ["notes", "VARCHAR"],
  ["extra", "VARCHAR"]
];

export type Row = Record<string, Scalar | number[] | Record<string, unknown> | unknown[]>;

/** Human label of a machine: `4× NVIDIA GeForce RTX 3080`, `Apple M4`, or what the tool printed. */
export function hardwareLabel(run: Run): string | null {
  const {gpus, gpu_info, stated, cpu, backend} = run.hardware;
  if (gpus.length) {
    const names = [...new Set(gpus.map((g: Gpu) => g.name))];
    return names.length === 1 ? (gpus.length > 1 ? `${gpus.length}× ${names[0]}` : names[0]) : names.join(" + ");
  }
  return stated ?? gpu_info ?? cpu ?? (backend ? `${backend} (device not stated)` : null);
}

/** Short model label for charts: the file's base name, else the printed name. */
export function modelLabel(model: Model): string | null {
  if (model.file) {
    const base = model.file.split(/[\\/]/).pop()!.replace(/\.(?:gguf|bin|safetensors)$/i, "").replace(/-\d{5}-of-\d{5}$/i, "");
    if (base) return base;
  }
  return model.name;
}

const text = (value: Scalar | undefined): string | null => (value === undefined || value === null ? null : String(value));

/**
 * One flat row. `asText` turns object-valued fields into JSON text (for
 * Parquet/CSV); without it they stay objects (for `parse --json`).
 */
export function toRow(run: Run, result: Result, asText: boolean): Row {
  const model: Model = {...run.model, ...result.model};
  const settings: Settings = {...run.settings, ...result.settings};
  const obj = (value: unknown) => (asText ? JSON.stringify(value) : value) as Row[string];
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
    line: result.line,
    run_line_start: run.source.line_start,
    run_line_end: run.source.line_end,
    imported_at: run.imported_at,
    started_at: run.started_at,
    time: result.time ?? null,
    tags: obj(run.tags),
    command: run.command,
    hardware: hardwareLabel(run),
    gpu_name: run.hardware.gpus[0]?.name ?? run.hardware.gpu_info ?? run.hardware.stated,
    gpu_count: run.hardware.gpus.length || null,
    vram_total_mib: run.hardware.vram_total_mib,
    backend: run.hardware.backend,
    cpu: run.hardware.cpu,
    gpus: obj(run.hardware.gpus),
    model: model.name,
    model_file: model.file,
    model_label: modelLabel(model),
    architecture: model.architecture,
    quant: model.quant,
    ftype: model.ftype,
    size_bytes: model.size_bytes,
    n_params: model.n_params,
    size_value: model.size_value,
    size_unit: model.size_unit,
    params_value: model.params_value,
    params_unit: model.params_unit,
    test: result.test,
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
    settings: obj(settings)
  };
  for (const name of PROMOTED_SETTINGS) row[name] = text(settings[name]);
  row.varied_settings = obj(Object.keys(result.settings ?? {}));
  row.settings_from_command = obj(run.settings_from_command);
  row.notes = obj(run.notes);
  row.extra = obj({...run.extra, ...result.extra});
  return row;
}
