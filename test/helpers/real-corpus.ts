/**
 * The real-world corpus (test/fixtures/real/): files as published, with
 * values a person read off each text (manifest.json). Checking a reading
 * against them is an oracle independent of the parsers.
 */
import {readFileSync} from "node:fs";
import {readInput} from "../../scripts/import/import.js";
import {toRow, type Row} from "../../scripts/schema/row.js";
import {FIXTURES} from "./fixtures.js";

/** One value read off the text by hand; every field but `value` is optional and checked when given. */
export interface ExpectedValue {
  value: number;
  /** The test as printed; compared without spaces (`pp 512` = `pp512`). */
  test?: string;
  metric?: string;
  stat?: string;
  unit?: string;
  /** A part of the model name, file or label. */
  model?: string;
  /** The build commit's prefix, or the build number. */
  build?: string | number;
  concurrency?: number;
  /** A part of the machine label, GPU name or stated hardware. */
  hardware?: string;
}

export interface CorpusEntry {
  file: string;
  source: string;
  tool: string;
  year: number;
  /** What is particular about the file's shape (quote prefixes, old wording…). */
  shape: string;
  /** How many results the text holds, counted by hand, when every one is listed or countable. */
  results?: number;
  values: ExpectedValue[];
}

export interface CorpusCheck {
  file: string;
  error: string | null;
  rows: Row[];
  found: number;
  missing: ExpectedValue[];
  /** Expected values present under other attributions, or row values printed nowhere in the text. */
  wrong: string[];
}

export const REAL = FIXTURES + "real/";

export function corpusManifest(): CorpusEntry[] {
  return JSON.parse(readFileSync(REAL + "manifest.json", "utf8")) as CorpusEntry[];
}

const bare = (s: string) => s.replace(/\s+/g, "");

/** Every number written in the text (as a set of values), for "no value is invented". */
function printedNumbers(text: string): Set<number> {
  return new Set([...text.matchAll(/\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/g)].flatMap((m) => [Number(m[0]), -Number(m[0])]));
}

function matches(row: Row, want: ExpectedValue): string[] {
  const off: string[] = [];
  const has = (field: keyof Row, expected: string) =>
    [row[field]].some((v) => typeof v === "string" && v.includes(expected));
  if (want.test !== undefined && bare(String(row.test)) !== bare(want.test)) off.push(`test ${row.test}`);
  if (want.metric !== undefined && row.metric !== want.metric) off.push(`metric ${row.metric}`);
  if (want.stat !== undefined && row.stat !== want.stat) off.push(`stat ${row.stat}`);
  if (want.unit !== undefined && row.unit !== want.unit) off.push(`unit ${row.unit}`);
  if (want.concurrency !== undefined && row.concurrency !== want.concurrency)
    off.push(`concurrency ${row.concurrency}`);
  if (
    want.model !== undefined &&
    !(has("model", want.model) || has("model_file", want.model) || has("model_label", want.model))
  )
    off.push(`model ${row.model_label ?? row.model ?? row.model_file}`);
  if (want.build !== undefined) {
    const ok =
      typeof want.build === "number"
        ? row.build_number === want.build
        : String(row.build_commit ?? "").startsWith(want.build);
    if (!ok) off.push(`build ${row.build_commit}/${row.build_number}`);
  }
  if (want.hardware !== undefined && !(has("hardware", want.hardware) || has("gpu_name", want.hardware)))
    off.push(`hardware ${row.hardware}`);
  return off;
}

export function checkCorpusEntry(entry: CorpusEntry): CorpusCheck {
  const text = readFileSync(REAL + entry.file, "utf8");
  let rows: Row[] = [];
  try {
    const reading = readInput(
      {name: entry.file, bytes: Buffer.from(text, "utf8")},
      {now: () => new Date("2026-01-01T00:00:00Z")}
    );
    rows = reading.stored.runs.flatMap((run) => run.results.map((result) => toRow(run, result, false)));
  } catch (error) {
    return {file: entry.file, error: (error as Error).message, rows, found: 0, missing: entry.values, wrong: []};
  }
  const wrong: string[] = [];
  const missing: ExpectedValue[] = [];
  let found = 0;
  for (const want of entry.values) {
    const same = rows.filter((r) => r.value === want.value);
    const offs = same.map((r) => matches(r, want));
    if (offs.some((o) => o.length === 0)) found++;
    else if (same.length) wrong.push(`${JSON.stringify(want)} read as ${offs.map((o) => o.join(", ")).join(" | ")}`);
    else missing.push(want);
  }
  const numbers = printedNumbers(text);
  for (const row of rows) {
    if (typeof row.value === "number" && !numbers.has(row.value))
      wrong.push(`line ${row.line}: ${row.metric} ${row.value} is printed nowhere in the text`);
  }
  if (entry.results !== undefined && rows.length !== entry.results)
    wrong.push(`${rows.length} results read, ${entry.results} in the text`);
  return {file: entry.file, error: null, rows, found, missing, wrong};
}
