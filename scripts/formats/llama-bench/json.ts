/**
 * llama-bench `-o json`: one array of records, pretty-printed, with
 * `samples_ns`/`samples_ts` arrays. Each value's line is the line of its
 * record's `"avg_ts"` key.
 */
import {closingOf, elementStarts, lineOf, parseJsonAt, spanOf} from "../shared/json-text.js";
import type {Block, Context, Doc, Format, ParsedRun} from "../types.js";
import {ParseError} from "../types.js";
import type {LlamaBenchRecord, LocatedRecord} from "./records.js";
import {recordsRuns} from "./records.js";

const KEY = /"(?:avg_ts|n_prompt|build_commit)"\s*:/;

function scan(doc: Doc): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < doc.lines.length; i++) {
    if (!/^\s*\[\s*(?:\{.*)?$/.test(doc.lines[i].text)) continue;
    // The first record must follow within a few lines and look like llama-bench's.
    const lookahead = spanOf(doc, i, Math.min(doc.lines.length - 1, i + 60)).text;
    if (!KEY.test(lookahead) || !/"avg_ts"\s*:/.test(lookahead)) continue;
    // Find where the array closes; a truncated array runs to the end of the input.
    const span = spanOf(doc, i, doc.lines.length - 1);
    const open = span.text.indexOf("[");
    const close = closingOf(span.text, open);
    const end = close > 0 ? i + span.offsets.findLastIndex((o) => o <= close - 1) : doc.lines.length - 1;
    blocks.push({
      format: "llama-bench-json",
      start: i,
      end,
      confidence: close > 0 ? 1 : 0.8,
      reason: `JSON array of llama-bench records (keys avg_ts, n_prompt)${close > 0 ? "" : ", not closed"}`
    });
    i = end;
  }
  return blocks;
}

function parse(doc: Doc, block: Block, context: Context): ParsedRun[] {
  const span = spanOf(doc, block.start, block.end);
  const open = span.text.indexOf("[");
  const close = closingOf(span.text, open);
  if (close < 0)
    throw new ParseError(
      doc.lines[block.end].line,
      "the closing ] of the llama-bench JSON array (the output is truncated)"
    );
  const records: LocatedRecord[] = [];
  for (const start of elementStarts(span.text, open, close)) {
    const end = closingOf(span.text, start);
    if (end < 0) throw new ParseError(lineOf(doc, span, start), "a complete JSON object");
    const record = parseJsonAt<LlamaBenchRecord>(doc, span, start, end, "a llama-bench record");
    const key = span.text.slice(start, end).search(/"avg_ts"\s*:/);
    records.push({record, line: lineOf(doc, span, key >= 0 ? start + key : start), start: lineOf(doc, span, start)});
  }
  // Validate the array as a whole too: stray text between records is malformed input.
  parseJsonAt<unknown>(doc, span, open, close, "the llama-bench JSON array");
  return recordsRuns("llama-bench-json", records, context, doc.lines[block.start].line, doc.lines[block.end].line);
}

export const llamaBenchJson: Format = {
  id: "llama-bench-json",
  tool: "llama-bench",
  description: "llama-bench JSON array (-o json), with per-repetition samples",
  scan,
  parse
};
