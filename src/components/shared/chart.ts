/**
 * The chart design system: one colour per runtime, machine, quantization and build on every chart; scales,
 * quiet error bars, direct labels, at most SERIES_LIMIT series; 3 significant digits in labels only.
 */
import * as Plot from "@observablehq/plot";
import * as Inputs from "@observablehq/inputs";
import {html} from "htl";
import {lab} from "d3-color";
import {scaleLinear, scaleLog} from "d3-scale";
import * as aq from "./arquero.js";
import type {Comparison} from "./statistics/uncertainty.js";

// ─── palette ────────────────────────────────────────────────────────────────

/** Plot's own categorical scheme (observable10). */
const PALETTE = [
  "#4269d0",
  "#efb118",
  "#ff725c",
  "#6cc5b0",
  "#3ca951",
  "#ff8ab7",
  "#a463f2",
  "#97bbf5",
  "#9c6b4e",
  "#9498a0"
];
/** Grey for "not stated". */
const UNSTATED = "#9498a0";

/** Runtimes in display order: the ids of scripts/context/runtimes.ts, which the site cannot import (test/context/runtimes.test.ts keeps the two equal). */
export const RUNTIME_ORDER = ["llama.cpp", "vllm", "sglang", "mlx", "lmstudio"];
export const runtimeRank = (r: string) => (RUNTIME_ORDER.includes(r) ? RUNTIME_ORDER.indexOf(r) : RUNTIME_ORDER.length);
const RUNTIME_COLOR: Record<string, string> = {
  "llama.cpp": "#4269d0",
  vllm: "#efb118",
  sglang: "#ff725c",
  mlx: "#3ca951",
  lmstudio: "#a463f2",
  ollama: "#9c6b4e"
};
/** Colours by bits per weight: a Q4 is the same red on every chart, whatever its variant. */
const BITS_COLOR: [number, string][] = [
  [2, "#a463f2"],
  [3, "#ff8ab7"],
  [4, "#ff725c"],
  [5, "#efb118"],
  [6, "#3ca951"],
  [8, "#4269d0"],
  [16, "#6cc5b0"],
  [32, "#9c6b4e"]
];

type Dimension = "runtime" | "machine" | "quant" | "build";
const siteDomains: Record<Dimension, string[]> = {runtime: [], machine: [], quant: [], build: []};

/** The notebook's machines and builds (every page registers the same ones), so each keeps its colour everywhere. */
export function registerDomains(domains: Partial<Record<Dimension, Iterable<string | null | undefined>>>): void {
  for (const [dim, values] of Object.entries(domains) as [Dimension, Iterable<string | null | undefined>][]) {
    siteDomains[dim] = [...new Set([...siteDomains[dim], ...[...values].filter((v): v is string => !!v)])].sort();
  }
}

