/**
 * llama-bench `-o jsonl`: one record per line, streamed as each test ends.
 * Captured with `2>&1`, stderr lines (device lines, progress, warnings) sit
 * between records; they are context or ignored, never an error.
 */
import {recordLineBlocks} from "../shared/record-lines.js";
import {parseJsonAt, repeatedKey, repeatedKeyMessage, spanOf} from "../shared/json-text.js";
import type {Block, Context, Doc, Format, ParsedRun} from "../types.js";
import {ParseError} from "../types.js";
import type {LlamaBenchRecord, LocatedRecord} from "./records.js";
import {recordsRuns} from "./records.js";

const RECORD = /^\s*\{\s*"build_commit"\s*:|^\s*\{.*"(?:avg_ts|n_prompt)"\s*:/;

function scan(doc: Doc): Block[] {
  return recordLineBlocks(
    doc,
    RECORD,
    "llama-bench-jsonl",
    "lines holding one llama-bench JSON record each (keys avg_ts, n_prompt)"
  );
}

function parse(doc: Doc, block: Block, context: Context): ParsedRun[] {
  const records: LocatedRecord[] = [];
  for (let i = block.start; i <= block.end; i++) {
    const {text, line} = doc.lines[i];
    if (!RECORD.test(text)) continue; // stderr noise between records
    let record: LlamaBenchRecord;
    try {
      record = JSON.parse(text);
    } catch {
      // Parse again where the error can name its position.
      const span = spanOf(doc, i, i);
      const open = span.text.indexOf("{");
      record = parseJsonAt<LlamaBenchRecord>(doc, span, open, span.text.trimEnd().length, "a llama-bench JSONL record");
    }
    checkKeysOnce(text, record, line);
    records.push({record, line});
  }
  return recordsRuns("llama-bench-jsonl", records, context, doc.lines[block.start].line, doc.lines[block.end].line);
}

/**
 * Refuse a record that names a key twice (JSON.parse kept the last). Cheap
 * first: a flat record prints each key as `"key":` once, so as many `":` as
 * parsed keys means none repeats; only otherwise is the line scanned.
 */
function checkKeysOnce(text: string, record: LlamaBenchRecord, line: number): void {
  let printed = 0;
  for (let i = text.indexOf('":'); i >= 0; i = text.indexOf('":', i + 2)) printed++;
  if (printed === Object.keys(record).length) return;
  const repeated = repeatedKey(text);
  if (repeated) throw new ParseError(line, repeatedKeyMessage(repeated.key, line));
}

export const llamaBenchJsonl: Format = {
  id: "llama-bench-jsonl",
  tool: "llama-bench",
  description: "llama-bench JSON Lines (-o jsonl), stderr noise between records allowed",
  scan,
  parse
};
