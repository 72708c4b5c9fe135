/**
 * KV cache capacity (metric `kv_capacity`, in tokens) against the KV cache
 * dtype, per runtime: vLLM's `GPU KV cache size: N tokens`, SGLang's
 * `max_total_num_tokens` / `full_layer_tokens` / `swa_layer_tokens` (its
 * sliding-window pool reports full-layer and SWA-layer tokens separately),
 * llama.cpp's `-ctk`/`-ctv`. The dtype comes from the run's settings
 * (`--kv-cache-dtype`, `cache-type-k`, llama-bench `type_k`); a run that
 * does not say is shown as "not stated". Hand-entered capacities are drawn
 * hollow and named as such.
 *
 * `kvRatios` compares dtypes within one runtime, model, machine and pool —
 * "FP8 KV doubles SGLang's token capacity" is the ratio FP8 ÷ BF16 computed
 * here, with compareMeans (a capacity is one printed number: no dispersion,
 * so no interval, and the note says so).
 *
 * @example
 *   const points = kvPoints(rows);
 *   display(kvPlot(points, {width}));
 *   const ratios = kvRatios(points);
 *   display(html`<p>${ratioSentence(ratios[0])}</p>`);
 */
import * as Plot from "@observablehq/plot";
import * as Inputs from "@observablehq/inputs";
import type {ResultRow} from "./data.js";
import {sourceLink} from "./format.js";
import {runLink} from "./serving-latency.js";
import {settingValue} from "./speculative.js";
import {compareMeans, formatRatio, type Comparison} from "./uncertainty.js";

/** Setting names that carry the KV cache dtype, after normalizing dashes (`--kv-cache-dtype` → kv_cache_dtype). */
export const KV_DTYPE_KEYS = ["kv_cache_dtype", "cache_type_k", "type_k", "ctk"];

/**
 * A dtype family for grouping, from the name as printed: `torch.float8_e4m3fn`,
 * `fp8_e4m3`, `fp8` → FP8; `torch.bfloat16`, `bf16` → BF16; `f16`, `float16`,
 * `half` → F16; `auto` stays `auto` (the model's dtype); llama.cpp types
 * (`q8_0`, `q4_0`) upper-cased.
 */
export function dtypeFamily(dtype: unknown): string {
  if (dtype === undefined || dtype === null || dtype === "") return "not stated";
  const d = String(dtype).toLowerCase().replace(/^torch\./, "");
  if (/^(fp8|float8)/.test(d)) return "FP8";
  if (/^(bf16|bfloat16)$/.test(d)) return "BF16";
  if (/^(f16|fp16|float16|half)$/.test(d)) return "F16";
  if (/^(f32|fp32|float32|float)$/.test(d)) return "F32";
  if (/^(fp4|nvfp4|float4)/.test(d)) return "FP4";
  if (d === "auto") return "auto";
  return d.toUpperCase();
}

export interface KvPoint {
  runtime: string;
  group: string;
  /** `full`, `swa`, `total` (SGLang's pools) or `all` (one pool). */
  pool: string;
  dtype: string | null;
  family: string;
  value: number;
  unit: string;
  origin: string;
  run_id: string;
  line: number;
  source_sha256: string;
  text: string | null;
  test: string;
}

/** What a capacity is compared within: runtime, model and machine — or a hand-entered run's own label. */
export function kvGroup(row: ResultRow): string {
  const label = row.origin === "hand-entered" && typeof row.extra?.label === "string" ? ` · ${row.extra.label}` : "";
  return `${[row.runtime ?? row.tool, row.model_label ?? row.model ?? "model not stated", row.hardware ?? "machine not stated"].join(" · ")}${label}`;
}

function poolOf(row: ResultRow): string {
  const pool = row.result_extra?.pool;
  if (typeof pool === "string") return pool;
  // SGLang's `max_total_num_tokens` equals the full-layer pool when a sliding-window pool exists.
  return row.test === "max_total_num_tokens" ? "total" : "all";
}

/** KV capacities in tokens (other units — blocks, hand-typed "K tokens" — are left out: the axis is tokens). */
export function kvPoints(rows: ResultRow[]): KvPoint[] {
  return rows
    .filter((r) => r.metric === "kv_capacity" && r.unit === "tokens" && r.value !== null && r.status === "ok")
    .map((r) => {
      const dtype = settingValue(r.settings, KV_DTYPE_KEYS);
      return {
        runtime: r.runtime ?? r.tool,
        group: kvGroup(r),
        pool: poolOf(r),
        dtype: dtype === undefined || dtype === null ? null : String(dtype),
        family: dtypeFamily(dtype),
        value: r.value!,
        unit: r.unit,
        origin: r.origin ?? "measured",
        run_id: r.run_id,
        line: r.line,
        source_sha256: r.source_sha256,
        text: r.text ?? null,
        test: r.test
      };
    })
    .sort((a, b) => a.group.localeCompare(b.group) || a.pool.localeCompare(b.pool) || a.family.localeCompare(b.family) || a.value - b.value);
}

const POOL_LABEL: Record<string, string> = {full: "full-layer tokens", swa: "SWA-layer tokens", total: "max_total_num_tokens", all: "tokens"};

/** A bar's row within its group: the dtype family, and the run when a group has several of one family. */
function barKey(points: KvPoint[]): (p: KvPoint) => string {
  const label = (p: KvPoint) => `${p.group}\u0000${p.pool}`;
  const count = new Map<string, number>();
  for (const p of points) count.set(`${label(p)}\u0000${p.family}`, (count.get(`${label(p)}\u0000${p.family}`) ?? 0) + 1);
  return (p) => (count.get(`${label(p)}\u0000${p.family}`)! > 1 ? `${p.family} · run ${p.run_id}` : p.family);
}

