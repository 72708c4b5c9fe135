/**
 * Claims: numbers in a report's prose, computed at build time and never typed in, each linked to its raw line
 * with `data-*` attributes a test can check. `pick` throws unless exactly one row matches, so a report never
 * quietly quotes the wrong row; hand-entered values carry a visible mark.
 */
import {html} from "htl";
import {sourceHref} from "./format.js";
import {compareMeans, formatRatio, type Comparison} from "./statistics/uncertainty.js";

export type Row = Record<string, any>;
export type Where = Record<string, string | number | boolean | null | RegExp | ((value: any) => boolean)>;

export class ClaimError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ClaimError";
  }
}

/** A row's value for a `where` key: a column, `tag:NAME`, or `setting.NAME`. */
export function field(row: Row, key: string): unknown {
  if (key.startsWith("tag:")) return row.tags?.[key.slice(4)] ?? null;
  if (key.startsWith("setting.")) return row.settings?.[key.slice(8)] ?? null;
  return row[key] ?? null;
}

function holds(row: Row, key: string, want: Where[string]): boolean {
  const have = field(row, key);
  if (want instanceof RegExp) return have !== null && want.test(String(have));
  if (typeof want === "function") return want(have);
  if (want === null) return have === null;
  return have !== null && String(have) === String(want);
}

/** Every row matching all of `where`. */
export function pickAll(rows: Row[], where: Where): Row[] {
  const keys = Object.keys(where);
  return rows.filter((row) => keys.every((k) => holds(row, k, where[k])));
}

const describe = (where: Where) =>
  Object.entries(where)
    .map(([k, v]) => `${k}=${v instanceof RegExp ? v : typeof v === "function" ? "(fn)" : v}`)
    .join(", ");

/** Exactly one row matching `where` (throws otherwise, naming the criteria and the count). */
export function pick(rows: Row[], where: Where): Row {
  const found = pickAll(rows, where);
  if (found.length !== 1)
    throw new ClaimError(`${found.length} rows match ${describe(where)} (a claim needs exactly one)`);
  return found[0];
}

export interface ClaimOptions {
  /** Folders between the page and the site root: 1 for src/reports/*.md. */
  depth?: number;
  /** A name for the claim (`data-claim`), so tests can find it. */
  id?: string;
  /** Show the unit after the number (default true). */
  unit?: boolean;
  /** Show ± sd when stored (default true). */
  sd?: boolean;
}

export const isHand = (row: Row) => row.origin === "hand-entered";

/** The "hand-entered" mark shown next to every typed-in number. */
export function handMark(): HTMLElement {
  return html`<span class="bb-hand" title="typed in by hand from the writeup's prose or hand-made tables, not read from a tool's output">hand-entered</span>` as HTMLElement;
}

const unitText = (row: Row) => (!row.unit ? "" : row.unit === "%" ? "%" : ` ${row.unit}`);

/** The number as stored (value ± sd unit), or the failure status. */
export function valueText(row: Row, {unit = true, sd = true}: {unit?: boolean; sd?: boolean} = {}): string {
  if (row.status && row.status !== "ok") return row.status;
  const number =
    sd && row.stddev !== null && row.stddev !== undefined ? `${row.value} ± ${row.stddev}` : String(row.value);
  return `${row.approximate || row.result_extra?.approximate ? "~" : ""}${number}${unit ? unitText(row) : ""}`;
}

/** `21.59 ± 0.05 tok/s`, linked to the raw line it was read from. */
export function value(row: Row, {depth = 1, id, unit = true, sd = true}: ClaimOptions = {}): HTMLElement {
  const link =
    html`<a class="bb-claim bb-value" href=${sourceHref(row.source_sha256, row.line, depth)} title=${`raw input, line ${row.line}${row.text ? `: “${row.text}”` : ""}`}>${valueText(row, {unit, sd})}</a>` as HTMLAnchorElement;
  link.dataset.value = row.value === null || row.value === undefined ? "" : String(row.value);
  link.dataset.source = row.source_sha256;
  link.dataset.line = String(row.line);
  link.dataset.origin = row.origin ?? "measured";
  if (id) link.dataset.claim = id;
  return isHand(row) ? (html`<span class="bb-claim-wrap">${link} ${handMark()}</span>` as HTMLElement) : link;
}

