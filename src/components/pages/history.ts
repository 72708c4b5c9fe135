/** The history page: every series over builds with its change points, and what changed since the previous build. */
import * as Plot from "@observablehq/plot";
import {html} from "htl";
import {FileAttachment} from "observablehq:stdlib";
import {chartFigure} from "../shared/downloads.js";
import {runLink, sourceLink} from "../shared/format.js";

export interface Comparison {
  ratio: number;
  low: number | null;
  high: number | null;
  noise: boolean | null;
  method: string;
}

export interface Point {
  build: string;
  build_commit: string | null;
  build_number: number | null;
  time: string | null;
  mean: number;
  sd: number | null;
  n: number | null;
  rows: number;
  run_ids: string[];
  source: {sha256: string; line: number} | null;
}

export interface Change {
  index: number;
  direction: "regression" | "improvement" | "change";
  ratio: number;
  low: number | null;
  high: number | null;
  p: number;
  before: number;
  after: number;
  adjacent: Comparison | null;
}

export interface Series {
  id: string;
  label: [string, string | null][];
  key: Record<string, string | null>;
  better: "higher" | "lower" | "none";
  order: string;
  status: "changed" | "no change" | "insufficient data";
  unstable: boolean;
  cv: number | null;
  reason: string | null;
  points: Point[];
  levels: {from: number; to: number; mean: number}[];
  changes: Change[];
}

export interface Latest {
  series_id: string;
  previous: string;
  newest: string;
  comparison: Comparison | null;
  flagged: Change["direction"] | null;
}

export interface HistoryData {
  /** Series with two builds or more. */
  series: Series[];
  latest: Latest[];
}

export function loadHistory(): Promise<HistoryData> {
  return FileAttachment("../../data/history.json").json();
}

const COLORS = {regression: "#d62728", improvement: "#2ca02c", change: "#ff7f0e"};
const percent = (ratio: number) => `${ratio >= 1 ? "+" : "−"}${Math.abs((ratio - 1) * 100).toFixed(1)}%`;
const interval = (c: {low: number | null; high: number | null}) =>
  c.low === null || c.high === null ? "" : `[${percent(c.low)}, ${percent(c.high)}]`;
const seriesName = (s: Series) => s.label.map(([, v]) => v ?? "—").join(" · ");
const runLinks = (ids: string[]) => ids.map((id, i) => html`${i ? ", " : ""}${runLink(id)}`);
/** A build as `de3ff81 (1)`. */
export const buildName = (p: Pick<Point, "build" | "build_commit" | "build_number">) =>
  p.build_commit ? (p.build_number !== null ? `${p.build_commit} (${p.build_number})` : p.build_commit) : p.build;

function verdict(l: Latest): HTMLElement {
  if (l.flagged) return html`<strong style=${{color: COLORS[l.flagged]}}>${l.flagged}</strong>`;
  if (!l.comparison) return html`<span class="muted">—</span>`;
  if (l.comparison.noise === null) return html`<span class="muted">no deviation stated</span>`;
  return l.comparison.noise
    ? html`<span class="muted">within noise</span>`
    : html`<span>differs from the previous build, not flagged as a change</span>`;
}

/** One sentence: how many series measured a newest build, and what was flagged there. */
export function latestSummary(data: HistoryData): HTMLElement {
  const count = (d: string) => data.latest.filter((l) => l.flagged === d).length;
  if (!data.latest.length)
    return html`<p class="muted">No series has two builds yet: import a second build's results and rebuild.</p>`;
  return html`<p>${data.latest.length} ${data.latest.length === 1 ? "series has" : "series have"} a newest build to compare with the one before:
    <strong>${count("regression")}</strong> ${count("regression") === 1 ? "regression" : "regressions"},
    <strong>${count("improvement")}</strong> ${count("improvement") === 1 ? "improvement" : "improvements"} flagged there${count("change") ? html`, ${count("change")} other change${count("change") === 1 ? "" : "s"}` : ""}.</p>`;
}

/** Newest build against the previous one, per series: flagged changes first, then by size. */
export function latestTable(data: HistoryData, {limit = 50} = {}): HTMLElement {
  const byId = new Map(data.series.map((s) => [s.id, s]));
  const rank = (l: Latest) => (l.flagged === "regression" ? 0 : l.flagged ? 1 : 2);
  const rows = [...data.latest]
    .sort(
      (a, b) => rank(a) - rank(b) || Math.abs((b.comparison?.ratio ?? 1) - 1) - Math.abs((a.comparison?.ratio ?? 1) - 1)
    )
    .slice(0, limit);
  return html`<table class="bb-history-latest">
    <thead><tr><th>Series</th><th>Previous → newest build</th><th>Change</th><th>Interval</th><th>Verdict</th></tr></thead>
    <tbody>${rows.map((l) => {
      const s = byId.get(l.series_id)!;
      const [previous, newest] = s.points.slice(-2);
      return html`<tr>
        <td><a href=${`#${seriesAnchor(s)}`}>${seriesName(s)}</a></td>
        <td>${buildName(previous)} → ${buildName(newest)}</td>
        <td style="text-align:right">${l.comparison ? percent(l.comparison.ratio) : "—"}</td>
        <td>${l.comparison ? interval(l.comparison) : ""}</td>
        <td>${verdict(l)}</td></tr>`;
    })}</tbody></table>`;
}

