/**
 * The import's fast path for whole plain llama-bench `-o jsonl` / `-o csv` files (what `bench` captures, what
 * large single inputs are): read without the document reader, runs built by PlainRecords, the same stored input
 * as the general path. Anything that path would read differently (another encoding, CR, noise or context lines,
 * a broken or duplicate-keyed record, a secret, a value it refuses or notes, `--format`) returns null and goes
 * there. BENCHBOOK_IMPORT_FAST_PATH=0 or `fastPath: false` turns it off; test/import/fast-path.test.ts compares
 * both paths' store files byte for byte.
 */
import {isUtf8} from "node:buffer";
import {redactSecrets} from "../context/redact.js";
import type {DocumentReading} from "../document/read.js";
import {csvParseRows} from "d3-dsv";
import {llamaBenchCsv} from "../formats/llama-bench/csv.js";
import {typedValue} from "../formats/llama-bench/fields.js";
import {llamaBenchJsonl} from "../formats/llama-bench/jsonl.js";
import {csvRow} from "../formats/shared/csv-row.js";
import type {Block} from "../formats/types.js";
import {PlainRecords} from "../formats/llama-bench/plain-runs.js";
import type {LlamaBenchRecord} from "../formats/llama-bench/records.js";
import {emptyHardware} from "../schema/schema.js";
import {MAX_LINE_CHARS, MAX_NESTING} from "./limits.js";

/** How llama-bench starts every JSONL record, and its CSV header. */
const RECORD_START = '{"build_commit":';
const CSV_START = "build_commit,";

/**
 * Text the general path may read differently: the document reader's line splitters (tables, flattened serving
 * blocks and MLX trials, glued ggml device lines), the formats listed before llama-bench-jsonl/-csv that could
 * tie with them (the endpoint file's marker, pipe tables; llama-bench JSON needs a line opening `[`), CR line
 * breaks, NUL (refused), `__proto__` (an own key there).
 */
const LEFT_TO_GENERAL = [
  "\r",
  "\0",
  "|",
  "===",
  "----------",
  "prompt_tps",
  "ggml_",
  '"benchbook_endpoint"',
  '"__proto__"'
];

/** Whether the text holds a number that may be negative zero: stored as 0, it would not read back as -0. */
function mayHoldNegativeZero(text: string): boolean {
  for (let i = text.indexOf("-0"); i >= 0; i = text.indexOf("-0", i + 2)) {
    let j = i + 2;
    if (text.charCodeAt(j) === 0x2e) while (text.charCodeAt(++j) === 0x30);
    const c = text.charCodeAt(j);
    if (c >= 0x30 && c <= 0x39) continue; // -01, -0.5: not zero (or not a number)
    return true;
  }
  return false;
}

/** Whether brackets nest deeper than checkShape allows anywhere in the text (it counts those in strings too). */
function nestsTooDeep(text: string): boolean {
  const brackets = /[[\]{}]/g;
  let depth = 0;
  while (brackets.test(text)) {
    const c = text.charCodeAt(brackets.lastIndex - 1);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_NESTING) return true;
    } else if (depth > 0) depth--;
  }
  return false;
}

/** Keys printed in a record line (`":`), as llamaBenchJsonl's checkKeysOnce counts them. */
function printedKeys(text: string): number {
  let printed = 0;
  for (let i = text.indexOf('":'); i >= 0; i = text.indexOf('":', i + 2)) printed++;
  return printed;
}

export interface PlainReading {
  text: string;
  lines: number;
  reading: DocumentReading;
}

export interface FastPathOptions {
  format?: string;
  runtime?: string | null;
  /** false: always the general path (the comparison tests and perf). */
  fastPath?: boolean;
  redacted?: unknown[];
  redact?: unknown;
}