/**
 * A row as compareMeans' input: what was printed, nothing assumed. Where a
 * tool printed per-repetition samples but no sd (mlx_lm.benchmark's trials),
 * the sample sd of those samples is used, with n = their count.
 */
export function measured(row: Row) {
  const samples: number[] | null = Array.isArray(row.samples) ? row.samples.map(Number) : null;
  if ((row.stddev === null || row.stddev === undefined) && samples && samples.length > 1) {
    const mean = samples.reduce((s, v) => s + v, 0) / samples.length;
    const sd = Math.sqrt(samples.reduce((s, v) => s + (v - mean) ** 2, 0) / (samples.length - 1));
    return {value: row.value as number, stddev: sd, stddev_kind: "sample", repetitions: samples.length};
  }
  return {
    value: row.value as number,
    stddev: row.stddev ?? null,
    stddev_kind: row.stddev_kind ?? null,
    repetitions: row.repetitions ?? null
  };
}

/** b / a with its interval (compareMeans). */
export function compare(a: Row, b: Row): Comparison {
  for (const r of [a, b])
    if (r.status && r.status !== "ok") throw new ClaimError(`cannot compare a ${r.status} result (line ${r.line})`);
  return compareMeans(measured(a), measured(b));
}

const METHOD: Record<string, string> = {welch: "95% CI, Welch", "sd-overlap": "±1 sd", none: "no sd printed"};

function methodText(c: Comparison): string {
  return METHOD[c.method];
}

function refs(a: Row, b: Row, depth: number): HTMLElement {
  return html`<sup class="bb-refs"><a href=${sourceHref(a.source_sha256, a.line, depth)} title=${`A: raw input, line ${a.line}`}>A</a>,<a href=${sourceHref(b.source_sha256, b.line, depth)} title=${`B: raw input, line ${b.line}`}>B</a></sup>` as HTMLElement;
}

function comparisonElement(
  kind: "ratio" | "change" | "share",
  a: Row,
  b: Row,
  c: Comparison,
  text: string,
  depth: number,
  id?: string
): HTMLElement {
  const span =
    html`<span class=${`bb-claim bb-${kind}`} title=${`${c.note}. A: ${valueText(a)} (line ${a.line}); B: ${valueText(b)} (line ${b.line})`}>${text}${c.noise ? html` <span class="bb-noise">(within noise)</span>` : ""}${refs(a, b, depth)}${isHand(a) || isHand(b) ? html` ${handMark()}` : ""}</span>` as HTMLElement;
  const d = span.dataset;
  d.ratio = String(c.ratio);
  d.low = c.low === null ? "" : String(c.low);
  d.high = c.high === null ? "" : String(c.high);
  d.method = c.method;
  d.noise = String(c.noise);
  d.aSource = a.source_sha256;
  d.aLine = String(a.line);
  d.aValue = String(a.value);
  d.bSource = b.source_sha256;
  d.bLine = String(b.line);
  d.bValue = String(b.value);
  if (id) d.claim = id;
  return span;
}

/** `2.08× [2.08–2.09, ±1 sd]`: b / a. */
export function ratioText(c: Comparison, digits = 2): string {
  const f = (x: number) => x.toFixed(digits);
  return c.low === null || c.high === null
    ? `${f(c.ratio)}× (${methodText(c)})`
    : `${f(c.ratio)}× [${f(c.low)}–${f(c.high)}, ${methodText(c)}]`;
}

export function ratio(a: Row, b: Row, {depth = 1, id, digits = 2}: ClaimOptions & {digits?: number} = {}): HTMLElement {
  const c = compare(a, b);
  return comparisonElement("ratio", a, b, c, ratioText(c, digits), depth, id);
}

