/**
 * Formatting shared by components: numbers shown as the tool printed them
 * (no rounding beyond what the source had), links back to raw lines.
 */
import {html} from "htl";

/** A value as stored: JS prints the shortest exact decimal, so 330.87 stays 330.87. */
export function formatValue(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : String(value);
}

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
export function sourceLink(sha256: string, line: number | null | undefined, label: string, depth = 0): HTMLAnchorElement {
  return html`<a href=${sourceHref(sha256, line, depth)} title="raw input, line ${line ?? ""}">${label}</a>` as HTMLAnchorElement;
}