/** Every flagged change: where, how large, the runs on either side and their own comparison. */
export function changesTable(data: HistoryData): HTMLElement {
  const rows = data.series.flatMap((s) => s.changes.map((c) => ({s, c})));
  if (!rows.length) return html`<p class="muted">No change point in any series.</p>`;
  return html`<table class="bb-history-changes">
    <thead><tr><th>Series</th><th>Build before → after</th><th>Level before → after</th><th>Change</th><th>95% CI</th><th>Label</th><th>Runs before / after</th><th>These two builds</th></tr></thead>
    <tbody>${rows.map(({s, c}) => {
      const before = s.points[c.index - 1];
      const after = s.points[c.index];
      return html`<tr>
        <td><a href=${`#${seriesAnchor(s)}`}>${seriesName(s)}</a>${s.unstable ? html` <span class="muted">(unstable)</span>` : ""}</td>
        <td>${buildName(before)} → ${buildName(after)}</td>
        <td style="text-align:right">${+c.before.toPrecision(6)} → ${+c.after.toPrecision(6)}</td>
        <td style="text-align:right">${percent(c.ratio)}</td>
        <td>${interval(c)}</td>
        <td><strong style=${{color: COLORS[c.direction]}}>${c.direction}</strong></td>
        <td>${runLinks(before.run_ids)} / ${runLinks(after.run_ids)}</td>
        <td>${c.adjacent ? html`${percent(c.adjacent.ratio)} ${interval(c.adjacent)}${c.adjacent.noise ? " ≈" : ""}` : ""}</td></tr>`;
    })}</tbody></table>`;
}

export const seriesAnchor = (s: Series) =>
  `series-${s.id.length.toString(36)}-${[...s.id].reduce((h, ch) => (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0, 7).toString(36)}`;

/** Series to draw: those with changes first, then the others; `changedOnly` keeps the first. */
export function pickSeries(data: HistoryData, {changedOnly = false, metric = null as string | null} = {}): Series[] {
  return data.series
    .filter((s) => (!changedOnly || s.changes.length) && (!metric || s.key.metric === metric))
    .sort((a, b) => Number(b.changes.length > 0) - Number(a.changes.length > 0));
}

/** One series over its builds: dots (±1 sd of the repetitions), each segment's level, a rule at each change; a dot links to its run. */
export function seriesPlot(s: Series, {width = 640} = {}): HTMLElement | SVGSVGElement {
  const points = s.points.map((p, i) => ({
    ...p,
    i,
    name: buildName(p),
    low: p.sd === null ? null : p.mean - p.sd,
    high: p.sd === null ? null : p.mean + p.sd,
    href: p.run_ids[0] ? `./runs/${p.run_ids[0]}.html` : null
  }));
  const names = points.map((p) => p.name);
  const levels = s.levels.flatMap((l) => [
    {x: names[l.from], y: l.mean, segment: l.from},
    {x: names[l.to - 1], y: l.mean, segment: l.from}
  ]);
  const changes = s.changes.map((c) => ({
    x: names[c.index],
    label: `${c.direction} ${percent(c.ratio)}`,
    color: COLORS[c.direction]
  }));
  return Plot.plot({
    width,
    height: 240,
    marginBottom: 60,
    x: {type: "point", domain: names, label: null, tickRotate: -30},
    y: {label: `${s.key.metric ?? ""} (${s.key.unit ?? ""})`, grid: true},
    marks: [
      Plot.ruleX(changes, {x: "x", stroke: "color", strokeDasharray: "4 3"}),
      Plot.text(changes, {x: "x", frameAnchor: "top", dy: 4, dx: 4, textAnchor: "start", text: "label", fill: "color"}),
      Plot.line(levels, {x: "x", y: "y", z: "segment", stroke: "#999", strokeWidth: 2}),
      Plot.ruleX(
        points.filter((p) => p.low !== null),
        {x: "name", y1: "low", y2: "high", stroke: "currentColor", strokeOpacity: 0.5}
      ),
      Plot.dot(points, {
        x: "name",
        y: "mean",
        fill: "currentColor",
        r: 3,
        href: "href",
        tip: true,
        title: (p) =>
          `${p.name}\nmean ${p.mean}${p.sd !== null ? ` ± ${+p.sd.toPrecision(4)}` : ""}${p.n !== null ? ` (n = ${p.n})` : ""}\n${p.time ?? ""}\nruns: ${p.run_ids.join(", ")}`
      })
    ]
  });
}

/** A series' chart with its name, its status, and each change's runs on either side. */
export function seriesFigure(s: Series, {width = 640} = {}): HTMLElement {
  const status =
    s.status === "insufficient data"
      ? `insufficient data (${s.reason})`
      : s.changes.length
        ? `${s.changes.length} change${s.changes.length === 1 ? "" : "s"}`
        : "no change";
  const caption = `${status}${s.unstable ? `; unstable: ${s.reason}` : ""}; builds ordered by ${s.order.replace("_", " ")}. Bars: ±1 sd of the repetitions; grey: each segment's level. A dot opens its run.`;
  const figure = chartFigure(seriesPlot(s, {width}), {
    title: seriesName(s),
    caption,
    filename: `history-${seriesAnchor(s)}`
  });
  figure.id = seriesAnchor(s);
  const first = s.points[0]?.source;
  const details = s.changes.map((c) => {
    const before = s.points[c.index - 1];
    const after = s.points[c.index];
    return html`<li><strong style=${{color: COLORS[c.direction]}}>${c.direction} ${percent(c.ratio)}</strong> ${interval(c)} at ${buildName(after)}: runs before ${runLinks(before.run_ids)}, after ${runLinks(after.run_ids)}.</li>`;
  });
  return html`<div class="bb-history-series">${figure}${details.length ? html`<ul>${details}</ul>` : ""}${first ? html`<p class="muted">First value read at ${sourceLink(first.sha256, first.line, "its raw line")}.</p>` : ""}</div>`;
}