/** Physical lines (LF only: the caller refuses CR), each with its 1-based number; false from `each` stops. */
function eachLine(text: string, each: (start: number, end: number, line: number) => boolean): number | null {
  let line = 0;
  for (let start = 0; start < text.length;) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    if (end - start > MAX_LINE_CHARS || !each(start, end, ++line)) return null;
    start = end + 1;
  }
  return line;
}

/** Every line one record (llamaBenchJsonl.parse, with its keys counted as checkKeysOnce counts them). */
function jsonlRecords(text: string, records: PlainRecords): {block: Block; line: number} | null {
  let first: LlamaBenchRecord | null = null;
  const line = eachLine(text, (start, end, line) => {
    if (!text.startsWith(RECORD_START, start)) return false;
    const recordText = text.slice(start, end);
    let record: LlamaBenchRecord;
    try {
      record = JSON.parse(recordText);
    } catch {
      return false;
    }
    if (printedKeys(recordText) !== Object.keys(record).length) return false;
    first ??= record;
    return records.add(record, line);
  });
  // The block's confidence and reason, as the format's scanner gives them.
  const [block] = first ? llamaBenchJsonl.scan({name: "", lines: [{text: JSON.stringify(first), line: 1}]}) : [];
  return line !== null && block ? {block, line} : null;
}

/** A header, then every line one quoted row of as many values (llamaBenchCsv.parse without its era notes). */
function csvRecords(text: string, records: PlainRecords): {block: Block; line: number} | null {
  let fields: string[] = [];
  let block: Block | undefined;
  const line = eachLine(text, (start, end, line) => {
    const row = text.slice(start, end);
    if (line === 1) {
      [block] = llamaBenchCsv.scan({name: "", lines: [{text: row, line}]});
      fields = csvParseRows(row.trim())[0] ?? [];
      return block !== undefined;
    }
    if (row.charCodeAt(0) !== 0x22) return false;
    let cells: string[];
    try {
      cells = csvRow(row.trim(), line);
    } catch {
      return false;
    }
    if (cells.length !== fields.length) return false;
    const record: LlamaBenchRecord = {};
    fields.forEach((field, j) => (record[field] = typedValue(field, cells[j])));
    return records.add(record, line);
  });
  return line !== null && line > 1 && block ? {block, line} : null;
}

/** A plain llama-bench JSONL or CSV input read as the general path reads it; null to read it there. */
export function readPlainInput(bytes: Uint8Array, options: FastPathOptions): PlainReading | null {
  if (options.fastPath === false || process.env.BENCHBOOK_IMPORT_FAST_PATH === "0") return null;
  if (options.format || options.redacted?.length || options.redact) return null;
  // A record (JSONL) or the header's first field (CSV): no BOM, no blank line, no UTF-16.
  if (bytes.length === 0 || (bytes[0] !== 0x7b && bytes[0] !== 0x62) || !isUtf8(bytes)) return null;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  const read = text.startsWith(RECORD_START) ? jsonlRecords : text.startsWith(CSV_START) ? csvRecords : null;
  if (!read) return null;
  for (const s of LEFT_TO_GENERAL) if (text.includes(s)) return null;
  if (mayHoldNegativeZero(text) || nestsTooDeep(text)) return null;
  if (redactSecrets(text).redactions.length) return null;
  const records = new PlainRecords();
  const lines = read(text, records);
  if (lines === null) return null;
  const {block, line} = lines;
  const context = {
    commands: [],
    server: null,
    comments: [],
    hardware: emptyHardware(),
    runtime: options.runtime ?? null
  };
  const runs = records.runs(block.format, context, 1, line);
  if (!runs) return null;
  const reading: DocumentReading = {
    runs,
    warnings: [],
    blocks: [
      {
        format: block.format,
        line_start: 1,
        line_end: line,
        confidence: block.confidence,
        reason: block.reason,
        runs: runs.length,
        results: runs.reduce((n, r) => n + r.results.length, 0)
      }
    ],
    context: [],
    ignored: []
  };
  return {text, lines: line, reading};
}
