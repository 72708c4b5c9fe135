/**
 * Formatting shared by components: numbers shown as the tool printed them
 * (no rounding beyond what the source had), links back to raw lines.
 */
import {html} from "htl";
import * as aq from "./arquero.js";
import type {ResultRow} from "./data.js";
import type {SdSource} from "./rows.js";
import type {Measured} from "./statistics/uncertainty.js";

export function formatPm(value: number | null | undefined, stddev: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return stddev === null || stddev === undefined ? String(value) : `${value} ± ${stddev}`;
}

/** A percentage for display, to one decimal (a derived ratio, not a measured value). */
export function formatPercent(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined || !Number.isFinite(ratio) ? "—" : `${(ratio * 100).toFixed(1)}%`;
}

/** Relative URL of a raw input's page, at a line (pages live at the site root or one level down). */
export function sourceHref(sha256: string, line?: number | null, depth = 0): string {
  return `${depth ? "../".repeat(depth) : "./"}sources/${sha256}.html${line ? `#L${line}` : ""}`;
}

/** A link to the raw line a number came from; the text is escaped by htl. */
export function sourceLink(
  sha256: string,
  line: number | null | undefined,
  label: string,
  depth = 0
): HTMLAnchorElement {
  return html`<a href=${sourceHref(sha256, line, depth)} title="raw input, line ${line ?? ""}">${label}</a>` as HTMLAnchorElement;
}

/**
 * The writeup line a hand-entered value was read from, when its observations
 * file attached the writeup (docs/hand-entered.md: `writeup:`): the importer
 * checked that line and stored `writeup_sha256` beside `source_line` in the
 * value's extra (the row's `result_extra`). The export gives the writeup its
 * own raw-input page.
 */
export function writeupLine(extra: Record<string, unknown> | null | undefined): {sha256: string; line: number} | null {
  const sha256 = extra?.writeup_sha256;
  const cited = extra?.source_line;
  const line =
    typeof cited === "number" ? cited : typeof cited === "string" ? Number(/^\s*(\d+)/.exec(cited)?.[1]) : NaN;
  return typeof sha256 === "string" && /^[0-9a-f]{64}$/.test(sha256) && Number.isInteger(line) && line > 0
    ? {sha256, line}
    : null;
}

/** `39.023 ± 0.41*` where the sd was computed from samples (a derived figure, 2 significant digits). */
export function formatMeasured(m: Measured & {sd_source: SdSource}): string {
  if (m.sd_source === "samples" && m.stddev !== null) return `${m.value} ± ${Number(m.stddev.toPrecision(2))}*`;
  return formatPm(m.value, m.stddev);
}

/** A link to a run's page, from a page `depth` folders below the site root. */
export function runLink(runId: string, depth = 0): HTMLAnchorElement {
  return html`<a href=${`${depth ? "../".repeat(depth) : "./"}runs/${runId}.html`}>${runId}</a>` as HTMLAnchorElement;
}

/**
 * "N results not shown: 8 because …; 4 because …" under a chart whose page filters rows; an empty
 * element where nothing was left out. Nothing a page drops goes unsaid.
 */
export function leftOutNote(counts: {reason: string; n: number}[]): HTMLElement {
  const shown = counts.filter((c) => c.n > 0);
  const total = shown.reduce((sum, c) => sum + c.n, 0);
  if (!total) return html`<span class="bb-left-out" hidden></span>` as HTMLElement;
  const n = (x: number) => `${x.toLocaleString("en-US")} result${x === 1 ? "" : "s"}`;
  const why =
    shown.length === 1
      ? ` because ${shown[0].reason}`
      : `: ${shown.map((c) => `${c.n.toLocaleString("en-US")} because ${c.reason}`).join("; ")}`;
  return html`<p class="bb-note bb-left-out" data-left-out=${total}>${n(total)} not shown${why}.</p>` as HTMLElement;
}

/**
 * What a page's charts leave out, counted by reason (arquero's rollup), most first: `why(row)` names
 * the filter a row fails (null: it passes); of the rows that pass, those beyond `drawn` are left out
 * for `rest` (e.g. no second runtime to compare with). Feed to leftOutNote.
 */
export function leftOutCounts<T>(
  rows: T[],
  why: (row: T) => string | null,
  rest?: {drawn: number; reason: string}
): {reason: string; n: number}[] {
  const reasons = rows.map(why).filter((r): r is string => r !== null);
  const passed = rows.length - reasons.length;
  if (rest && passed > rest.drawn) reasons.push(...Array<string>(passed - rest.drawn).fill(rest.reason));
  if (!reasons.length) return [];
  return aq.table({reason: reasons}).groupby("reason").count({as: "n"}).orderby(aq.desc("n"), "reason").objects() as {
    reason: string;
    n: number;
  }[];
}

/**
 * The first links of the reason chains (leftOutCounts) of the pages that draw one statistic of a
 * metric's run values: another metric or test kind, no value, a field the page needs not stated
 * (`needs`: the runtime, the split mode), per-request or per-interval values, another statistic
 * (`statChosen`: the page has a selector for it). Null: the row passes; the page's own reasons follow.
 */
export function measuredReason(
  row: ResultRow,
  {
    metric = "throughput",
    kinds,
    stat = "mean",
    statChosen = false,
    needs = []
  }: {metric?: string; kinds?: string[]; stat?: string; statChosen?: boolean; needs?: [field: string, what: string][]}
): string | null {
  if (row.metric !== metric) return `they are not ${metric}`;
  if (kinds && !kinds.includes(row.kind))
    return `they are neither ${kinds.map((k) => KIND_TEXT[k] ?? k).join(" nor ")}`;
  if (row.status !== "ok" || row.value === null) return "their test did not produce a value";
  for (const [field, what] of needs)
    if (row[field] === null || row[field] === undefined || row[field] === "") return `they do not state ${what}`;
  if ((row.scope ?? "run") !== "run") return `they are per-${row.scope} values, not a run's`;
  if (row.stat !== stat)
    return statChosen
      ? `they are other statistics than the ${stat}s compared (choose the statistic above)`
      : `they are not ${stat}s (the charts draw ${stat}s)`;
  return null;
}
const KIND_TEXT: Record<string, string> = {pp: "prompt processing", tg: "generation"};

/** A table cell (Inputs.table `format`): the row's raw line, linked. */
export const rawLineCell = (_: unknown, i: number, data: {source_sha256: string; line: number}[]): HTMLAnchorElement =>
  sourceLink(data[i].source_sha256, data[i].line, `line ${data[i].line}`);

/** A table cell (Inputs.table `format`): the row's value ± sd as measured (formatMeasured). */
export const measuredCell = (_: unknown, i: number, data: (Measured & {sd_source: SdSource})[]): string =>
  formatMeasured(data[i]);