/** FNV-1a: a stable palette slot for a value the notebook did not register. */
function slot(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Bits per weight of a quantization label (`Q4_K_M` 4, `IQ3_XXS` 3, `BF16` 16, `MXFP4` 4, `4bit` 4, `FP8` 8), else null. */
export function quantBits(quant: string | null | undefined): number | null {
  if (!quant) return null;
  const q = quant.toUpperCase();
  const m =
    /(?:^|[^A-Z])I?Q(\d)(?:_|$)|(?:^|[^A-Z0-9])(?:B?F|FP|INT|W|MXFP|NVFP)(\d+)|(\d+)[-_]?BIT/.exec(q) ??
    /I?Q(\d)/.exec(q);
  const bits = m ? Number(m[1] ?? m[2] ?? m[3]) : /AWQ|GPTQ/.test(q) ? 4 : NaN;
  return Number.isFinite(bits) ? bits : null;
}

/** The colour of one runtime, machine, quantization or build: the same on every chart of the site. */
export function colorOf(dimension: Dimension, value: string | null | undefined): string {
  if (!value) return UNSTATED;
  if (dimension === "runtime" && RUNTIME_COLOR[value]) return RUNTIME_COLOR[value];
  if (dimension === "quant") {
    const bits = quantBits(value);
    if (bits !== null)
      return BITS_COLOR.reduce((best, c) => (Math.abs(c[0] - bits) < Math.abs(best[0] - bits) ? c : best))[1];
  }
  const i = siteDomains[dimension].indexOf(value);
  const palette = dimension === "runtime" ? PALETTE.filter((c) => !Object.values(RUNTIME_COLOR).includes(c)) : PALETTE;
  return palette[(i >= 0 ? i : slot(value)) % palette.length];
}

/**
 * How far apart (CIELAB ΔE, d3's lab) two series' colours on one chart must be to be told apart as
 * thin lines: the palette's closest pair is 31 apart; 20 is what a light shade of a light colour
 * (teal, pink) missed. The browser chart checks hold every chart to it.
 */
export const MIN_COLOR_DISTANCE = 20;
export const colorDistance = (a: string, b: string): number => {
  const [x, y] = [lab(a), lab(b)];
  return Math.hypot(x.l - y.l, x.a - y.a, x.b - y.b);
};

/**
 * The k-th variant of a colour: the colour, then shades of it, lighter or darker by lightness steps
 * (the nearest first, kept readable on white), each at least MIN_COLOR_DISTANCE from the others.
 */
export function shade(base: string, k: number): string {
  if (k === 0) return base;
  const c = lab(base);
  const shades: string[] = [];
  for (const offset of [24, -24, -48, 48, 36, -36]) {
    if (c.l + offset < 12 || c.l + offset > 90) continue;
    const hex = lab(c.l + offset, c.a, c.b).formatHex();
    if ([base, ...shades].every((other) => colorDistance(hex, other) >= MIN_COLOR_DISTANCE + 2)) shades.push(hex);
  }
  return shades[(k - 1) % shades.length] ?? base;
}

/** No two of the colours closer than MIN_COLOR_DISTANCE (distinct series on one chart). */
function distinguishable(colors: string[]): boolean {
  // Two series in one colour fail at once; the distinct colours are few (a palette and its shades).
  const distinct = [...new Set(colors)];
  if (distinct.length < colors.length) return false;
  const labs = distinct.map((c) => lab(c));
  for (let i = 0; i < labs.length; i++)
    for (let j = i + 1; j < labs.length; j++)
      if (Math.hypot(labs[i].l - labs[j].l, labs[i].a - labs[j].a, labs[i].b - labs[j].b) < MIN_COLOR_DISTANCE)
        return false;
  return true;
}

/** What a series is, for choosing its colour. */
export interface SeriesFacts {
  series: string;
  runtime?: string | null;
  hardware?: string | null;
  quant?: string | null;
  build?: string | null;
}

const MAX_SHADES = 3;
const FACT: Record<Dimension, keyof SeriesFacts> = {
  runtime: "runtime",
  machine: "hardware",
  quant: "quant",
  build: "build"
};

/**
 * A colour scale for a chart's series: coloured by the first of runtime, machine, quantization and
 * build that differs between them (one value, one colour, site-wide); up to 3 series that share
 * that value get shades of its colour. `dimension` is null where none fits (then the plain palette,
 * and the series' labels say what they are). `by` forces a dimension (a runtime comparison is
 * coloured by runtime whatever else varies).
 */
export function seriesColors(
  items: SeriesFacts[],
  {by}: {by?: Dimension} = {}
): {domain: string[]; range: string[]; dimension: Dimension | null} {
  const unique = [...new Map(items.map((s) => [s.series, s])).values()];
  const dims: Dimension[] = ["runtime", "machine", "quant", "build"];
  // A dimension colours the chart where it tells series apart and shades stay distinguishable (≤ 3 a colour).
  // Counted by colour, not by value: two 4-bit quantizations (IQ4_XS, UD-IQ4_XS) share red and are shades of it.
  const colorsBy = (d: Dimension) => unique.map((s) => colorOf(d, (s[FACT[d]] as string | null | undefined) ?? ""));
  const groupSizes = (d: Dimension) => [...aq.countValues(colorsBy(d)).values()];
  const rangeBy = (d: Dimension) => {
    const bases = colorsBy(d);
    const seen = aq.occurrences(bases);
    return bases.map((base, i) => shade(base, seen[i].nth - 1));
  };
  // …and where every series states it (not grey beside colours) and no two colours come too close to tell apart.
  const fits = (d: Dimension) =>
    groupSizes(d).length > 1 &&
    Math.max(...groupSizes(d)) <= MAX_SHADES &&
    unique.every((s) => s[FACT[d]]) &&
    distinguishable(rangeBy(d));
  const dimension = by ?? dims.find(fits) ?? (unique.length === 1 && unique[0].runtime ? "runtime" : null);
  const domain = unique.map((s) => s.series);
  if (!dimension) return {domain, range: domain.map((_, i) => PALETTE[i % PALETTE.length]), dimension};
  return {domain, range: rangeBy(dimension), dimension};
}

/**
 * The part of a page-wide colour scale (seriesColors over every series of the page) that one chart
 * draws: each series keeps its page colour whichever others a chart shows.
 */
export function colorsFor(
  page: {domain: string[]; range: string[]},
  present: Iterable<string>
): {domain: string[]; range: string[]} {
  const shown = new Set(present);
  const keep = page.domain.map((d, i) => [d, page.range[i]] as const).filter(([d]) => shown.has(d));
  return {domain: keep.map(([d]) => d), range: keep.map(([, r]) => r)};
}

// ─── numbers ────────────────────────────────────────────────────────────────

const SIG3 = new Intl.NumberFormat("en-US", {maximumSignificantDigits: 3});
/** A number on a chart: 3 significant digits (`14,000`, `62.4`, `0.812`); tooltips and tables show the value as stored. */
export const fmt3 = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x) ? "—" : SIG3.format(x);

