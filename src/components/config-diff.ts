/**
 * Before/after: what changed between two configurations (settings, model,
 * machine, runtime) and, for every metric both measured, the value before
 * and after with the change and its uncertainty (uncertainty.ts
 * compareMeans; "no interval" where the inputs printed no deviation).
 *
 * A configuration is one run, or the part of a run that shares one set of
 * settings (a `-ub 128,256` sweep, or the entries of a hand-entered tuning
 * log that override a setting). Metrics are matched by what they measured
 * (metric, statistic, unit, test shape, GPU) rather than by test name, since
 * hand-entered values are named by their label.
 *
 * @example
 *   const configs = configurations(rows);
 *   const [pair] = suggestPairs(configs);
 *   const before = view(configPicker(configs, {param: "before", label: "Before", value: pair?.before}));
 *   const after = view(configPicker(configs, {param: "after", label: "After", value: pair?.after}));
 *   const diff = diffConfigs(configs.find((c) => c.id === before)!, configs.find((c) => c.id === after)!);
 *   display(changesTable(diff));
 *   display(chartFigure(diffPlot(diff, {width}), {filename: "before-after"}));
 *   display(deltaTable(diff));
 */
import * as Plot from "@observablehq/plot";
import * as Inputs from "@observablehq/inputs";
import {html} from "htl";
import type {ResultRow} from "./data.js";
import {formatPm, sourceLink} from "./format.js";
import {urlSelect} from "./parameter-sweep.js";
import {measuredOf} from "./runtime-comparison.js";
import jstat from "jstat";
import {compareMeans, formatChange, formatRatio, sampleSd, type Comparison, type Measured} from "./uncertainty.js";

/** Plain string order (localeCompare is too slow for sorting a million rows). */
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Append to a Map of lists (without copying the list: groups can hold a million rows). */
function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

type Settings = Record<string, unknown>;

export interface Config {
  /** `<run id>~<hash of its settings>`: stable across builds of the same store. */
  id: string;
  run_id: string;
  label: string;
  hardware: string | null;
  model_label: string | null;
  runtime: string | null;
  tool: string | null;
  build: string | null;
  backend: string | null;
  origin: string;
  settings: Settings;
  rows: ResultRow[];
}

/** FNV-1a, 32 bits, hex: a short stable id for a settings object. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

const stable = (s: Settings) => JSON.stringify(Object.keys(s).sort().map((k) => [k, s[k]]));
const show = (v: unknown) => (v === undefined || v === null ? "—" : typeof v === "object" ? JSON.stringify(v) : String(v));

/** Configurations: runs, split by the settings their results override. */
export function configurations(rows: ResultRow[]): Config[] {
  const byId = new Map<string, Config>();
  for (const r of rows) {
    const settings = (r.settings as Settings | null) ?? {};
    const id = `${r.run_id}~${hash(stable(settings))}`;
    let c = byId.get(id);
    if (!c) {
      c = {
        id,
        run_id: r.run_id,
        label: "",
        hardware: r.hardware || null,
        model_label: r.model_label ?? r.model ?? null,
        runtime: r.runtime ?? null,
        tool: r.tool ?? null,
        build: r.build_commit ? `${r.build_commit}${r.build_number ? ` (${r.build_number})` : ""}` : (r.tool_version ?? null),
        backend: r.backend ?? null,
        origin: r.origin ?? "measured",
        settings,
        rows: []
      };
      byId.set(id, c);
    }
    c.rows.push(r);
  }
  const configs = [...byId.values()];
  // Labels: the run's own label (hand-entered) or model · machine, then the settings that tell it from configurations with the same label.
  const baseOf = (c: Config) => {
    const runLabel = (c.rows[0].extra as Record<string, unknown> | null)?.label;
    return typeof runLabel === "string" ? `${runLabel} · ${c.hardware ?? "hardware not stated"}` : [c.model_label ?? "?", c.hardware ?? "hardware not stated", c.runtime && c.runtime !== "llama.cpp" ? c.runtime : null, c.tool && c.tool !== "llama-bench" && c.tool !== c.runtime ? c.tool : null].filter(Boolean).join(" · ");
  };
  const neighbours = new Map<string, Config[]>();
  for (const c of configs) push(neighbours, baseOf(c), c);
  for (const [base, list] of neighbours) {
    const keys = [...new Set(list.flatMap((c) => Object.keys(c.settings)))].filter((k) => new Set(list.map((c) => show(c.settings[k]))).size > 1).sort();
    const modal = new Map(keys.map((k) => [k, modeOf(list.map((c) => show(c.settings[k])))]));
    for (const c of list) {
      const distinguishing = keys.length <= 3 ? keys : keys.filter((k) => show(c.settings[k]) !== modal.get(k));
      c.label = [base, ...distinguishing.map((k) => `${k} ${show(c.settings[k])}`)].join(" · ");
    }
  }
  const counts = new Map<string, number>();
  for (const c of configs) counts.set(c.label, (counts.get(c.label) ?? 0) + 1);
  for (const c of configs) if (counts.get(c.label)! > 1) c.label += ` (run ${c.run_id})`;
  return configs.sort((a, b) => cmp(a.label, b.label));
}

