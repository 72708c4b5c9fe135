/**
 * Tables of values compared with their group's reference (split modes against layer split,
 * quantizations against the largest file): the value ± sd as measured, the ratio with its interval
 * and noise mark, the raw line. Used by the multi-GPU and quantizations pages.
 */
import * as Inputs from "@observablehq/inputs";
import {measuredCell, rawLineCell} from "./format.js";
import type {SdSource} from "./rows.js";
import {formatRatio, type Comparison} from "./statistics/uncertainty.js";

/** A value on a chart: as measured (value ± sd of a kind, over repetitions), in its unit, from its run's raw line. */
export interface MeasuredPoint {
  value: number;
  stddev: number | null;
  stddev_kind: string | null;
  repetitions: number | null;
  sd_source: SdSource;
  unit: string;
  run_id: string;
  source_sha256: string;
  line: number;
}

/** A value in a comparison: its measurement, its raw line, and its ratio to the reference (null for the reference). */
export interface Compared extends Omit<MeasuredPoint, "unit" | "run_id"> {
  is_reference: boolean;
  comparison: Comparison | null;
}

/** The download's comparison columns: `${name}`, its interval, within noise, the method, the raw line. */
export function comparedColumns(c: Compared, name = "ratio"): Record<string, string | number | boolean | null> {
  return {
    [name]: c.is_reference ? 1 : (c.comparison?.ratio ?? null),
    [`${name}_low`]: c.comparison?.low ?? null,
    [`${name}_high`]: c.comparison?.high ?? null,
    within_noise: c.comparison?.noise ?? null,
    method: c.comparison?.method ?? null,
    source: `${c.source_sha256}:${c.line}`
  };
}

/** A column's text for the ratio: `1.68× [1.42–1.99] ≈ within noise`, `reference`, or `—` where there is nothing to compare. */
export function ratioText(c: Compared): string {
  if (c.is_reference) return "reference";
  return c.comparison ? `${formatRatio(c.comparison)}${c.comparison.noise ? " ≈ within noise" : ""}` : "—";
}

/**
 * The table: the given leading columns (key → header), then the value (mean ± sd), the ratio
 * (`ratioHeader`) and the raw line.
 */
export function comparisonTable<T extends Compared>(
  items: T[],
  {columns, ratioHeader, rows = 16}: {columns: Record<string, string>; ratioHeader: string; rows?: number}
): HTMLElement {
  const data = items.map((c) => ({...c, ratio: ratioText(c), source: c.line}));
  return Inputs.table(data, {
    columns: [...Object.keys(columns), "value", "ratio", "source"],
    header: {...columns, value: "t/s (mean ± sd)", ratio: ratioHeader, source: "raw line"},
    format: {value: measuredCell, source: rawLineCell},
    rows,
    layout: "auto",
    select: false
  } as any) as HTMLElement;
}
