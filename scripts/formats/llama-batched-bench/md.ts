/**
 * llama-batched-bench's default output: `llama_batched_bench: n_kv_max = 2048, …` (`main:` in older builds),
 * then a `| PP | TG | B | N_KV | … |` table. Keys and columns changed over time: kept as printed, matched by name.
 */
import type {Scalar, Settings} from "../../schema/schema.js";
import {columnKey, findTables, unflattenTables} from "../shared/markdown-table.js";
import type {Block, Context, Doc, Format, ParsedRun} from "../types.js";
import {ParseError} from "../types.js";
import type {ConfigRow, Phase, PhaseValue} from "./run.js";
import {batchedBenchRun} from "./run.js";

const SETTINGS_LINE =
  /^\s*(?:main|llama_batched_bench|batched_bench)\s*:\s*((?:\w+\s*=\s*[^,]+,\s*)*n_kv_max\s*=.*?)\s*$/;
const NUMBER = /^-?\d+(?:\.\d+)?$/;

/** Value columns: lowercased header → what it holds. */
const VALUE_COLUMNS: Record<string, {phase: Phase; metric: PhaseValue["metric"]}> = {
  "t_pp s": {phase: "pp", metric: "duration"},
  "s_pp t/s": {phase: "pp", metric: "throughput"},
  "t_tg s": {phase: "tg", metric: "duration"},
  "s_tg t/s": {phase: "tg", metric: "throughput"},
  "t s": {phase: "pp+tg", metric: "duration"},
  "s t/s": {phase: "pp+tg", metric: "throughput"}
};

function isBatchedBenchHeader(header: string[]): boolean {
  const keys = header.map(columnKey);
  return ["pp", "tg", "b"].every((k) => keys.includes(k)) && (keys.includes("s_pp t/s") || keys.includes("s t/s"));
}

/** `n_kv_max = 2048, n_batch = 2048, …` → settings, values as printed (numbers stay numbers). */
function parseSettingsLine(text: string): Settings | null {
  const m = SETTINGS_LINE.exec(text);
  if (!m) return null;
  const settings: Settings = {};
  for (const part of m[1].split(",")) {
    const kv = /^\s*(\w+)\s*=\s*(.*?)\s*$/.exec(part);
    if (kv) settings[kv[1]] = NUMBER.test(kv[2]) ? Number(kv[2]) : kv[2];
  }
  return settings;
}

/** The settings line, if it sits within a few lines above the table (blank lines between). */
function settingsLineBefore(doc: Doc, header: number): number | null {
  for (let i = header - 1; i >= 0 && i >= header - 3; i--) {
    if (SETTINGS_LINE.test(doc.lines[i].text)) return i;
    if (doc.lines[i].text.trim() !== "") return null;
  }
  return null;
}

function scan(doc: Doc): Block[] {
  return findTables(doc)
    .filter((table) => isBatchedBenchHeader(table.header))
    .map((table) => {
      const settings = settingsLineBefore(doc, table.start);
      return {
        format: "llama-batched-bench-md",
        start: settings ?? table.start,
        end: table.end,
        confidence: settings !== null ? 1 : 0.9,
        reason: `pipe table with llama-batched-bench columns (${table.header.join(", ")})${settings !== null ? " after its n_kv_max settings line" : ""}`
      };
    });
}

function cellNumber(cell: string, line: number, column: string): number {
  if (!NUMBER.test(cell)) throw new ParseError(line, `a number in column "${column}"`, cell);
  return Number(cell);
}

function parse(doc: Doc, block: Block, context: Context): ParsedRun[] {
  const settingsIndex = SETTINGS_LINE.test(doc.lines[block.start].text) ? block.start : null;
  const settings: Settings = settingsIndex !== null ? parseSettingsLine(doc.lines[settingsIndex].text)! : {};
  const table = findTables({...doc, lines: doc.lines.slice(block.start, block.end + 1)})[0];
  if (!table) throw new ParseError(doc.lines[block.start].line, "a llama-batched-bench table after the settings line");
  const keys = table.header.map(columnKey);
  if (table.rows.length === 0)
    throw new ParseError(
      doc.lines[block.start + table.start].line,
      "table rows after the header of a llama-batched-bench table",
      "nothing"
    );
  const rows: ConfigRow[] = table.rows.map((row) => {
    if (row.cells.length !== keys.length)
      throw new ParseError(row.line, `${keys.length} cells (${table.header.join(" | ")})`, row.text);
    const config: ConfigRow = {line: row.line, pp: 0, tg: 0, b: 0, values: [], extra: {}, settings: {}};
    keys.forEach((key, i) => {
      const cell = row.cells[i];
      const column = table.header[i];
      const value = VALUE_COLUMNS[key];
      if (key === "pp") config.pp = cellNumber(cell, row.line, column);
      else if (key === "tg") config.tg = cellNumber(cell, row.line, column);
      else if (key === "b") config.b = cellNumber(cell, row.line, column);
      else if (value)
        config.values.push({...value, value: cellNumber(cell, row.line, column), text: cell, field: column});
      else if (key === "n_kv") config.extra.n_kv = cellNumber(cell, row.line, column);
      else config.extra[column] = (NUMBER.test(cell) ? Number(cell) : cell) as Scalar;
    });
    return config;
  });
  return [
    batchedBenchRun(
      {
        format: "llama-batched-bench-md",
        line_start: doc.lines[block.start].line,
        line_end: doc.lines[block.end].line,
        settings,
        rows,
        notes:
          settingsIndex === null
            ? ["no n_kv_max settings line before the table: batch sizes and threads are unknown"]
            : []
      },
      context
    )
  ];
}

export const llamaBatchedBenchMd: Format = {
  id: "llama-batched-bench-md",
  tool: "llama-batched-bench",
  description: "llama-batched-bench table (PP | TG | B | N_KV | T_PP s | S_PP t/s | …) with its n_kv_max settings line",
  unflatten: unflattenTables,
  scan,
  parse
};