function modeOf(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0][0];
}

function gpuOf(row: ResultRow): number | null {
  const g = (row.result_extra as Record<string, unknown> | null)?.gpu;
  return typeof g === "number" ? g : null;
}

/** What a value measured, independent of how the test was named. */
export function metricKey(row: ResultRow): string {
  return [row.metric, row.stat, row.unit, row.kind, row.n_prompt ?? "", row.n_gen ?? "", row.n_depth ?? "", row.concurrency ?? "", row.scope ?? "run", gpuOf(row) ?? ""].join("|");
}

export function metricLabel(row: ResultRow): string {
  const parts = [row.metric];
  if (row.kind && row.kind !== "other" && row.kind !== "hardware") {
    let shape: string = row.kind;
    if (row.kind === "pp" && row.n_prompt) shape = `pp${row.n_prompt}`;
    else if (row.kind === "tg" && row.n_gen) shape = `tg${row.n_gen}`;
    else if (row.n_prompt) shape += ` (prompt ${row.n_prompt})`;
    parts.unshift(shape);
  } else if (row.n_prompt) parts.push(`prompt ${row.n_prompt}`);
  if (row.n_depth) parts.push(`@ d${row.n_depth}`);
  if (row.concurrency && row.concurrency !== 1) parts.push(`c${row.concurrency}`);
  if (!["mean", "value"].includes(row.stat)) parts.push(row.stat);
  const gpu = gpuOf(row);
  if (gpu !== null) parts.push(`GPU ${gpu}`);
  return parts.join(" ");
}

export interface Cell {
  test: string;
  value: number | null;
  stddev: number | null;
  stddev_kind: string | null;
  repetitions: number | null;
  status: string;
  status_detail: string | null;
  text: string | null;
  approximate: boolean;
  source_sha256: string;
  /** Every line that printed this value (a writeup may repeat a figure). */
  lines: number[];
  row: ResultRow;
}

/** A config's values per metric key; the same value printed twice is one cell with both lines. */
function cells(config: Config): Map<string, Cell[]> {
  const out = new Map<string, Cell[]>();
  for (const r of [...config.rows].sort((a, b) => a.line - b.line)) {
    const key = metricKey(r);
    const list = out.get(key) ?? [];
    const same = list.find((c) => c.value === r.value && c.stddev === (r.stddev ?? null) && c.status === r.status);
    if (same) {
      if (!same.lines.includes(r.line)) same.lines.push(r.line);
      continue;
    }
    list.push({
      test: r.test,
      value: r.value,
      stddev: r.stddev ?? null,
      stddev_kind: r.stddev_kind ?? null,
      repetitions: r.repetitions ?? null,
      status: r.status,
      status_detail: r.status_detail ?? null,
      text: r.text ?? null,
      approximate: Boolean((r.result_extra as Record<string, unknown> | null)?.approximate),
      source_sha256: r.source_sha256,
      lines: [r.line],
      row: r
    });
    out.set(key, list);
  }
  return out;
}

export interface Change {
  field: string;
  before: string;
  after: string;
}

export interface MetricDelta {
  key: string;
  label: string;
  unit: string;
  before: Cell;
  after: Cell;
  /** after vs before (ratio = after / before); null where either is not a value. */
  comparison: Comparison | null;
  /** Interval of after − before, by the comparison's method (null: no dispersion printed). */
  difference: {low: number; high: number} | null;
}

