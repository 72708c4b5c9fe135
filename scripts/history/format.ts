/**
 * `benchbook history` output: the flagged changes as an aligned terminal
 * table or a Markdown pipe table (one row per change, the series named by
 * the key columns that tell the listed series apart), a line counting the
 * series by status, or JSON Lines (one FlaggedChange per line).
 */
import {alignedTable, markdownTable} from "../compare/format.js";
import {UNSTABLE_CV} from "./changes.js";
import type {FlaggedChange, SeriesHistory} from "./history.js";

/** Key columns always shown, then the others in key order wherever they differ. */
const ALWAYS = ["model_label", "test", "metric"];

export const percent = (ratio: number) => `${ratio >= 1 ? "+" : "−"}${Math.abs((ratio - 1) * 100).toFixed(1)}%`;
const interval = (c: FlaggedChange) =>
  c.low === null || c.high === null ? "unbounded" : `[${percent(c.low)}, ${percent(c.high)}]`;
const num = (x: number) => String(+x.toPrecision(6));
const buildLabel = (commit: string | null, number: number | null, build: string) =>
  commit ? (number !== null ? `${commit} (${number})` : commit) : build;

/**
 * ALWAYS, then each other key column whose value the columns already chosen do not determine (n_gen follows test), over these series keys.
 * Each key carries the number of its class (keys equal on the chosen columns) and a column chosen splits the classes further:
 * a tuple of the chosen columns' values is never printed per key and column (the export's history has one key per series).
 */
export function seriesColumns(keys: Record<string, string | null>[]): string[] {
  const names = [...new Set(keys.flatMap((k) => Object.keys(k)))];
  const columns: string[] = [];
  let classes = new Int32Array(keys.length);
  let count = keys.length ? 1 : 0;
  const choose = (name: string) => {
    columns.push(name);
    const split = new Map<number, Map<string | null, number>>();
    const next = new Int32Array(keys.length);
    count = 0;
    keys.forEach((key, i) => {
      let byValue = split.get(classes[i]);
      if (!byValue) split.set(classes[i], (byValue = new Map()));
      const value = key[name] ?? null;
      let c = byValue.get(value);
      if (c === undefined) byValue.set(value, (c = count++));
      next[i] = c;
    });
    classes = next;
  };
  for (const name of ALWAYS) if (names.includes(name)) choose(name);
  const UNSEEN = Symbol("unseen");
  for (const name of names) {
    if (columns.includes(name)) continue;
    const valueOf: (string | null | typeof UNSEEN)[] = new Array(count).fill(UNSEEN);
    const determined = keys.every((key, i) => {
      const value = key[name] ?? null;
      const seen = valueOf[classes[i]];
      if (seen !== UNSEEN && seen !== value) return false;
      valueOf[classes[i]] = value;
      return true;
    });
    if (!determined) choose(name);
  }
  return columns;
}

export function changeTable(changes: FlaggedChange[]): {header: string[]; numeric: boolean[]; rows: string[][]} {
  const columns = seriesColumns(changes.map((c) => c.series));
  const header = [...columns, "Build", "Before", "After", "Change", "95% CI", "Label"];
  const numeric = [...columns.map(() => false), false, true, true, true, false, false];
  const rows = changes.map((c) => [
    ...columns.map((k) => c.series[k] ?? ""),
    `${buildLabel(c.previous_build_commit, c.previous_build_number, c.previous_build)} → ${buildLabel(c.build_commit, c.build_number, c.build)}`,
    num(c.before),
    num(c.after),
    percent(c.ratio),
    interval(c),
    `${c.direction}${c.unstable ? " (unstable)" : ""}${c.latest ? " (latest)" : ""}`
  ]);
  return {header, numeric, rows};
}

export function summary(histories: SeriesHistory[]): string {
  const count = (f: (h: SeriesHistory) => boolean) => histories.filter(f).length;
  const parts = [
    `${count((h) => h.status === "changed")} with changes`,
    `${count((h) => h.status === "no change")} without`,
    `${count((h) => h.status === "insufficient data")} with insufficient data`,
    `${count((h) => h.unstable)} unstable (CV > ${UNSTABLE_CV * 100}%)`
  ];
  const orders = [...new Set(histories.map((h) => h.order))];
  return `${histories.length} series: ${parts.join(", ")}; builds ordered by ${orders.join(" / ") || "—"}.`;
}

export function formatTerminal(changes: FlaggedChange[], histories: SeriesHistory[]): string {
  const head = changes.length ? alignedTable(changeTable(changes)) + "\n" : "No changes flagged.\n";
  return `${head}${summary(histories)}\n`;
}

export function formatMarkdown(changes: FlaggedChange[], histories: SeriesHistory[]): string {
  const head = changes.length ? markdownTable(changeTable(changes)) + "\n" : "No changes flagged.\n";
  return `${head}\n${summary(histories)}\n`;
}

export function formatJsonLines(changes: FlaggedChange[]): string {
  return changes.map((c) => JSON.stringify(c) + "\n").join("");
}
