/**
 * `benchbook compare` output: an aligned terminal table, a Markdown pipe
 * table ready to paste, or JSON. The Speedup column is B/A with two decimals,
 * exactly as compare-llama-bench.py prints it; the interval and the noise
 * mark come from compareMeans (scripts/statistics/uncertainty.ts).
 */
import type {Comparison} from "../statistics/uncertainty.js";
import {fixed2, type CompareResult, type Pair, type SideValue} from "./result.js";

const PRETTY: Record<string, string> = {
  model_label: "Model",
  test: "Test",
  metric: "Metric",
  stat: "Stat",
  unit: "Unit",
  hardware: "Hardware",
  runtime: "Runtime"
};

/** Marks in the noise column. */
export const NOISE_MARK = "≈";
export const UNKNOWN_MARK = "?";
export const HAND_MARK = "†";

export interface Table {
  header: string[];
  /** Right-aligned (numeric) columns. */
  numeric: boolean[];
  rows: string[][];
  notes: string[];
}

function valueCell(v: SideValue | null): string {
  if (!v) return "—";
  const hand = v.origin === "hand-entered" ? ` ${HAND_MARK}` : "";
  if (v.status !== "ok") return `${v.status}${hand}`;
  // Values as stored; a mean of several rows is derived and says so.
  const value =
    v.n_rows > 1 && v.repetitions === v.n_rows ? `${+v.value.toPrecision(6)} (mean of ${v.n_rows})` : String(v.value);
  return `${v.stddev === null ? value : `${value} ± ${v.n_rows > 1 ? +v.stddev.toPrecision(3) : v.stddev}`}${hand}`;
}

/** `79.8%`: a share of the hardware's limit, one decimal. */
function limitCell(v: SideValue | null): string {
  return v?.limit_util === null || v?.limit_util === undefined ? "" : `${(v.limit_util * 100).toFixed(1)}%`;
}

function intervalCell(c: Comparison | null): string {
  if (c?.method === "welch" && c.low === null) return "unbounded";
  if (!c || c.low === null || c.high === null) return "";
  const digits = c.high - c.low < 0.02 ? 3 : 2;
  return `[${c.low.toFixed(digits)}–${c.high.toFixed(digits)}]`;
}

function noiseCell(c: Comparison | null): string {
  if (!c) return "";
  return c.noise === null ? UNKNOWN_MARK : c.noise ? NOISE_MARK : "";
}

const methodName = (c: Comparison | null) =>
  !c ? "" : c.method === "welch" ? "Welch" : c.method === "sd-overlap" ? "±1 sd" : "none";

export const paired = (result: CompareResult): Pair[] => result.pairs.filter((p) => p.a && p.b);

export function speedupCell(pair: Pair): string {
  return pair.comparison ? fixed2(pair.comparison.ratio) : "";
}