const {studentt} = jstat as unknown as {studentt: {inv(p: number, df: number): number}};

/**
 * The interval of b − a that goes with compareMeans' ratio interval: 95%
 * Welch (t quantile on the Welch–Satterthwaite degrees of freedom) where both
 * repetition counts are known, ±1 sd propagated where only deviations are,
 * none without deviations.
 */
export function differenceInterval(a: Measured, b: Measured, c: Comparison, level = 0.95): {low: number; high: number} | null {
  const sa = sampleSd(a);
  const sb = sampleSd(b);
  if (c.method === "none" || sa === null || sb === null) return null;
  if (c.method === "welch") {
    const va = (sa * sa) / a.repetitions!;
    const vb = (sb * sb) / b.repetitions!;
    const se = Math.sqrt(va + vb);
    const df = va + vb === 0 ? a.repetitions! + b.repetitions! - 2 : (va + vb) ** 2 / ((va * va) / (a.repetitions! - 1) + (vb * vb) / (b.repetitions! - 1));
    const q = studentt.inv(1 - (1 - level) / 2, df);
    return {low: c.difference - q * se, high: c.difference + q * se};
  }
  const s = Math.hypot(sa, sb);
  return {low: c.difference - s, high: c.difference + s};
}

export interface ConfigDiff {
  before: Config;
  after: Config;
  changes: Change[];
  metrics: MetricDelta[];
}

/** What differs between two configurations, and every metric both have, before → after. */
/** What differs between two configurations: machine, model, runtime, tool, build, backend, origin, then every setting. */
export function changesBetween(before: Config, after: Config): Change[] {
  const changes: Change[] = [];
  const facts: [string, keyof Config][] = [["machine", "hardware"], ["model", "model_label"], ["runtime", "runtime"], ["tool", "tool"], ["build / version", "build"], ["backend", "backend"], ["origin", "origin"]];
  for (const [field, key] of facts) if (show(before[key]) !== show(after[key])) changes.push({field, before: show(before[key]), after: show(after[key])});
  for (const k of [...new Set([...Object.keys(before.settings), ...Object.keys(after.settings)])].sort()) {
    if (show(before.settings[k]) !== show(after.settings[k])) changes.push({field: k, before: show(before.settings[k]), after: show(after.settings[k])});
  }
  return changes;
}

/** What differs between two configurations, and every metric both have, before → after. */
export function diffConfigs(before: Config, after: Config): ConfigDiff {
  const changes = changesBetween(before, after);
  const a = cells(before);
  const b = cells(after);
  const metrics: MetricDelta[] = [];
  for (const [key, listA] of a) {
    const listB = b.get(key);
    if (!listB) continue;
    // Where both sides name a test the same way, pair those; otherwise every combination.
    const named = listA.flatMap((x) => listB.filter((y) => y.test === x.test).map((y) => [x, y] as const));
    const pairs = named.length ? named : listA.flatMap((x) => listB.map((y) => [x, y] as const));
    for (const [x, y] of pairs) {
      const comparable = x.value !== null && y.value !== null && x.status === "ok" && y.status === "ok" && x.value !== 0;
      const comparison = comparable ? compareMeans(measuredOf(x.row), measuredOf(y.row)) : null;
      const difference = comparison ? differenceInterval(measuredOf(x.row), measuredOf(y.row), comparison) : null;
      metrics.push({key, label: metricLabel(x.row), unit: x.row.unit, before: x, after: y, comparison, difference});
    }
  }
  metrics.sort((p, q) => p.label.localeCompare(q.label) || p.before.lines[0] - q.before.lines[0]);
  return {before, after, changes, metrics};
}

export interface Pair {
  before: string;
  after: string;
  label: string;
  changes: number;
  shared: number;
}

/**
 * Pairs worth comparing: the same machine and model, at least one metric in
 * common, fewest changes first (one changed setting is a clean experiment),
 * then most metrics in common.
 */