/** `1.68×` over `[1.42–1.99]` (its interval), `≈` where within noise: a ratio on a chart carries its uncertainty. */
export function ratioLabel(c: Comparison): string {
  const head = `${c.ratio.toFixed(2)}×${c.noise ? " ≈" : ""}`;
  return c.low === null || c.high === null ? head : `${head}\n[${c.low.toFixed(2)}–${c.high.toFixed(2)}]`;
}

/** What a chart's tooltip says of one value (valueTitle). */
export interface ValueFacts {
  value: number;
  unit?: string | null;
  stddev?: number | null;
  stddev_kind?: string | null;
  /** The statistic the value is (`mean`, `median`, `p99`, `peak`). */
  stat?: string | null;
  metric?: string | null;
  repetitions?: number | null;
  test?: string | null;
  line?: number | null;
}

/**
 * A tooltip: the series, then `test: metric stat = value ± sd unit`, the sd's kind and the
 * repetitions behind it, and the raw line (the mark itself links there). The value as stored.
 */
export function valueTitle(series: string | null, f: ValueFacts, more: string[] = []): string {
  const sd = f.stddev !== null && f.stddev !== undefined ? ` ± ${f.stddev}` : "";
  const what = [f.metric, f.stat].filter(Boolean).join(" ");
  const spread = [
    f.stddev !== null && f.stddev !== undefined ? `± is ${f.stddev_kind ?? "an unstated kind of"} sd` : "no sd printed",
    f.repetitions ? `${f.repetitions} repetitions` : null
  ]
    .filter(Boolean)
    .join(", ");
  const value = `${f.test ? `${f.test}: ` : ""}${what ? `${what} ` : ""}${f.value}${sd}${f.unit ? ` ${f.unit}` : ""}`;
  return [series, value, spread, ...more, f.line ? `raw line ${f.line} (click the mark)` : null]
    .filter(Boolean)
    .join("\n");
}

// ─── scales and margins ─────────────────────────────────────────────────────

let canvas: CanvasRenderingContext2D | null | undefined;
/** Width of a label in pixels (measured where there is a canvas, else estimated). */
function textWidth(text: string, fontSize = 10): number {
  if (canvas === undefined)
    canvas = typeof document === "undefined" ? null : document.createElement("canvas").getContext("2d");
  if (canvas) {
    canvas.font = `${fontSize}px system-ui, sans-serif`;
    return canvas.measureText(text).width;
  }
  return text.length * fontSize * 0.62;
}

