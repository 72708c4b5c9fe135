/**
 * llama-benchy's Markdown table (`| model | test | t/s | peak t/s | ttfr (ms) | … |`) and its
 * `llama-benchy (version)` footer. Columns matched by name; empty cells mean not measured. results.ts maps them.
 */
import {columnKey, findTables, type MarkdownTable} from "../shared/markdown-table.js";
import type {Block, Context, Doc, Format, ParsedRun} from "../types.js";
import {ParseError} from "../types.js";
import type {Result} from "../../schema/schema.js";
import {
  benchyResult,
  benchyRun,
  cleanVersion,
  extraCells,
  MD_COLUMNS,
  parseTestName,
  valueAndDeviation
} from "./results.js";

const FOOTER_VERSION = /^llama-benchy\s*\(([^)\s]+)\)/i;
const FOOTER_DATE = /date:\s*(.+?)\s*\|\s*latency mode:\s*(\S+)/i;

function isBenchyHeader(header: string[]): boolean {
  const keys = header.map(columnKey);
  const llamaBench = keys.includes("size") || keys.includes("params") || keys.includes("backend");
  const timing = ["ttfr (ms)", "est_ppt (ms)", "e2e_ttft (ms)", "peak t/s", "t/s (req)"].some((k) => keys.includes(k));
  return keys.includes("test") && (keys.includes("t/s") || keys.includes("t/s (total)")) && timing && !llamaBench;
}

interface Footer {
  end: number;
  version: string | null;
  date: string | null;
  latency_mode: string | null;
}

/** The `llama-benchy (version)` / `date: … | latency mode: …` lines right after the table. */
function findFooter(doc: Doc, after: number): Footer | null {
  const footer: Footer = {end: after, version: null, date: null, latency_mode: null};
  for (let i = after + 1; i < doc.lines.length && i <= after + 4; i++) {
    const text = doc.lines[i].text.trim();
    const version = FOOTER_VERSION.exec(text);
    const date = FOOTER_DATE.exec(text);
    if (version && footer.version === null) {
      footer.version = version[1];
      footer.end = i;
    }
    if (date && footer.date === null && footer.version !== null) {
      [footer.date, footer.latency_mode] = [date[1], date[2]];
      footer.end = i;
      break;
    }
    if (!version && !date && text !== "") break;
  }
  return footer.version !== null ? footer : null;
}

function scan(doc: Doc): Block[] {
  return findTables(doc)
    .filter((table) => isBenchyHeader(table.header))
    .map((table) => {
      const footer = findFooter(doc, table.end);
      return {
        format: "llama-benchy-md",
        start: table.start,
        end: footer?.end ?? table.end,
        confidence: 1,
        reason: `pipe table with llama-benchy columns (${table.header.join(", ")})${footer ? ` and its footer "llama-benchy (${footer.version})"` : ""}`
      };
    });
}

function parse(doc: Doc, block: Block, context: Context): ParsedRun[] {
  const table = findTables({...doc, lines: doc.lines.slice(block.start, block.end + 1)})[0] as MarkdownTable;
  const keys = table.header.map(columnKey);
  if (table.rows.length === 0)
    throw new ParseError(doc.lines[block.start].line, "table rows after the header of a llama-benchy table", "nothing");
  const results: Result[] = [];
  const models = new Set<string>();
  for (const row of table.rows) {
    if (row.cells.length !== keys.length)
      throw new ParseError(row.line, `${keys.length} cells (${table.header.join(" | ")})`, row.text);
    const cell = (key: string) => row.cells[keys.indexOf(key)] ?? "";
    const shape = parseTestName(cell("test"));
    if (!shape)
      throw new ParseError(
        row.line,
        "a llama-benchy test name like pp2048, tg32, pp2048 @ d8192, tg32 (c4) or ctx_pp @ d4096",
        cell("test")
      );
    if (keys.includes("model") && cell("model")) models.add(cell("model"));
    const unknown = keys.flatMap((key, i): [string, string][] =>
      key in MD_COLUMNS || key === "test" || key === "model" ? [] : [[table.header[i], row.cells[i]]]
    );
    keys.forEach((key, i) => {
      const spec = MD_COLUMNS[key];
      const text = row.cells[i];
      if (!spec || text === "") return;
      const measured = valueAndDeviation(text);
      if (!measured)
        throw new ParseError(row.line, `a "${table.header[i]}" cell like "805.91 ± 400.47" or empty`, text);
      results.push(benchyResult(shape, spec, {...measured, text, line: row.line, extra: extraCells(unknown)}));
    });
  }
  const footer = findFooter(doc, block.start + table.end);
  const notes = models.size > 1 ? [`rows name different models: ${[...models].join("; ")}`] : [];
  return [
    benchyRun(
      {
        format: "llama-benchy-md",
        line_start: doc.lines[block.start].line,
        line_end: doc.lines[block.end].line,
        results,
        model_name: [...models][0] ?? null,
        tool_version: cleanVersion(footer?.version ?? null),
        settings: footer?.latency_mode ? {latency_mode: footer.latency_mode} : {},
        // The footer's date has no time zone: kept as printed, not turned into started_at.
        extra: footer?.date ? {date: footer.date} : {},
        notes
      },
      doc,
      block,
      context
    )
  ];
}

export const llamaBenchyMd: Format = {
  id: "llama-benchy-md",
  tool: "llama-benchy",
  description:
    "llama-benchy Markdown table (t/s, peak t/s, ttfr, est_ppt, e2e_ttft; concurrency and prefix-caching variants) with its footer",
  scan,
  parse
};
