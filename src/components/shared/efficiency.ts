/** Results against their hardware's limits (docs/efficiency.md): share of peak bandwidth or compute. */
import {formatPercent} from "./format.js";

/** The columns a page loads to show efficiency. */
export const EFFICIENCY_COLUMNS = [
  "peak_device",
  "peak_bw_gbs",
  "peak_tflops",
  "bytes_per_token",
  "flops_per_token",
  "bw_util",
  "compute_util"
];

type Row = Record<string, any>;

/** The share of its limit a result reached: bandwidth for tg, compute for pp; null when unknown. */
export function limitShare(row: Row): number | null {
  const share = row.kind === "tg" ? row.bw_util : row.kind === "pp" ? row.compute_util : null;
  return typeof share === "number" && Number.isFinite(share) ? share : null;
}

/** Which limit: `bandwidth` (tg) or `compute` (pp). */
export function limitKind(row: Row): "bandwidth" | "compute" | null {
  return row.kind === "tg" ? "bandwidth" : row.kind === "pp" ? "compute" : null;
}

/** The throughput (tok/s) the limit allows: peak ÷ cost per token — the value divided by its share. */
export function limitRate(row: Row): number | null {
  const share = limitShare(row);
  return share && typeof row.value === "number" ? row.value / share : null;
}

/** `79.8% of 1008 GB/s (NVIDIA GeForce RTX 4090)`, for titles and tables. */
export function limitText(row: Row): string {
  const share = limitShare(row);
  if (share === null) return "";
  const peak = row.kind === "tg" ? `${row.peak_bw_gbs} GB/s` : `${row.peak_tflops} TFLOP/s`;
  return `${formatPercent(share)} of ${peak}${row.peak_device ? ` (${row.peak_device})` : ""}`;
}

/** The sentence pages put under a "% of limit" figure. */
export const LIMIT_NOTE =
  "% of limit: generation (tg) throughput × bytes read per token ÷ the devices' peak memory bandwidth; prompt processing (pp) throughput × FLOPs per token ÷ their peak dense FP16 FLOP/s — summed over the devices used, from benchbook's device table. Blank where the device, the model's size or (at depth) its cache shape is unknown; see docs/efficiency.md.";
