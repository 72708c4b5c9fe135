/** Row helpers every page shares: model families, test labels, a row as compareMeans reads it, settings lookup. */
import type {ResultRow} from "./data.js";
import type {Measured} from "./statistics/uncertainty.js";

/** Plain string order (localeCompare is too slow for sorting a million rows). */
export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Quantization labels as they end model file names (`-UD-Q4_K_XL`, `-MXFP4_MOE`, `-4bit`, `-GPTQ-Int4`, …). */
const QUANT_SUFFIX =
  /[-_.](?:UD[-_])?(?:I?Q\d[\w]*|MXFP4[\w]*|NVFP4[\w]*|FP8[\w-]*|F16|BF16|F32|\d+bit|GPTQ(?:-Int\d)?|AWQ|Int\d|W\d+A\d+)$/i;
/** Packaging suffixes left after the quantization (`-GGUF`, `-MLX`). */
const PACKAGE_SUFFIX = /[-_.](?:GGUF|MLX)$/i;

/**
 * A model's family: its label without quantization or packaging suffixes, so
 * `Qwen3.5-4B-UD-Q4_K_XL` (GGUF), `Qwen3.5-4B-MLX-4bit` (MLX) and
 * `Qwen/Qwen3.5-4B` (a server's model id) are all `Qwen3.5-4B`.
 */
export function modelFamily(row: Record<string, any>): string {
  let name = String(row.model_label ?? row.model ?? "?");
  name = name.split(/[\\/]/).pop() || name;
  const quant = row.quant ? String(row.quant) : null;
  if (
    quant &&
    name.length > quant.length + 1 &&
    name.toLowerCase().endsWith(quant.toLowerCase()) &&
    /[-_.]/.test(name[name.length - quant.length - 1])
  ) {
    name = name.slice(0, name.length - quant.length - 1);
  }
  for (let i = 0; i < 3; i++) {
    const next = name.replace(QUANT_SUFFIX, "").replace(PACKAGE_SUFFIX, "");
    if (next === name || next === "") break;
    name = next;
  }
  return name;
}

export type SdSource = "printed" | "samples" | null;

/**
 * A row as compareMeans reads it. Where the tool printed per-repetition
 * samples but no deviation (mlx_lm.benchmark's trials), the sample sd (n−1)
 * of those samples is used, and `sd_source` says so.
 */
export function measuredOf(
  row: Pick<ResultRow, "value" | "stddev"> & Record<string, any>
): Measured & {sd_source: SdSource} {
  const samples: number[] | null = row.samples ? Array.from(row.samples as ArrayLike<number>).map(Number) : null;
  const repetitions: number | null = row.repetitions ?? (samples?.length || null);
  if (row.stddev !== null && row.stddev !== undefined)
    return {
      value: row.value!,
      stddev: row.stddev,
      stddev_kind: row.stddev_kind ?? null,
      repetitions,
      sd_source: "printed"
    };
  if (samples && samples.length >= 2) {
    const mean = samples.reduce((s, v) => s + v, 0) / samples.length;
    const sd = Math.sqrt(samples.reduce((s, v) => s + (v - mean) ** 2, 0) / (samples.length - 1));
    return {value: row.value!, stddev: sd, stddev_kind: "sample", repetitions: samples.length, sd_source: "samples"};
  }
  return {value: row.value!, stddev: null, stddev_kind: row.stddev_kind ?? null, repetitions, sd_source: null};
}

/** Test size label: `pp512`, `tg128`, `pp512+tg128`. */
function sizeLabel(row: ResultRow): string {
  if (row.kind === "pp") return `pp${row.n_prompt ?? "?"}`;
  if (row.kind === "tg") return `tg${row.n_gen ?? "?"}`;
  if (row.kind === "pp+tg") return `pp${row.n_prompt ?? "?"}+tg${row.n_gen ?? "?"}`;
  return row.test;
}

/** The test as llama-bench names it, composed from its shape: `pp2048 @ d8192`, `tg32 (c4)`. */
export function testLabel(row: ResultRow, withDepth = true): string {
  let label = sizeLabel(row);
  if (withDepth && row.n_depth) label += ` @ d${row.n_depth}`;
  if (row.concurrency && row.concurrency !== 1) label += ` (c${row.concurrency})`;
  return label;
}

/** A setting by any of its spellings (`--kv-cache-dtype`, `kv_cache_dtype`). */
export function settingValue(settings: Record<string, unknown> | null | undefined, keys: string[]): unknown {
  if (!settings) return undefined;
  const normalized = new Map(
    Object.entries(settings).map(([k, v]) => [k.replace(/^-+/, "").replace(/-/g, "_").toLowerCase(), v])
  );
  for (const key of keys) if (normalized.has(key)) return normalized.get(key);
  return undefined;
}

/** The GPU a per-GPU value was measured on (`result_extra.gpu`, or `gpu_index`), else null. */
export function gpuOf(row: ResultRow): number | null {
  const extra = row.result_extra as Record<string, unknown> | null | undefined;
  const g = extra?.gpu ?? extra?.gpu_index;
  return typeof g === "number" ? g : null;
}