export function suggestPairs(configs: Config[], limit = 20): Pair[] {
  const pairs: Pair[] = [];
  const keysOf = new Map(configs.map((c) => [c.id, new Set(c.rows.filter((r) => r.status === "ok").map(metricKey))]));
  // Only configurations of the same machine, model and origin are paired: bucket them first.
  const buckets = new Map<string, Config[]>();
  for (const c of configs) push(buckets, `${c.hardware}\u0000${c.model_label}\u0000${c.origin}`, c);
  for (const bucket of buckets.values()) {
    for (let i = 0; i < bucket.length; i++) {
      for (let j = i + 1; j < bucket.length; j++) {
        const [a, b] = [bucket[i], bucket[j]];
        const keysB = keysOf.get(b.id)!;
        let shared = 0;
        for (const k of keysOf.get(a.id)!) if (keysB.has(k)) shared++;
        if (shared === 0) continue;
        const changes = changesBetween(a, b).length;
        if (changes === 0) continue;
        const [first, second] = orderPair(a, b);
        pairs.push({before: first.id, after: second.id, label: `${first.label} → ${second.label}`, changes, shared});
      }
    }
  }
  return pairs.sort((p, q) => p.changes - q.changes || q.shared - p.shared || p.label.localeCompare(q.label)).slice(0, limit);
}

/** Where a config was written: the writeup's line for hand-entered values, else the raw input's. */
const firstLine = (c: Config) => Math.min(...c.rows.map((r) => Number((r.result_extra as Record<string, unknown> | null)?.source_line ?? r.line)));

/**
 * Before and after: one numeric setting changed → ascending (`-ub 128` before
 * `-ub 256`); otherwise in the order they were written, when both come from
 * one input.
 */
export function orderPair(a: Config, b: Config): [Config, Config] {
  const changes = changesBetween(a, b);
  if (changes.length === 1) {
    const [x, y] = [Number(changes[0].before), Number(changes[0].after)];
    if (Number.isFinite(x) && Number.isFinite(y) && changes[0].before !== "—" && changes[0].after !== "—") return x <= y ? [a, b] : [b, a];
  }
  if (a.rows[0].source_sha256 === b.rows[0].source_sha256) return firstLine(a) <= firstLine(b) ? [a, b] : [b, a];
  return [a, b];
}

/** A select of configurations whose choice lives in the URL (`?before=<id>`), so a comparison can be linked. */
export function configPicker(configs: Config[], {param, label, value}: {param: string; label: string; value?: string | null}): HTMLElement & {value: string} {
  return urlSelect(new Map(configs.map((c) => [c.label, c.id])), {param, label, value, width: 560});
}

const cellText = (c: Cell, unit: string) => (c.status !== "ok" ? `${c.status}${c.status_detail ? ` (${c.status_detail})` : ""}` : `${c.approximate ? "~" : ""}${formatPm(c.value, c.stddev)} ${unit}`.trim());

/** Each shared metric's after/before ratio (×) with its interval where the inputs had dispersion; the label gives both values. */
export function diffPlot(diff: ConfigDiff, {width = 640}: {width?: number} = {}): SVGSVGElement | HTMLElement {
  const compared = diff.metrics.filter((m) => m.comparison);
  const row = (m: MetricDelta) => `${m.label}${diff.metrics.filter((n) => n.label === m.label).length > 1 ? ` (${m.before.test} → ${m.after.test})` : ""}`;
  const interval = compared.filter((m) => m.comparison!.low !== null);
  return Plot.plot({
    width,
    height: 50 + 28 * Math.max(1, compared.length),
    marginLeft: Math.min(320, 8 + 6.2 * Math.max(...compared.map((m) => row(m).length), 10)),
    marginRight: 140,
    x: {label: "after ÷ before (×)", grid: true, tickFormat: (d: number) => `${d}×`},
    y: {label: null, domain: compared.map(row)},
    marks: [
      Plot.ruleX([1], {stroke: "currentColor", strokeOpacity: 0.5}),
      Plot.ruleY(interval, {y: row, x1: (m: MetricDelta) => m.comparison!.low!, x2: (m: MetricDelta) => m.comparison!.high!, stroke: "var(--theme-foreground-focus)", strokeWidth: 2}),
      Plot.dot(compared, {
        y: row,
        x: (m: MetricDelta) => m.comparison!.ratio,
        fill: (m: MetricDelta) => (m.comparison!.ratio >= 1 ? "higher" : "lower"),
        r: 5,
        ariaDescription: "delta",
        title: (m: MetricDelta) => `${m.label}\n${cellText(m.before, m.unit)} → ${cellText(m.after, m.unit)}\n${formatRatio(m.comparison!)} (${formatChange(m.comparison!, 1)})\n${m.comparison!.note}`
      }),
      Plot.text(compared, {y: row, x: (m: MetricDelta) => m.comparison!.ratio, text: (m: MetricDelta) => `${m.before.value} → ${m.after.value} ${m.unit}`, dx: 10, textAnchor: "start", fontSize: 10, fill: "currentColor"})
    ],
    color: {domain: ["higher", "lower"], range: ["var(--theme-foreground-focus)", "var(--theme-foreground-muted)"]}
  });
}

