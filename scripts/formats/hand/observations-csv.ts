/**
 * Hand-entered observations as CSV (docs/hand-entered.md): a YAML header in `#` lines starting with
 * `# benchbook: observations/1`, then one row per entry, columns matched by name.
 */
import {csvParseRows} from "d3-dsv";
import {LineCounter, parseDocument} from "yaml";
import type {Scalar} from "../../schema/schema.js";
import type {Block, Context, Doc, Format, ParsedRun} from "../types.js";
import {ParseError} from "../types.js";
import {csvRow} from "../shared/csv-row.js";
import {yamlLocator, yamlValue} from "./observations.js";
import type {Locator, Path} from "./runs.js";
import {observationRuns, validateObservations} from "./runs.js";

const MARKER_LINE = /^#\s*["']?benchbook["']?\s*:\s*["']?observations\/(\d+)["']?\s*$/;
const NUMBER = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

const TEXT_COLUMNS = new Set([
  "metric",
  "unit",
  "stat",
  "text",
  "status",
  "detail",
  "test",
  "kind",
  "scope",
  "label",
  "notes"
]);
const NUMBER_COLUMNS = new Set(["value", "low", "high", "concurrency", "n_prompt", "n_gen", "n_depth", "gpu"]);
const MODEL_NUMBERS = new Set(["size_value", "params_value"]);

