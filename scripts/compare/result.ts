/**
 * A comparison's keys, result shape, side label and B/A text: apart from compare.ts, so the compare command loads
 * neither the in-memory comparison nor the statistics before DuckDB is reading.
 */
import type {Comparison, Measured} from "../statistics/uncertainty.js";

export const DEFAULT_BY = ["model_label", "test", "metric", "stat", "unit"];

/**
 * compare-llama-bench.py's LLAMA_BENCH_KEY_PROPERTIES by benchbook's names
 * (cpu_info → cpu, gpu_info → hardware, backends → backend, model_filename →
 * model_file, model_type → model; settings without a column as setting.NAME),
 * then runtime, tool and concurrency for other tools.
 */
export const CONTEXT_KEYS = [
  "cpu",
  "hardware",
  "backend",
  "n_gpu_layers",
  "n_cpu_moe",
  "tensor_buft_overrides",
  "model_file",
  "model",
  "n_batch",
  "n_ubatch",
  "setting.embeddings",
  "setting.cpu_mask",
  "setting.cpu_strict",
  "setting.poll",
  "n_threads",
  "type_k",
  "type_v",
  "setting.load_mode",
  "setting.no_kv_offload",
  "split_mode",
  "main_gpu",
  "tensor_split",
  "flash_attn",
  "n_prompt",
  "n_gen",
  "n_depth",
  "setting.fit_target",
  "setting.fit_min_ctx",
  "runtime",
  "tool",
  "concurrency"
];

/** Columns that can say what tells side A from side B (first ones first). */
export const LABEL_KEYS = [
  "build_commit",
  "runtime",
  "tool",
  "hardware",
  "split_mode",
  "model_label",
  "quant",
  "type_k",
  "n_ubatch",
  "tensor_split",
  "flash_attn",
  "backend",
  "run_id"
];

export interface CompareOptions {
  /** Key columns; default DEFAULT_BY plus the CONTEXT_KEYS that vary within a side. */
  by?: string[];
  /** Metrics to compare; default throughput when both sides have it, else all. */
  metrics?: string[];
}

export interface SideValue extends Measured {
  /** Rows behind the value (more than one: their unweighted mean). */
  n_rows: number;
  status: string;
  status_detail: string | null;
  run_ids: string[];
  /** Where each value was read: raw input and line. */
  sources: {sha256: string; line: number}[];
  /** The stored cell text when a single row stands behind the value. */
  text: string | null;
  origin: string;
  /**
   * Share of the hardware's limit (docs/efficiency.md): the rows' `bw_util`
   * for tg, `compute_util` for pp (their mean for several rows); null when
   * any row has none.
   */
  limit_util: number | null;
}

export interface Pair {
  key: Record<string, string | null>;
  a: SideValue | null;
  b: SideValue | null;
  /** null when either side is missing or failed. */
  comparison: Comparison | null;
}

export interface Side {
  selector: string;
  /** Short description: the LABEL_KEYS whose value is constant within this side and differs from the other side. */
  label: string;
  distinguishing: Record<string, string | null>;
  rows: number;
  runs: string[];
}

export interface CompareResult {
  a: Side;
  b: Side;
  by: string[];
  /** The key columns added because they vary within a side (empty with an explicit --by). */
  varying: string[];
  metrics: string[] | "all";
  pairs: Pair[];
}

/**
 * A column header for one side: the value of the first distinguishing column
 * (LABEL_KEYS order: a build commit, as compare-llama-bench names its
 * columns, else the runtime, the machine, the split mode, …); the run id only
 * when nothing else differs; else the selector as typed.
 */
export function sideLabel(distinguishing: Record<string, string | null>, selector: string): string {
  const entries = Object.entries(distinguishing).filter(([k]) => k !== "run_id");
  if (entries.length) return entries[0][1]!;
  return distinguishing.run_id ?? selector;
}

/**
 * A number with two decimals exactly as Python's `format(x, ".2f")` (which
 * compare-llama-bench's tabulate uses): correctly rounded, ties to even.
 * JavaScript's toFixed rounds exact ties away from zero (1.125 → "1.13",
 * Python "1.12"); exact ties at two decimals are the doubles k/8 with k odd.
 */
export function fixed2(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const eighths = x * 8;
  if (Number.isInteger(eighths) && !Number.isInteger(x * 4)) {
    const hundredths = x * 100; // exact for k/8: an odd multiple of 12.5
    const down = Math.floor(hundredths);
    const even = down % 2 === 0 ? down : down + 1;
    return (even / 100).toFixed(2);
  }
  return x.toFixed(2);
}
