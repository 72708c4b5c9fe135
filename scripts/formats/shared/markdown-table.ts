/**
 * Pipe tables as tools print them (llama-bench, llama-benchy, batched-bench):
 * padded or compact, surrounded by prose, or flattened onto one line by a
 * site that dropped the line breaks.
 */
import type {Doc} from "../types.js";

export interface TableRow {
  /** Logical line index in the Doc. */
  index: number;
  /** 1-based physical line. */
  line: number;
  cells: string[];
  /** The row as printed. */
  text: string;
}

export interface MarkdownTable {
  /** Logical line indexes of the header and of the last row, inclusive. */
  start: number;
  end: number;
  header: string[];
  rows: TableRow[];
}

const SEPARATOR_CELL = /^\s*:?-+:?\s*$/;
// A separator row anywhere in a line: `| --- | ---: |` or `|:---|---:|`.
const SEPARATOR_RUN = /\|(?:\s*:?-+:?\s*\|)+/g;

/** Cells of a `| a | b |` row (outer pipes optional), trimmed. */
export function splitRow(text: string): string[] {
  let s = text.trim();
  if (s.startsWith("|")) s = s.slice(1);
  if (s.endsWith("|")) s = s.slice(0, -1);
  return s.split("|").map((cell) => cell.trim());
}

function isRowLine(text: string): boolean {
  return text.trimStart().startsWith("|");
}

function isSeparator(text: string): boolean {
  const cells = splitRow(text);
  return cells.length > 0 && cells.every((cell) => SEPARATOR_CELL.test(cell));
}

/**
 * Every table in the Doc: a header row directly followed by a separator row,
 * then the rows that follow while lines start with `|`.
 */
export function findTables(doc: Doc): MarkdownTable[] {
  const tables: MarkdownTable[] = [];
  const {lines} = doc;
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!isRowLine(lines[i].text) || !isSeparator(lines[i + 1].text) || isSeparator(lines[i].text)) continue;
    const header = splitRow(lines[i].text);
    const rows: TableRow[] = [];
    let j = i + 2;
    while (j < lines.length && isRowLine(lines[j].text) && !isSeparator(lines[j].text)) {
      const cells = splitRow(lines[j].text);
      // A doubled closing pipe (`… | 16.41 ± 0.79 ||`, seen in llama-bench's own README) is not an extra empty cell.
      if (cells.length === header.length + 1 && cells.at(-1) === "" && /\|\|\s*$/.test(lines[j].text)) cells.pop();
      rows.push({index: j, line: lines[j].line, cells, text: lines[j].text.trim()});
      j++;
    }
    tables.push({start: i, end: j - 1, header, rows});
    i = j - 1;
  }
  return tables;
}

/**
 * Split a physical line holding one or more whole tables (header, separator,
 * rows) into prefix text, one line per table row, and suffix text. Rows are
 * cut by counting the header's cells, so empty cells are kept. Returns null
 * when the line holds no flattened table.
 */
export function unflattenTables(line: string): string[] | null {
  SEPARATOR_RUN.lastIndex = 0;
  const sep = SEPARATOR_RUN.exec(line);
  if (!sep) return null;
  const columns = splitRow(sep[0]).length;
  // The header is the `columns` cells just before the separator.
  const before = line.slice(0, sep.index);
  const parts = before.split("|");
  // parts: [prefix, h1, …, hN, gap] where gap is the blank between the header's closing pipe and the separator.
  if (parts.length < columns + 2 || parts[parts.length - 1].trim() !== "") return null;
  const header = parts.slice(parts.length - 1 - columns, parts.length - 1);
  if (header.some((cell) => cell.trim() === "")) return null;
  const prefix = parts
    .slice(0, parts.length - 1 - columns)
    .join("|")
    .trim();
  const out: string[] = [];
  if (prefix) out.push(prefix);
  out.push(`| ${header.map((cell) => cell.trim()).join(" | ")} |`);
  out.push(sep[0]);
  let pos = sep.index + sep[0].length;
  for (;;) {
    const start = skipSpaces(line, pos);
    if (line[start] !== "|") break;
    // Read up to `columns` cells, each closed by a pipe.
    const cells: string[] = [];
    let p = start + 1;
    while (cells.length < columns) {
      const close = line.indexOf("|", p);
      if (close < 0) break;
      cells.push(line.slice(p, close));
      p = close + 1;
    }
    if (cells.length < columns) {
      // A truncated last row: keep it as printed so the parser can say what is missing.
      out.push(line.slice(start).trim());
      pos = line.length;
      break;
    }
    out.push(`| ${cells.map((cell) => cell.trim()).join(" | ")} |`);
    pos = p;
  }
  const rest = line.slice(pos).trim();
  if (rest) out.push(...(unflattenTables(rest) ?? [rest]));
  return out;
}

function skipSpaces(text: string, pos: number): number {
  while (pos < text.length && /\s/.test(text[pos])) pos++;
  return pos;
}

/** Lowercased header cell, for matching columns by name. */
export function columnKey(cell: string): string {
  return cell.trim().toLowerCase();
}
