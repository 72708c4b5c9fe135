/**
 * llama-bench `-o md` (the default): a pipe table ending in `test | t/s` (`9512.79 ± 7.42`) and a
 * `build: 054d8b0f2 (8396)` footer.
 */
import type {Model, Result, Settings} from "../../schema/schema.js";
import {emptyModel} from "../../schema/schema.js";
import type {RowWithFacts} from "../shared/hoist.js";
import {columnKey, findTables, unflattenTables, type MarkdownTable} from "../shared/markdown-table.js";
import {splitModelType} from "../shared/model-name.js";
import type {Block, Context, Doc, Format, ParsedRun, UnreadLines} from "../types.js";
import {ParseError} from "../types.js";
import {scalarFromText} from "../shared/scalar.js";
import {testName} from "../shared/test-name.js";
import {MD_COLUMNS, parseTestName} from "./fields.js";
import {llamaBenchRun} from "./run.js";

const FOOTER = /^\s*build\s*:\s*([0-9a-f]{6,40})\s*\((\d+)\)\s*$/i;
/** Value ± deviation as printed; sites sometimes turn ± into +/- or +-. */
/** `330.87 ± 0.99`; a terminal without UTF-8 prints `±` as `_` or `Â±`. */
const VALUE_PM = /^(-?\d+(?:\.\d+)?)\s*(?:±|Â±|\+\/-|\+-|_)\s*(\d+(?:\.\d+)?)$/;
const VALUE = /^-?\d+(?:\.\d+)?$/;

/** llama-bench tables: `test` and `t/s` columns plus at least one of its model columns. */
function isLlamaBenchHeader(header: string[]): boolean {
  const keys = header.map(columnKey);
  // The first llama-bench (August 2023) printed n_prompt and n_gen columns where later ones print `test`.
  const test = keys.includes("test") || (keys.includes("n_prompt") && keys.includes("n_gen"));
  return (
    test &&
    keys.includes("t/s") &&
    keys.includes("model") &&
    (keys.includes("size") || keys.includes("params") || keys.includes("backend"))
  );
}

function findFooter(doc: Doc, after: number): number | null {
  for (let i = after + 1; i < doc.lines.length && i <= after + 3; i++) {
    const text = doc.lines[i].text.trim();
    if (FOOTER.test(text)) return i;
    if (text !== "") return null;
  }
  return null;
}

/**
 * A row cut short: fewer cells than the header, or no closing pipe where the
 * header has one (its last cell, the t/s value, may have lost digits).
 */
function cutOff(row: {cells: string[]; text: string}, cells: number, header: string): boolean {
  return row.cells.length < cells || (header.trimEnd().endsWith("|") && !row.text.trimEnd().endsWith("|"));
}