/** A margin that fits the widest of some labels (Plot does not size margins to its labels). */
function marginFor(
  labels: string[],
  {fontSize = 10, min = 30, pad = 14}: {fontSize?: number; min?: number; pad?: number} = {}
): number {
  return Math.ceil(Math.max(min, ...labels.map((l) => textWidth(l, fontSize) + pad)));
}

/** The tick labels a linear axis over [lo, hi] gets (d3's ticks, Plot's default format). */
export function linearTickLabels(
  lo: number,
  hi: number,
  count = 8,
  format: (x: number) => string = (x) => x.toLocaleString("en-US")
): string[] {
  return scaleLinear().domain([lo, hi]).nice().ticks(count).map(format);
}

/** Left margin for a y axis from lo (0 for throughput) to hi. */
export function yMargin(hi: number, lo = 0): number {
  return marginFor(linearTickLabels(Math.min(0, lo), hi), {min: 40});
}

/** 1-2-5 ticks of a log axis over [lo, hi] (every integer multiple where that gives fewer than 4). */
export function logTicks(lo: number, hi: number): number[] {
  if (!(lo > 0) || !(hi > 0)) return [];
  const ticks: number[] = [];
  for (const steps of [[1], [1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
    ticks.length = 0;
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
      for (const s of steps) {
        const t = Number((s * 10 ** e).toPrecision(12));
        if (t >= lo * 0.999 && t <= hi * 1.001) ticks.push(t);
      }
    }
    if (ticks.length >= 4) break;
  }
  return ticks;
}

/** A log axis with readable ticks (1-2-5) formatted to 3 significant digits. */
export function logScale(values: number[], options: Plot.ScaleOptions = {}): Plot.ScaleOptions {
  const positive = values.filter((v) => v > 0);
  const [lo, hi] = scaleLog()
    .domain([Math.min(...positive), Math.max(...positive)])
    .nice()
    .domain();
  return {type: "log", domain: [lo, hi], ticks: logTicks(lo, hi), tickFormat: fmt3, grid: true, ...options};
}

/** Left margin for a log y axis over some values (logScale's ticks). */
export function logMargin(values: number[]): number {
  const positive = values.filter((v) => v > 0);
  if (!positive.length) return 40;
  const [lo, hi] = scaleLog()
    .domain([Math.min(...positive), Math.max(...positive)])
    .nice()
    .domain();
  return marginFor(logTicks(lo, hi).map(fmt3), {min: 40});
}

/** An axis over a few distinct values (context depths, batch sizes): ticks at those values only. */
export function valueTicks(values: number[]): number[] | undefined {
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  return distinct.length <= 8 ? distinct : undefined;
}

/** Whole-number ticks for an index axis (log lines, repetitions): never 0.5. */
export function integerTicks(values: number[], count = 10): number[] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (!Number.isFinite(lo)) return [];
  const step = Math.max(1, Math.ceil((hi - lo) / count));
  const ticks: number[] = [];
  for (let t = Math.ceil(lo); t <= hi; t += step) ticks.push(t);
  return ticks;
}

// ─── marks ──────────────────────────────────────────────────────────────────

/** Error bars, drawn quietly: thin, half-transparent, behind the values. */
export const ERROR_BAR = {strokeWidth: 1, strokeOpacity: 0.5} as const;

/** The most series a chart draws; more go behind seriesPicker. */
const SERIES_LIMIT = 8;

/**
 * Labels at the right end of each line, pushed apart vertically so none overlap (a line's end is
 * its point of largest x). `y` must be the plotted value; `height`, `margins` and `domain` those of
 * the chart, to turn the minimum gap into data units. Returns the mark and the margin it needs.
 */