function scan(doc: Doc): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < doc.lines.length; i++) {
    const marker = MARKER_LINE.exec(doc.lines[i].text);
    if (!marker) continue;
    let header = i + 1;
    while (header < doc.lines.length && doc.lines[header].text.startsWith("#")) header++;
    if (header >= doc.lines.length || !/(?:^|,)\s*"?metric"?\s*(?:,|$)/.test(doc.lines[header].text)) continue;
    let end = header;
    while (
      end + 1 < doc.lines.length &&
      doc.lines[end + 1].text.trim() !== "" &&
      !/^\s*(?:```|~~~)/.test(doc.lines[end + 1].text)
    )
      end++;
    blocks.push({
      format: "hand-observations-csv",
      start: i,
      end,
      confidence: 1,
      reason: `CSV rows after a "# benchbook: observations/${marker[1]}" comment header (hand-entered observations, docs/hand-entered.md)`
    });
    i = end;
  }
  return blocks;
}

function cellScalar(cell: string): Scalar {
  if (NUMBER.test(cell)) return Number(cell);
  if (/^(?:true|false)$/i.test(cell)) return cell.toLowerCase() === "true";
  return cell;
}

interface Row {
  line: number;
  cells: Record<string, string>;
}

function parse(doc: Doc, block: Block, context: Context): ParsedRun[] {
  const lines = doc.lines.slice(block.start, block.end + 1);
  const version = MARKER_LINE.exec(lines[0].text)?.[1];
  if (version !== "1")
    throw new ParseError(
      lines[0].line,
      "# benchbook: observations/1 (this benchbook reads version 1 of the format)",
      lines[0].text.trim()
    );
  let headerEnd = 0;
  while (lines[headerEnd + 1]?.text.startsWith("#")) headerEnd++;
  const yamlLines = lines.slice(0, headerEnd + 1);
  const counter = new LineCounter();
  const header = parseDocument(yamlLines.map((l) => l.text.replace(/^#\s?/, "")).join("\n"), {
    lineCounter: counter,
    prettyErrors: false,
    uniqueKeys: true
  });
  const physical = (yamlLine: number) => yamlLines[Math.min(Math.max(yamlLine, 1), yamlLines.length) - 1].line;
  if (header.errors[0])
    throw new ParseError(
      physical(counter.linePos(header.errors[0].pos[0]).line),
      `valid YAML in the # header (${header.errors[0].message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")})`
    );
  const headerLocator = yamlLocator(header, counter, physical);

  const columnsLine = lines[headerEnd + 1];
  const columns = csvParseRows(columnsLine.text)[0].map((c) => c.trim());
  for (const column of columns) {
    const known =
      TEXT_COLUMNS.has(column) ||
      NUMBER_COLUMNS.has(column) ||
      ["approximate", "line", "run"].includes(column) ||
      /^(?:settings|model|extra)\.\S+$/.test(column);
    if (!known)
      throw new ParseError(
        columnsLine.line,
        "known columns (metric, unit, stat, value, low, high, status, detail, …, settings.<name>, model.<field>, extra.<name>; docs/hand-entered.md)",
        column
      );
  }
  const rows: Row[] = lines.slice(headerEnd + 2).map((l) => {
    const cells = csvRow(l.text, l.line);
    if (cells.length > columns.length)
      throw new ParseError(l.line, `at most ${columns.length} cells (${columns.join(",")})`, l.text);
    return {line: l.line, cells: Object.fromEntries(columns.map((c, i) => [c, (cells[i] ?? "").trim()]))};
  });
  if (rows.length === 0) throw new ParseError(columnsLine.line, "at least one CSV row after the column names");

  // Rows → entries, grouped by the run column; remember where each entry came from.
  const raw = (yamlValue(header, yamlLines[0].line) ?? {}) as Record<string, unknown>;
  const origin = new Map<object, Row>();
  const topEntries: object[] = [];
  const runs = new Map<string, object[]>();
  for (const row of rows) {
    const entry = rowEntry(row);
    origin.set(entry, row);
    const label = row.cells.run ?? "";
    if (label) runs.set(label, [...(runs.get(label) ?? []), entry]);
    else topEntries.push(entry);
  }
  if (topEntries.length) raw.entries = topEntries;
  if (runs.size) {
    const described = Array.isArray(raw.runs) ? (raw.runs as Record<string, unknown>[]) : [];
    const unknownLabel = described.find((r) => !runs.has(String(r.label)));
    if (unknownLabel)
      throw new ParseError(
        headerLocator.line(["runs", described.indexOf(unknownLabel), "label"]),
        "a run label that some row's run column uses",
        String(unknownLabel.label)
      );
    raw.runs = [...runs].map(([label, entries]) => ({
      ...(described.find((r) => r.label === label) ?? {label}),
      entries
    }));
  }

  const locate: Locator = {
    line: (path) => entryRow(raw, path, origin)?.line ?? headerLocator.line(path),
    text: (path) => {
      const row = entryRow(raw, path, origin);
      if (!row) return headerLocator.text(path);
      const key = path[path.indexOf("entries") + 2];
      const next = path[path.indexOf("entries") + 3];
      const column =
        key === "settings" || key === "model" || key === "extra" ? `${String(key)}.${String(next)}` : String(key);
      return row.cells[column] || null;
    },
    range: (path) => {
      const rowsOf = (entries: unknown) =>
        Array.isArray(entries) ? entries.map((e) => origin.get(e as object)?.line ?? 0).filter(Boolean) : [];
      if (path[0] === "runs" && typeof path[1] === "number") {
        const run = (raw.runs as Record<string, unknown>[])[path[1]];
        const found = rowsOf(run.entries);
        return [Math.min(...found), Math.max(...found)];
      }
      return headerLocator.range(path);
    }
  };
  const observations = validateObservations(raw, locate);
  return observationRuns(observations, locate, "hand-observations-csv", context, {
    line_start: lines[0].line,
    line_end: lines.at(-1)!.line
  });
}

/** The CSV row behind a path into an entry (`entries.3.value`, `runs.1.entries.0.low`). */
function entryRow(raw: Record<string, unknown>, path: Path, origin: Map<object, Row>): Row | undefined {
  const at = path.indexOf("entries");
  if (at < 0 || typeof path[at + 1] !== "number") return undefined;
  let node: unknown = raw;
  for (const key of path.slice(0, at + 2)) node = (node as Record<string | number, unknown> | undefined)?.[key];
  return node && typeof node === "object" ? origin.get(node) : undefined;
}

function rowEntry(row: Row): Record<string, unknown> {
  const entry: Record<string, unknown> = {};
  const put = (map: "settings" | "model" | "extra", key: string, value: unknown) => {
    entry[map] = {...(entry[map] as object | undefined), [key]: value};
  };
  for (const [column, cell] of Object.entries(row.cells)) {
    if (cell === "" || column === "run") continue;
    const dotted = /^(settings|model|extra)\.(.+)$/.exec(column);
    if (dotted) {
      const [, map, key] = dotted;
      put(
        map as "settings" | "model" | "extra",
        key,
        map === "model" && !MODEL_NUMBERS.has(key) ? cell : cellScalar(cell)
      );
    } else if (NUMBER_COLUMNS.has(column)) {
      // Not a number: keep the text so validation names the cell.
      entry[column] = NUMBER.test(cell) ? Number(cell) : cell;
    } else if (column === "approximate") {
      entry[column] = /^(?:true|yes|1)$/i.test(cell) ? true : /^(?:false|no|0)$/i.test(cell) ? false : cell;
    } else if (column === "line") {
      entry[column] = /^\d+$/.test(cell) ? Number(cell) : cell;
    } else {
      entry[column] = cell;
    }
  }
  return entry;
}

export const handObservationsCsv: Format = {
  id: "hand-observations-csv",
  tool: "hand-entered",
  description:
    "hand-entered observations, CSV after a # benchbook: observations/1 comment header (docs/hand-entered.md)",
  scan,
  parse
};