/** Lines that may stand between a build line printed above a table and the table: blank, fences, device and backend lines. */
const ABOVE_TABLE = /^\s*(?:`{3}.*|~{3}.*|ggml_\w+\s*:.*|load_backend\s*:.*|register_\w+\s*:.*|Device \d+\s*:.*)?$/;

/**
 * A `build: <commit> (<number>)` line above the table: some posts move the
 * footer into the fence with the command and device lines, above the table.
 * Not a footer of an earlier table (one right after table rows).
 */
function findBuildAbove(doc: Doc, start: number): number | null {
  for (let i = start - 1; i >= 0 && i >= start - 12; i--) {
    const text = doc.lines[i].text;
    if (FOOTER.test(text.trim())) {
      let j = i - 1;
      while (j >= 0 && doc.lines[j].text.trim() === "") j--;
      return j >= 0 && /^\s*\|/.test(doc.lines[j].text) ? null : i;
    }
    if (!ABOVE_TABLE.test(text)) return null;
  }
  return null;
}

function scan(doc: Doc): Block[] {
  return findTables(doc)
    .filter((table) => isLlamaBenchHeader(table.header))
    .map((table) => {
      const footer = findFooter(doc, table.end);
      return {
        format: "llama-bench-md",
        start: table.start,
        end: footer ?? table.end,
        confidence: footer !== null ? 1 : 0.9,
        reason: `pipe table with llama-bench columns (${table.header.join(", ")})${footer !== null ? " and a build footer" : ""}`
      };
    });
}

function parse(doc: Doc, block: Block, context: Context): ParsedRun[] {
  const table = findTables({...doc, lines: doc.lines.slice(block.start, block.end + 1)})[0] as MarkdownTable;
  const keys = table.header.map(columnKey);
  if (table.rows.length === 0)
    throw new ParseError(doc.lines[block.start].line, "table rows after the header of a llama-bench table", "nothing");
  const rows: RowWithFacts[] = [];
  const backends = new Set<string>();
  const unread: UnreadLines[] = [];
  const last = table.rows.at(-1)!;
  for (const row of table.rows) {
    if (row === last && table.rows.length > 1 && cutOff(row, keys.length, doc.lines[block.start].text)) {
      // A paste cut off inside its last row: the complete rows above it are still good.
      unread.push({
        line_start: row.line,
        line_end: row.line,
        reason: `a cut-off last table row (${keys.length} cells ending in "|" expected, found ${JSON.stringify(row.text.length > 60 ? row.text.slice(0, 60) + "…" : row.text)})`
      });
      continue;
    }
    if (row.cells.length !== keys.length) {
      throw new ParseError(row.line, `${keys.length} cells (${table.header.join(" | ")})`, row.text);
    }
    const model: Model = emptyModel();
    const settings: Settings = {};
    let test = "";
    let value: number | null = null;
    let stddev: number | null = null;
    let text = "";
    const shapeCells: Record<string, string> = {};
    keys.forEach((key, i) => {
      const cell = row.cells[i];
      switch (key) {
        case "model": {
          const parts = splitModelType(cell);
          model.name = cell;
          model.architecture = parts.architecture;
          model.ftype = parts.ftype;
          break;
        }
        case "size":
          [model.size_value, model.size_unit] = valueAndUnit(cell);
          break;
        case "params":
          [model.params_value, model.params_unit] = valueAndUnit(cell);
          break;
        case "backend":
          backends.add(cell);
          break;
        case "test":
          test = cell;
          break;
        case "n_prompt":
        case "n_gen":
          if (keys.includes("test")) settings[key] = scalarFromText(cell);
          else shapeCells[key] = cell;
          break;
        case "t/s": {
          text = cell;
          const pm = VALUE_PM.exec(cell);
          if (pm) [value, stddev] = [Number(pm[1]), Number(pm[2])];
          else if (VALUE.test(cell)) value = Number(cell);
          else throw new ParseError(row.line, `a t/s cell like "330.87 ± 0.99"`, cell);
          break;
        }
        default:
          settings[MD_COLUMNS[key] ?? table.header[i]] = scalarFromText(cell);
      }
    });
    if (!keys.includes("test")) {
      const [n_prompt, n_gen] = [Number(shapeCells.n_prompt), Number(shapeCells.n_gen)];
      if (!Number.isInteger(n_prompt) || !Number.isInteger(n_gen))
        throw new ParseError(
          row.line,
          "whole numbers in the n_prompt and n_gen cells",
          `${shapeCells.n_prompt} | ${shapeCells.n_gen}`
        );
      test = testName(n_prompt, n_gen, 0);
    }
    const shape = parseTestName(test);
    if (!shape) throw new ParseError(row.line, "a test name like pp512, tg128, pp512+tg128 or pp512 @ d16384", test);
    const result: Result = {
      line: row.line,
      text,
      test,
      ...shape,
      metric: "throughput",
      unit: "tok/s",
      stat: "mean",
      value,
      stddev,
      stddev_kind: stddev === null ? null : "sample",
      repetitions: null,
      status: "ok"
    };
    rows.push({result, model, settings});
  }
  const footer = findFooter(doc, block.start + table.end);
  const above = footer === null ? findBuildAbove(doc, block.start) : null;
  const build =
    footer !== null
      ? FOOTER.exec(doc.lines[footer].text.trim())
      : above !== null
        ? FOOTER.exec(doc.lines[above].text.trim())
        : null;
  const notes: string[] = [];
  if (above !== null)
    notes.push(`the build line is printed above the table (line ${doc.lines[above].line}), not below it`);
  if (!keys.includes("test"))
    notes.push(
      "the table has n_prompt and n_gen columns (llama-bench of August 2023) instead of a test column: each test name is composed from them"
    );
  if (backends.size > 1) notes.push(`rows were run on different backends: ${[...backends].join("; ")}`);
  const run = llamaBenchRun(
    {
      format: "llama-bench-md",
      line_start: doc.lines[block.start].line,
      line_end: doc.lines[block.end].line,
      rows,
      backend: backends.size ? [...backends].join("; ") : null,
      cpu: null,
      gpu_info: null,
      build_commit: build ? build[1] : null,
      build_number: build ? Number(build[2]) : null,
      started_at: null,
      notes
    },
    context
  );
  return [unread.length ? {...run, unread} : run];
}

/** `62.51 GiB` → [62.51, "GiB"], `8.95 B` → [8.95, "B"]; no conversion. */
function valueAndUnit(cell: string): [number | null, string | null] {
  const m = /^(-?\d+(?:\.\d+)?)\s*(\S+)?$/.exec(cell.trim());
  return m ? [Number(m[1]), m[2] ?? null] : [null, null];
}

export const llamaBenchMd: Format = {
  id: "llama-bench-md",
  tool: "llama-bench",
  description: "llama-bench Markdown table (-o md, the default), padded, compact or flattened onto one line",
  unflatten: unflattenTables,
  scan,
  parse
};
