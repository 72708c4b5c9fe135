/**
 * The normalized schema, the one place a stored run and a measured value are defined (docs/schema.md; bump
 * SCHEMA_VERSION on any change old readers would notice). One Result per value; shared facts on the Run.
 */

export const SCHEMA_VERSION = 1;

/** A scalar as printed by the tool: numbers and booleans keep their JSON type, everything else is text. */
export type Scalar = string | number | boolean | null;

/** Tool settings, keyed by the tool's own canonical field name (llama-bench: its JSON field names). */
export type Settings = Record<string, Scalar>;

export type Status = "ok" | "oom" | "error" | "timeout" | "skipped";

/**
 * What kind of figure a value is; never converted (a median stays a median). `peak`: the highest value seen;
 * `value`: one measurement; `interval_mean`: an average over a logging interval; `range_low`/`range_high`: the
 * ends of a band stated by hand.
 */
export type Stat = string;

/** Whether a standard deviation divides by n-1 (sample) or n (population). */
export type StddevKind = "sample" | "population";

/**
 * What a value summarizes:
 * - run: the whole benchmark run (a mean over repetitions or requests)
 * - request: one request of a serving benchmark (per-request rows)
 * - interval: one logging interval of a server log (a time-series point)
 * - cumulative: everything since the server started (SGLang's accept length)
 */
export type Scope = "run" | "request" | "interval" | "cumulative";

/** Tool-measured values versus numbers a person typed into a writeup. Never mixed. */
export type Origin = "measured" | "hand-entered";

export interface Gpu {
  index: number | null;
  name: string;
  vram_mib: number | null;
  compute_capability: string | null;
  /** Other facts printed about the device (VMM, PCIe link, driver…), kept verbatim. */
  extra?: Record<string, Scalar>;
}

export interface Hardware {
  /** GPU / accelerator list from device lines (`ggml_cuda_init`, nvidia-smi, Metal…). */
  gpus: Gpu[];
  /** The tool's own summary string (llama-bench `gpu_info`), as printed. */
  gpu_info: string | null;
  /** Total VRAM as printed by the backend (`Total VRAM: 80211 MiB`). */
  vram_total_mib: number | null;
  /** Backend(s) as printed (`CUDA`, `CUDA,BLAS`, `MTL,BLAS`, `CPU`). */
  backend: string | null;
  cpu: string | null;
  /** A hardware name stated by the text around a block (e.g. a heading "Apple M4:"), when no device line says more. */
  stated: string | null;
}

export interface Model {
  /** The model as the tool printed it (llama-bench `model_type`, e.g. `qwen35 9B Q8_0`). */
  name: string | null;
  /** Model file or repository as given to the tool. */
  file: string | null;
  architecture: string | null;
  /** Quantization label, from the file name when it carries one (`UD-Q4_K_XL`), else the tool's type. */
  quant: string | null;
  /** The tool's own file-type label (`Q4_K - Medium`, `IQ4_XS - 4.25 bpw`). */
  ftype: string | null;
  /** Exact byte size when the tool printed it as an integer (llama-bench JSON `model_size`). */
  size_bytes: number | null;
  /** Exact parameter count when printed as an integer (`model_n_params`). */
  n_params: number | null;
  /** Size as displayed (`8.86 GiB`): the number and its unit, not converted. */
  size_value: number | null;
  size_unit: string | null;
  /** Parameter count as displayed (`8.95 B`). */
  params_value: number | null;
  params_unit: string | null;
}

export interface SourceRef {
  /** sha256 of the raw input's bytes: the raw file is stored at raw/<sha256>.<ext>. */
  sha256: string;
  /** File name given on import (`-` for stdin). */
  name: string;
  /** First and last 1-based line of the block this run came from. */
  line_start: number;
  line_end: number;
}

export interface Result {
  /** 1-based line of the raw input where this value was printed. */
  line: number;
  /** The cell/text the value was read from, verbatim (`330.87 ± 0.99`), when the input is text. */
  text?: string | null;
  /** The test, spelled one way (`pp512`, `tg128`, `pp512+tg128`, `pp512 @ d16384`): scripts/formats/shared/test-name.ts. */
  test: string;
  /** The test as the tool printed it, where that differs from `test` (old llama-bench's `pp 512`). */
  test_printed?: string | null;
  /** pp | tg | pp+tg | serve | … */
  kind: string;
  n_prompt: number | null;
  n_gen: number | null;
  n_depth: number | null;
  /** Concurrent requests / parallel sequences, when the tool varies them. */
  concurrency?: number | null;
  /** What the value summarizes; absent means "run". */
  scope?: Scope;
  /** 0-based request index, for per-request rows (scope "request"). */
  request?: number | null;
  /** Order within a time series (log lines), 0-based, for scope "interval"/"cumulative". */
  seq?: number | null;
  /** What was measured: throughput, duration, ttft, tpot, itl, e2el, peak_memory, acceptance_rate, kv_capacity… */
  metric: string;
  /** Explicit unit: tok/s, ns, ms, s, GB, MiB, %, tokens, ratio. */
  unit: string;
  stat: Stat;
  /** null only when status is not "ok". */
  value: number | null;
  stddev: number | null;
  stddev_kind: StddevKind | null;
  /** Number of repetitions behind a statistic, when known (never assumed from a tool's default). */
  repetitions: number | null;
  samples?: number[] | null;
  status: Status;
  /** Why a result is not ok (the tail of a log, the OOM message). */
  status_detail?: string | null;
  /** RFC 3339 time of the measurement when the tool printed one. */
  time?: string | null;
  /** Where a run measured several models or settings: the ones that differ from the run's. */
  model?: Partial<Model>;
  settings?: Settings;
  /** Anything else the tool printed for this value that has no field here. */
  extra?: Record<string, unknown>;
}

export interface Run {
  schema: number;
  /** `<first 12 hex of source sha256>-L<first line of its block>` (scripts/import/run-id.ts): stable across re-imports and reparses. */
  id: string;
  /** The program whose output this is: llama-bench, llama-benchy, vllm-bench-serve, … */
  tool: string;
  tool_version: string | null;
  /** The inference engine measured (llama.cpp, vllm, sglang, mlx, lmstudio). */
  runtime: string | null;
  build_commit: string | null;
  build_number: number | null;
  /** Input format that was parsed (`llama-bench-md`, `llama-bench-jsonl`, …). */
  format: string;
  /** "hand-entered" for numbers typed by a person (docs/hand-entered.md); absent means "measured". */
  origin?: Origin;
  source: SourceRef;
  imported_at: string;
  /** RFC 3339 time the benchmark ran, when printed. */
  started_at: string | null;
  tags: Record<string, string>;
  /** The command line printed before the output, verbatim (secrets redacted). */
  command: string | null;
  hardware: Hardware;
  model: Model;
  settings: Settings;
  /** Settings keys whose value came from the command line rather than the tool's own output. */
  settings_from_command: string[];
  /** Things a reader should know about how this run was read (healed line breaks, conflicts…). */
  notes: string[];
  extra: Record<string, unknown>;
  results: Result[];
}

export function emptyHardware(): Hardware {
  return {gpus: [], gpu_info: null, vram_total_mib: null, backend: null, cpu: null, stated: null};
}

export function emptyModel(): Model {
  return {
    name: null,
    file: null,
    architecture: null,
    quant: null,
    ftype: null,
    size_bytes: null,
    n_params: null,
    size_value: null,
    size_unit: null,
    params_value: null,
    params_unit: null
  };
}