const pct = (x: number, digits: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(digits)}%`;

/** `+78% [+75%–+81%, 95% CI]`: the change from a to b. */
export function changeText(c: Comparison, digits = 0): string {
  const main = pct(c.ratio - 1, digits);
  return c.low === null || c.high === null
    ? `${main} (${methodText(c)})`
    : `${main} [${pct(c.low - 1, digits)} to ${pct(c.high - 1, digits)}, ${methodText(c)}]`;
}

export function change(
  a: Row,
  b: Row,
  {depth = 1, id, digits = 0}: ClaimOptions & {digits?: number} = {}
): HTMLElement {
  const c = compare(a, b);
  return comparisonElement("change", a, b, c, changeText(c, digits), depth, id);
}

/** `68.1% [67.9–68.3%, ±1 sd]`: b as a share of a. */
export function shareText(c: Comparison, digits = 1): string {
  const f = (x: number) => (x * 100).toFixed(digits);
  return c.low === null || c.high === null
    ? `${f(c.ratio)}% (${methodText(c)})`
    : `${f(c.ratio)}% [${f(c.low)}–${f(c.high)}%, ${methodText(c)}]`;
}

export function share(a: Row, b: Row, {depth = 1, id, digits = 1}: ClaimOptions & {digits?: number} = {}): HTMLElement {
  const c = compare(a, b);
  return comparisonElement("share", a, b, c, shareText(c, digits), depth, id);
}

/**
 * A band typed in as a range (`90-100 tok/s`): the `range_low` and
 * `range_high` rows matching `where`, each linked to its line.
 */
export function range(rows: Row[], where: Where, {depth = 1, id, unit = true}: ClaimOptions = {}): HTMLElement {
  const low = pick(rows, {...where, stat: "range_low"});
  const high = pick(rows, {...where, stat: "range_high"});
  const link = (row: Row, which: string) => {
    const a =
      html`<a class="bb-claim bb-value" href=${sourceHref(row.source_sha256, row.line, depth)} title=${`raw input, line ${row.line}${row.text ? `: “${row.text}”` : ""}`}>${String(row.value)}</a>` as HTMLAnchorElement;
    a.dataset.value = String(row.value);
    a.dataset.source = row.source_sha256;
    a.dataset.line = String(row.line);
    a.dataset.origin = row.origin ?? "measured";
    if (id) a.dataset.claim = `${id}-${which}`;
    return a;
  };
  return html`<span class="bb-range">${row0Approx(low)}${link(low, "low")}–${link(high, "high")}${unit ? unitText(low) : ""}${isHand(low) ? html` ${handMark()}` : ""}</span>` as HTMLElement;
}

const row0Approx = (row: Row) => (row.result_extra?.approximate ? "~" : "");

/**
 * A stated fact of a row's run that is not a measured value (GPU count, VRAM, depth, a server option), shown
 * as given and linked to the line stating it (`line`, default the value's own line).
 */
export function fact(
  row: Row,
  given: string | number | boolean | null | undefined,
  {depth = 1, id, unit = "", line}: {depth?: number; id?: string; unit?: string; line?: number} = {}
): HTMLElement {
  if (given === null || given === undefined) throw new ClaimError(`no such fact for run ${row.run_id}`);
  const at = line ?? row.line;
  const a =
    html`<a class="bb-claim bb-fact" href=${sourceHref(row.source_sha256, at, depth)} title=${`stated on line ${at} of the raw input`}>${String(given)}${unit ? ` ${unit}` : ""}</a>` as HTMLAnchorElement;
  a.dataset.value = String(given);
  a.dataset.source = row.source_sha256;
  a.dataset.line = String(at);
  a.dataset.origin = row.origin ?? "measured";
  if (id) a.dataset.claim = id;
  return isHand(row) ? (html`<span class="bb-claim-wrap">${a} ${handMark()}</span>` as HTMLElement) : a;
}

/** The largest of several rows' values, as a claim (e.g. the best cell of a sweep). */
export function best(rows: Row[], {higher = true}: {higher?: boolean} = {}): Row {
  const ok = rows.filter((r) => r.status === "ok" && typeof r.value === "number");
  if (!ok.length) throw new ClaimError("no measured value to choose from");
  return ok.reduce((m, r) => ((higher ? r.value > m.value : r.value < m.value) ? r : m));
}

/**
 * Components written for pages at the site root link raw lines as
 * `./sources/…` and runs as `./runs/…`; a report one folder down needs
 * `../`. `relink(element, depth)` rewrites those links in place, now and
 * whenever the element renders more rows (Inputs.table renders lazily).
 */
export function relink<T extends Element>(element: T, depth = 1): T {
  const prefix = "../".repeat(depth);
  const fix = (root: Element) => {
    for (const a of root.querySelectorAll<HTMLAnchorElement>('a[href^="./sources/"], a[href^="./runs/"]'))
      a.setAttribute("href", prefix + a.getAttribute("href")!.slice(2));
  };
  fix(element);
  new MutationObserver(() => fix(element)).observe(element, {childList: true, subtree: true});
  return element;
}