/** The table as cells, shared by the terminal and Markdown renderers. */
export function buildTable(result: CompareResult): Table {
  const pairs = paired(result);
  const constant = (key: string) => new Set(pairs.map((p) => p.key[key])).size <= 1;
  // Show the key columns that tell rows apart: test always, then each varying
  // column unless the columns already shown determine it (model_file follows model_label).
  const keyColumns: string[] = [];
  const determined = (k: string) => {
    const seen = new Map<string, string | null>();
    for (const p of pairs) {
      const id = JSON.stringify(keyColumns.map((c) => p.key[c]));
      if (seen.has(id) && seen.get(id) !== p.key[k]) return false;
      seen.set(id, p.key[k]);
    }
    return true;
  };
  for (const k of ["model_label", "test", ...result.by.filter((c) => c !== "model_label" && c !== "test")]) {
    if (!result.by.includes(k)) continue;
    if (k === "test" || (!constant(k) && !determined(k))) keyColumns.push(k);
  }
  const throughputOnly = pairs.length > 0 && pairs.every((p) => p.key.metric === "throughput" || p.a?.status !== "ok");
  const units = new Set(pairs.map((p) => p.key.unit));
  const unitPrefix =
    units.size === 1 && [...units][0] === "tok/s"
      ? "t/s "
      : units.size === 1 && [...units][0]
        ? `${[...units][0]} `
        : "";
  const methods = new Set(pairs.filter((p) => p.comparison).map((p) => p.comparison!.method));
  const mixed = methods.size > 1;
  const intervalHeader = mixed
    ? "Interval"
    : methods.has("welch")
      ? "95% CI"
      : methods.has("sd-overlap")
        ? "±1 sd"
        : "Interval";
  // "% of limit" columns only where some value has one (a device and model the table knows).
  const limits = pairs.some((p) => p.a?.limit_util != null || p.b?.limit_util != null);

  const header = [
    ...keyColumns.map((k) => PRETTY[k] ?? k),
    `${unitPrefix}${result.a.label}`,
    `${unitPrefix}${result.b.label}`,
    throughputOnly ? "Speedup" : "B/A",
    intervalHeader,
    "Noise",
    ...(mixed ? ["Method"] : []),
    ...(limits ? ["A % of limit", "B % of limit"] : [])
  ];
  const numeric = [
    ...keyColumns.map(() => false),
    true,
    true,
    true,
    false,
    false,
    ...(mixed ? [false] : []),
    ...(limits ? [true, true] : [])
  ];
  const rows = pairs.map((p) => [
    ...keyColumns.map((k) => p.key[k] ?? ""),
    valueCell(p.a),
    valueCell(p.b),
    speedupCell(p),
    intervalCell(p.comparison),
    noiseCell(p.comparison),
    ...(mixed ? [methodName(p.comparison)] : []),
    ...(limits ? [limitCell(p.a), limitCell(p.b)] : [])
  ]);

  const notes: string[] = [];
  const describe = (name: string, side: CompareResult["a"]) =>
    `${name}: ${side.selector} — ${side.rows} rows from ${side.runs.length} run${side.runs.length === 1 ? "" : "s"}${
      Object.keys(side.distinguishing).length
        ? ` (${Object.entries(side.distinguishing)
            .map(([k, v]) => `${k}=${v ?? ""}`)
            .join(", ")})`
        : ""
    }`;
  notes.push(describe("A", result.a), describe("B", result.b));
  const same = result.by.filter((k) => !keyColumns.includes(k) && constant(k));
  const shown =
    same.length && pairs.length
      ? `; the same on every row: ${same.map((k) => `${k}=${pairs[0].key[k] ?? ""}`).join(", ")}`
      : "";
  notes.push(
    `Paired on ${result.by.join(", ")}${result.varying.length ? ` (${result.varying.join(", ")} added: they vary within a side)` : ""}${shown}.`
  );
  notes.push(`${throughputOnly ? "Speedup" : "B/A"} = B / A, two decimals as compare-llama-bench.py prints it.`);
  if (methods.has("welch"))
    notes.push(
      `95% CI: Fieller's interval for the ratio, and ${NOISE_MARK} = within noise by Welch's t-test (p ≥ 0.05; the interval then contains 1), from each side's mean, sd and repetitions (a population sd is converted to a sample sd).`
    );
  if (methods.has("sd-overlap"))
    notes.push(
      `±1 sd: repetitions unknown, so no test: the interval propagates ±1 sd and ${NOISE_MARK} = the ±1 sd ranges overlap.`
    );
  if (pairs.some((p) => p.comparison?.method === "none"))
    notes.push(`${UNKNOWN_MARK} = no dispersion reported: within noise or not cannot be told.`);
  if (pairs.some((p) => p.a?.origin === "hand-entered" || p.b?.origin === "hand-entered"))
    notes.push(`${HAND_MARK} = hand-entered (typed from a writeup, not read from tool output).`);
  if (limits)
    notes.push(
      "% of limit: tg throughput × bytes per token ÷ the devices' peak memory bandwidth, pp throughput × FLOPs per token ÷ their peak dense FP16 FLOP/s (docs/efficiency.md); blank where the device, the model size or the cache shape is unknown."
    );
  if (pairs.some((p) => (p.a?.n_rows ?? 0) > 1 || (p.b?.n_rows ?? 0) > 1))
    notes.push(
      "(mean of n): n rows with the same key averaged without weights, as compare-llama-bench.py does; ± is their sample sd."
    );
  const onlyA = result.pairs.filter((p) => p.a && !p.b);
  const onlyB = result.pairs.filter((p) => !p.a && p.b);
  const list = (ps: Pair[]) =>
    ps
      .slice(0, 6)
      .map((p) =>
        [p.key.model_label, p.key.test, p.key.metric === "throughput" ? null : p.key.metric].filter(Boolean).join(" ")
      )
      .join("; ") + (ps.length > 6 ? `; … ${ps.length - 6} more` : "");
  if (onlyA.length) notes.push(`Only in A (${onlyA.length}): ${list(onlyA)}`);
  if (onlyB.length) notes.push(`Only in B (${onlyB.length}): ${list(onlyB)}`);
  return {header, numeric, rows, notes};
}

