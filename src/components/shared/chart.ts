/** The chart design system: one colour per runtime, quantization, machine and build on every chart; scales, margins and labels. */
import type {Comparison} from "./uncertainty.js";

/** Left margin that fits the longest y tick label of values up to `max` (Plot does not size margins to labels). */
export function yMargin(max: number): number {
  return Math.max(40, 12 + 7 * Math.round(Math.abs(max)).toLocaleString("en-US").length);
}

/** `1.68×` over `[1.42–1.99]` (its interval), `≈` where within noise: a ratio on a chart carries its uncertainty. */
export function ratioLabel(c: Comparison): string {
  const head = `${c.ratio.toFixed(2)}×${c.noise ? " ≈" : ""}`;
  return c.low === null || c.high === null ? head : `${head}\n[${c.low.toFixed(2)}–${c.high.toFixed(2)}]`;
}

export const RUNTIME_ORDER = ["llama.cpp", "vllm", "sglang", "mlx", "lmstudio"];
export const runtimeRank = (r: string) => (RUNTIME_ORDER.includes(r) ? RUNTIME_ORDER.indexOf(r) : RUNTIME_ORDER.length);