export const CHANGE_COLUMNS = ["field", "before", "after"];

/** What changed: machine, model, runtime, build and every setting that differs. */
export function changesTable(diff: ConfigDiff): HTMLElement {
  if (diff.changes.length === 0) return html`<p class="muted">Nothing differs between the two configurations: same machine, model, runtime and settings.</p>` as HTMLElement;
  return Inputs.table(diff.changes, {columns: CHANGE_COLUMNS, header: {field: "what", before: "before", after: "after"}, layout: "auto", select: false, rows: 20} as any) as HTMLElement;
}

export const DELTA_COLUMNS = ["metric", "unit", "before_test", "before", "before_stddev", "after_test", "after", "after_stddev", "difference", "difference_low", "difference_high", "ratio", "ratio_low", "ratio_high", "within_noise", "method", "before_source", "after_source"];

export function deltaTableRows(diff: ConfigDiff): Record<string, string | number | boolean | null>[] {
  return diff.metrics.map((m) => ({
    metric: m.label,
    unit: m.unit,
    before_test: m.before.test,
    before: m.before.status === "ok" ? m.before.value : m.before.status,
    before_stddev: m.before.stddev,
    after_test: m.after.test,
    after: m.after.status === "ok" ? m.after.value : m.after.status,
    after_stddev: m.after.stddev,
    difference: m.comparison?.difference ?? null,
    difference_low: m.difference?.low ?? null,
    difference_high: m.difference?.high ?? null,
    ratio: m.comparison?.ratio ?? null,
    ratio_low: m.comparison?.low ?? null,
    ratio_high: m.comparison?.high ?? null,
    within_noise: m.comparison?.noise ?? null,
    method: m.comparison?.method ?? null,
    before_source: `${m.before.source_sha256}:${m.before.lines.join(",")}`,
    after_source: `${m.after.source_sha256}:${m.after.lines.join(",")}`
  }));
}

/** Every shared metric: before and after as printed (linked to their lines), the difference, the ratio with its interval. */
export function deltaTable(diff: ConfigDiff): HTMLElement {
  const rows = diff.metrics.map((m, i) => ({...m, i, delta: m.comparison?.difference ?? null}));
  type Row = (typeof rows)[number];
  const links = (c: Cell) => html`<span>${c.lines.map((line, k) => html`${k ? ", " : ""}${sourceLink(c.source_sha256, line, `L${line}`)}`)}</span>`;
  return Inputs.table(rows, {
    columns: ["label", "before", "after", "delta", "comparison"],
    header: {label: "metric", before: "before", after: "after", delta: "after − before", comparison: "after ÷ before"},
    format: {
      before: (c: Cell, i: number, data: Row[]) => html`<span title=${c.test}>${cellText(c, data[i].unit)}</span> ${links(c)}`,
      after: (c: Cell, i: number, data: Row[]) => html`<span title=${c.test}>${cellText(c, data[i].unit)}</span> ${links(c)}`,
      delta: (d: number | null, i: number, data: Row[]) => {
        if (d === null) return "—";
        const f = (x: number) => `${x >= 0 ? "+" : "−"}${Number(Math.abs(x).toPrecision(4))}`;
        const interval = data[i].difference;
        return `${f(d)} ${data[i].unit}${interval ? ` [${f(interval.low)} to ${f(interval.high)}]` : ""}`;
      },
      comparison: (c: Comparison | null) => (c ? html`<span title=${c.note}>${formatRatio(c)} (${formatChange(c, 1)})${c.noise ? " ≈ within noise" : ""}${c.method === "none" ? " · no dispersion printed" : ""}</span>` : "—")
    },
    sort: undefined,
    rows: 20,
    layout: "auto",
    select: false
  } as any) as HTMLElement;
}
