/**
 * llama-bench's vocabulary: its output fields, the short column names of its
 * Markdown printer, and its command-line options. Fields change across builds
 * (use_mmap → load_mode, flash_attn bool → int, new columns), so everything is
 * matched by name and anything unknown is kept as a setting under its own name.
 */
import type {Scalar} from "../../schema/schema.js";
import {scalarFromText} from "../shared/scalar.js";

/** Fields that describe the test or its measurement rather than a setting. */
export const NON_SETTING_FIELDS = new Set([
  "build_commit",
  "build_number",
  "cpu_info",
  "gpu_info",
  "backends",
  "model_filename",
  "model_type",
  "model_size",
  "model_n_params",
  "n_prompt",
  "n_gen",
  "n_depth",
  "test_time",
  "avg_ns",
  "stddev_ns",
  "avg_ts",
  "stddev_ts",
  "samples_ns",
  "samples_ts"
]);

/** Markdown column → output field (llama-bench `markdown_printer`). */
export const MD_COLUMNS: Record<string, string> = {
  ngl: "n_gpu_layers",
  threads: "n_threads",
  n_threads: "n_threads",
  n_batch: "n_batch",
  n_ubatch: "n_ubatch",
  type_k: "type_k",
  type_v: "type_v",
  fa: "flash_attn",
  sm: "split_mode",
  mg: "main_gpu",
  main_gpu: "main_gpu",
  ts: "tensor_split",
  ot: "tensor_buft_overrides",
  mmap: "use_mmap",
  lm: "load_mode",
  dev: "devices",
  nkvo: "no_kv_offload",
  embd: "embeddings",
  nopo: "no_op_offload",
  noh: "no_host",
  n_cpu_moe: "n_cpu_moe",
  cpu_mask: "cpu_mask",
  cpu_strict: "cpu_strict",
  poll: "poll",
  fitt: "fit_target",
  fitc: "fit_min_ctx",
  dio: "use_direct_io",
  repack: "repack"
};

/**
 * Command-line option → output field, for options that set a parameter.
 * Test-shape options (-p, -n, -pg, -d, -r, -m, -o) are read separately.
 */
export const CLI_OPTIONS: Record<string, string> = {
  "-ngl": "n_gpu_layers",
  "--n-gpu-layers": "n_gpu_layers",
  "-t": "n_threads",
  "--threads": "n_threads",
  "-b": "n_batch",
  "--batch-size": "n_batch",
  "-ub": "n_ubatch",
  "--ubatch-size": "n_ubatch",
  "-ctk": "type_k",
  "--cache-type-k": "type_k",
  "-ctv": "type_v",
  "--cache-type-v": "type_v",
  "-fa": "flash_attn",
  "--flash-attn": "flash_attn",
  "-sm": "split_mode",
  "--split-mode": "split_mode",
  "-mg": "main_gpu",
  "--main-gpu": "main_gpu",
  "-ts": "tensor_split",
  "--tensor-split": "tensor_split",
  "-ot": "tensor_buft_overrides",
  "--override-tensors": "tensor_buft_overrides",
  "--override-tensor": "tensor_buft_overrides",
  "-mmp": "use_mmap",
  "--mmap": "use_mmap",
  "-lm": "load_mode",
  "--load-mode": "load_mode",
  "-dev": "devices",
  "--device": "devices",
  "-nkvo": "no_kv_offload",
  "--no-kv-offload": "no_kv_offload",
  "-ncmoe": "n_cpu_moe",
  "--n-cpu-moe": "n_cpu_moe",
  "-C": "cpu_mask",
  "--cpu-mask": "cpu_mask",
  "--cpu-strict": "cpu_strict",
  "--poll": "poll",
  "-embd": "embeddings",
  "--embeddings": "embeddings",
  "-nopo": "no_op_offload",
  "--no-op-offload": "no_op_offload",
  "--no-host": "no_host",
  "-fitt": "fit_target",
  "--fit-target": "fit_target",
  "-fitc": "fit_min_ctx",
  "--fit-ctx": "fit_min_ctx"
};

/** Fields printed as integers in llama-bench's JSON (`get_field_type`). */
const INT_FIELDS = new Set([
  "build_number",
  "n_batch",
  "n_ubatch",
  "n_threads",
  "poll",
  "model_size",
  "model_n_params",
  "n_gpu_layers",
  "main_gpu",
  "n_prompt",
  "n_gen",
  "n_depth",
  "avg_ns",
  "stddev_ns",
  "no_op_offload",
  "n_cpu_moe"
]);
const FLOAT_FIELDS = new Set(["avg_ts", "stddev_ts"]);

/**
 * A value from CSV or SQL (where everything is text) in the type llama-bench's
 * JSON would give it. Integers and floats are parsed exactly as written;
 * booleans stay as printed ("1"/"0" → 1/0, "true"/"false" → true/false).
 */
export function typedValue(field: string, text: string): Scalar {
  if (INT_FIELDS.has(field) || FLOAT_FIELDS.has(field)) {
    const n = Number(text);
    return text.trim() !== "" && Number.isFinite(n) ? n : text;
  }
  // A text field spelled like a number keeps its spelling (`tensor_split` "0.00", as -o json writes it).
  const value = scalarFromText(text);
  return typeof value === "number" && String(value) !== text.trim() ? text.trim() : value;
}

export interface TestShape {
  kind: "pp" | "tg" | "pp+tg";
  n_prompt: number;
  n_gen: number;
  n_depth: number;
}

/** `pp512`, `tg128`, `pp512+tg128`, `pp512 @ d16384`, old `pp 512`, compare-script `pp512@d512`. */
export function parseTestName(test: string): TestShape | null {
  const m = /^\s*(?:(pp)\s*(\d+)\s*(?:\+\s*tg\s*(\d+))?|(tg)\s*(\d+))\s*(?:@\s*d\s*(\d+))?\s*$/i.exec(test);
  if (!m) return null;
  const depth = m[6] ? Number(m[6]) : 0;
  if (m[1]) {
    const pp = Number(m[2]);
    return m[3]
      ? {kind: "pp+tg", n_prompt: pp, n_gen: Number(m[3]), n_depth: depth}
      : {kind: "pp", n_prompt: pp, n_gen: 0, n_depth: depth};
  }
  return {kind: "tg", n_prompt: 0, n_gen: Number(m[5]), n_depth: depth};
}

/**
 * The columns a row of late-2023 llama-bench was printed by, when it holds one
 * value more than its header or INSERT column list: builds of that time (and
 * the README's examples) listed `cuda, metal, gpu_blas, blas` while each row
 * printed `cuda, opencl, metal, gpu_blas, blas` (llama-bench.cpp get_fields).
 * null when the row is not that case.
 */
export function columnsOfEra(columns: readonly string[], values: number): string[] | null {
  if (values !== columns.length + 1 || columns.includes("opencl")) return null;
  const at = columns.indexOf("cuda");
  if (at < 0 || columns[at + 1] !== "metal") return null;
  return [...columns.slice(0, at + 1), "opencl", ...columns.slice(at + 1)];
}

export function eraNote(line: number, values: number): string {
  return `line ${line}: ${values} values for ${values - 1} columns, a known bug of llama-bench builds of late 2023: read by that era's columns (cuda, opencl, metal, gpu_blas, blas), the extra value being opencl`;
}