export function kvPlot(points: KvPoint[], {width = 640}: {width?: number} = {}): SVGSVGElement | HTMLElement {
  const label = (p: KvPoint) => `${p.group} · ${POOL_LABEL[p.pool] ?? p.pool}`;
  const key = barKey(points);
  const families = [...new Set(points.map((p) => p.family))].sort();
  const facets = [...new Set(points.map(label))];
  const perFacet = Math.max(1, ...facets.map((f) => new Set(points.filter((p) => label(p) === f).map(key)).size));
  const facetHeight = 30 + 16 * perFacet;
  return Plot.plot({
    width,
    height: 40 + facets.length * facetHeight,
    marginLeft: 10,
    marginTop: 24,
    marginRight: 190,
    x: {label: "KV cache capacity (tokens)", grid: true, tickFormat: "~s"},
    y: {label: null, axis: null},
    fy: {label: null, axis: null, domain: facets, padding: 26 / facetHeight},
    color: {legend: true, domain: families, type: "categorical"},
    marks: [
      // Each group's name above its bars (long names do not fit in a margin).
      Plot.text(facets, {fy: (d: string) => d, text: (d: string) => d, frameAnchor: "top-left", dy: -16, fontSize: 11, lineWidth: (width - 30) / 11, textOverflow: "ellipsis-middle"} as any),
      Plot.barX(
        points.filter((p) => p.origin !== "hand-entered"),
        {x1: 0, x2: "value", y: key, fy: label, fill: "family", insetTop: 2, insetBottom: 2}
      ),
      // Hand-entered values: outline only, never mistaken for a measurement.
      Plot.barX(
        points.filter((p) => p.origin === "hand-entered"),
        {x1: 0, x2: "value", y: key, fy: label, stroke: "family", strokeDasharray: "4,3", fill: "none", insetTop: 2, insetBottom: 2}
      ),
      Plot.text(points, {x: "value", y: key, fy: label, text: (p: KvPoint) => `${key(p)}${p.origin === "hand-entered" ? " (hand-entered)" : ""}: ${p.value}`, dx: 4, textAnchor: "start", fontSize: 10}),
      Plot.tip(points, Plot.pointer({x: "value", y: key, fy: label, title: (p: KvPoint) => `${p.group}\n${POOL_LABEL[p.pool] ?? p.pool}, KV ${p.dtype ?? "dtype not stated"} (${p.origin})\n${p.value} tokens — run ${p.run_id}, line ${p.line}`}))
    ]
  });
}

export interface KvRatio {
  group: string;
  pool: string;
  /** Baseline and compared dtype family (b ÷ a). */
  a: KvPoint;
  b: KvPoint;
  comparison: Comparison;
}

/**
 * Ratios between dtypes of the same runtime, model, machine and pool, each
 * dtype against the widest one present (BF16/F16/F32 before FP8/FP4/quantized):
 * the capacity gained by a narrower KV cache. Measured values only.
 */
export function kvRatios(points: KvPoint[]): KvRatio[] {
  const WIDTH: Record<string, number> = {F32: 0, BF16: 1, F16: 1, auto: 2};
  const groups = new Map<string, KvPoint[]>();
  for (const p of points) {
    if (p.origin === "hand-entered" || p.family === "not stated") continue;
    const key = `${p.group}\u0000${p.pool}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const out: KvRatio[] = [];
  for (const group of groups.values()) {
    const families = [...new Set(group.map((p) => p.family))].sort((x, y) => (WIDTH[x] ?? 9) - (WIDTH[y] ?? 9) || x.localeCompare(y));
    if (families.length < 2) continue;
    const base = group.find((p) => p.family === families[0])!;
    for (const family of families.slice(1)) {
      const other = group.find((p) => p.family === family)!;
      const comparison = compareMeans({value: base.value, stddev: null, stddev_kind: null, repetitions: null}, {value: other.value, stddev: null, stddev_kind: null, repetitions: null});
      out.push({group: base.group, pool: base.pool, a: base, b: other, comparison});
    }
  }
  return out;
}

/** "FP8 KV holds 2.00× the tokens of BF16 KV (139515 vs 69757 full-layer tokens; …)". */
export function ratioSentence(r: KvRatio): string {
  return `${r.group}: ${r.b.family} KV holds ${formatRatio(r.comparison)} the ${POOL_LABEL[r.pool] ?? "tokens"} of ${r.a.family} KV (${r.b.value} vs ${r.a.value}; ratio computed from the two printed capacities — ${r.comparison.note}).`;
}

export function kvTableRows(points: KvPoint[]): Record<string, string | number | null>[] {
  return points.map((p) => ({runtime: p.runtime, group: p.group, pool: p.pool, kv_dtype: p.dtype, family: p.family, value: p.value, unit: p.unit, origin: p.origin, run: p.run_id, source: `${p.source_sha256}:${p.line}`}));
}
export const KV_TABLE_COLUMNS = ["runtime", "group", "pool", "kv_dtype", "family", "value", "unit", "origin", "run", "source"];

export function kvTable(points: KvPoint[], depth = 0): HTMLElement {
  return Inputs.table(points, {
    columns: ["group", "pool", "dtype", "value", "origin", "run_id", "line"],
    width: {group: 260, run_id: 130},
    header: {group: "runtime · model · machine", pool: "pool", dtype: "KV dtype (as stated)", value: "tokens", origin: "origin", run_id: "run", line: "raw line"},
    format: {
      dtype: (d: string | null) => d ?? "not stated",
      run_id: (id: string) => runLink(id, depth),
      line: (_: number, i: number, data: KvPoint[]) => sourceLink(data[i].source_sha256, data[i].line, `line ${data[i].line}`, depth)
    },
    rows: 12,
    layout: "auto",
    select: false
  } as any) as HTMLElement;
}