/** Display width: East Asian wide characters count double, combining marks zero. */
function width(text: string): number {
  let w = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (/\p{M}/u.test(ch)) continue;
    w +=
      (cp >= 0x1100 && cp <= 0x115f) ||
      (cp >= 0x2e80 && cp <= 0xa4cf) ||
      (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe30 && cp <= 0xfe4f) ||
      (cp >= 0xff00 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6)
        ? 2
        : 1;
  }
  return w;
}

const pad = (text: string, n: number, right: boolean) =>
  right ? " ".repeat(n - width(text)) + text : text + " ".repeat(n - width(text));

/** Header, a dashed rule and the rows, columns padded to their display width (numeric ones right-aligned); no trailing newline. */
export function alignedTable(table: Pick<Table, "header" | "numeric" | "rows">): string {
  const widths = table.header.map((h, i) => Math.max(width(h), ...table.rows.map((r) => width(r[i]))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => pad(c, widths[i], table.numeric[i]))
      .join("  ")
      .trimEnd();
  return [line(table.header), widths.map((w) => "-".repeat(w)).join("  "), ...table.rows.map(line)].join("\n");
}

export function formatTerminal(result: CompareResult): string {
  const table = buildTable(result);
  if (table.rows.length === 0)
    return `No pairs: no row of A has the same ${result.by.join(", ")} as a row of B.\n${table.notes.map((n) => `  ${n}\n`).join("")}`;
  return [alignedTable(table), "", ...table.notes].join("\n") + "\n";
}

const escapeCell = (text: string) => text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

/** A Markdown pipe table (cells escaped); no trailing newline. */
export function markdownTable(table: Pick<Table, "header" | "numeric" | "rows">): string {
  const row = (cells: string[]) => `| ${cells.map(escapeCell).join(" | ")} |`;
  return [
    row(table.header),
    `|${table.numeric.map((n) => (n ? "---:" : ":---")).join("|")}|`,
    ...table.rows.map(row)
  ].join("\n");
}

export function formatMarkdown(result: CompareResult): string {
  const table = buildTable(result);
  if (table.rows.length === 0) return `No pairs: no row of A has the same ${result.by.join(", ")} as a row of B.\n`;
  return [markdownTable(table), "", ...table.notes.map((n) => `- ${escapeCell(n)}`)].join("\n") + "\n";
}

/** Everything, for scripts: each pair with both sides, the ratio, its interval and where each value was read. */
export function toJson(result: CompareResult): unknown {
  return {
    a: result.a,
    b: result.b,
    by: result.by,
    varying: result.varying,
    metrics: result.metrics,
    pairs: result.pairs.map((p) => ({
      key: p.key,
      a: p.a && {...p.a, value: Number.isNaN(p.a.value) ? null : p.a.value},
      b: p.b && {...p.b, value: Number.isNaN(p.b.value) ? null : p.b.value},
      speedup: p.comparison ? fixed2(p.comparison.ratio) : null,
      ratio: p.comparison?.ratio ?? null,
      low: p.comparison?.low ?? null,
      high: p.comparison?.high ?? null,
      p: p.comparison?.p ?? null,
      noise: p.comparison?.noise ?? null,
      method: p.comparison?.method ?? null,
      note: p.comparison?.note ?? null
    }))
  };
}