export function endLabels<T>(
  points: T[],
  {
    x,
    y,
    z,
    text,
    domain,
    height,
    marginTop = 20,
    marginBottom = 30,
    fill
  }: {
    x: (p: T) => number;
    y: (p: T) => number;
    z: (p: T) => string;
    text: (p: T) => string;
    domain: [number, number];
    height: number;
    marginTop?: number;
    marginBottom?: number;
    fill?: (p: T) => string;
  }
): {mark: Plot.Markish; margin: number} {
  const last = aq.groupRows(points, z).map((list) => list.reduce((end, p) => (x(p) >= x(end) ? p : end)));
  const ends = last.map((p) => ({p, label: text(p), y: y(p), at: y(p)})).sort((a, b) => a.y - b.y);
  // 13 px: a 10 px label with its underscores and descenders clear of the next.
  const gap = (13 * (domain[1] - domain[0])) / Math.max(1, height - marginTop - marginBottom);
  for (let i = 1; i < ends.length; i++) if (ends[i].at - ends[i - 1].at < gap) ends[i].at = ends[i - 1].at + gap;
  const mark = Plot.text(ends, {
    x: (e: (typeof ends)[number]) => x(e.p),
    y: (e: (typeof ends)[number]) => e.at,
    text: "label",
    textAnchor: "start",
    dx: 7,
    fontSize: 10,
    fill: fill ? (e: (typeof ends)[number]) => fill(e.p) : "currentColor",
    clip: false,
    ariaDescription: "end-label"
  });
  return {
    mark,
    margin: marginFor(
      ends.map((e) => e.label),
      {min: 20, pad: 12}
    )
  };
}

/**
 * The labels of some series without the parts they all share (`A · 4090 · pp512`, `B · 4090 ·
 * pp512` → `A`, `B`), and the shared parts, for the chart's subtitle.
 */
export function shortLabels(series: string[], separator = " · "): {labels: Map<string, string>; common: string} {
  const split = series.map((s) => s.split(separator));
  const shared = split.length > 1 ? split[0].filter((part) => split.every((parts) => parts.includes(part))) : [];
  const labels = new Map(series.map((s, i) => [s, split[i].filter((p) => !shared.includes(p)).join(separator) || s]));
  return {labels, common: shared.join(separator)};
}

/**
 * A selector for charts with more series than SERIES_LIMIT: the first `limit` are drawn, the rest
 * listed to pick. Where all fit it is an empty element whose value is every series.
 */
export function seriesPicker(
  series: string[],
  {label = "Series drawn", limit = SERIES_LIMIT}: {label?: string; limit?: number} = {}
): HTMLElement & {value: string[]} {
  if (series.length <= limit) {
    const none =
      html`<span class="bb-series-picker" data-series-total=${series.length} hidden></span>` as HTMLElement & {
        value: string[];
      };
    none.value = series;
    return none;
  }
  const input = Inputs.select(series, {
    label,
    multiple: Math.min(series.length, 8),
    value: series.slice(0, limit),
    width: 560
  }) as HTMLElement & {value: string[]};
  const note = html`<p class="bb-note">${series.length} series: the first ${limit} are drawn; choose others here (ctrl/⌘-click to add).</p>`;
  const box =
    html`<div class="bb-series-picker" data-series-total=${series.length}>${input}${note}</div>` as HTMLElement & {
      value: string[];
    };
  box.value = input.value;
  input.addEventListener("input", () => (box.value = input.value));
  return box;
}

/**
 * Hovering a legend swatch (or a direct label) dims every other series. Works on Plot's output:
 * marks are matched by the colour of the hovered entry.
 */
export function linkLegend<T extends Element>(chart: T): T {
  const marks = () =>
    [
      ...chart.querySelectorAll(
        "svg [aria-label] > *, svg [aria-label] path, svg [aria-label] circle, svg [aria-label] rect, svg [aria-label] line"
      )
    ] as SVGElement[];
  const colorOfEl = (el: Element) =>
    el.getAttribute("fill") ??
    el.getAttribute("stroke") ??
    (el.parentElement?.getAttribute("fill") || el.parentElement?.getAttribute("stroke"));
  const highlight = (color: string | null) => {
    for (const el of marks()) {
      const c = colorOfEl(el);
      el.style.opacity = color && c && c !== "currentColor" && c !== "none" && c !== color ? "0.15" : "";
    }
  };
  for (const swatch of chart.querySelectorAll("[class$='-swatch']")) {
    const fill = swatch.querySelector("svg rect, svg circle, svg line, svg path") as SVGElement | null;
    const color = fill?.getAttribute("fill") ?? fill?.getAttribute("stroke") ?? null;
    swatch.addEventListener("mouseenter", () => highlight(color));
    swatch.addEventListener("mouseleave", () => highlight(null));
  }
  return chart;
}
