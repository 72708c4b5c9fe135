/**
 * llama-bench `-o csv`: a header of field names, then one quoted row per test.
 */
import {csvParseRows} from "d3-dsv";
import {csvRow} from "../shared/csv-row.js";
import type {Block, Context, Doc, Format, ParsedRun} from "../types.js";
import {ParseError} from "../types.js";
import {columnsOfEra, eraNote, typedValue} from "./fields.js";
import type {LlamaBenchRecord, LocatedRecord} from "./records.js";
import {recordsRuns} from "./records.js";

function header(text: string): string[] | null {
  // Cheap test first: this runs on every line of every input.
  if (!text.includes("avg_ts") || !text.includes("n_prompt") || text.trimStart().startsWith("{")) return null;
  const fields = csvParseRows(text.trim())[0];
  return fields && fields.includes("avg_ts") && fields.includes("n_prompt") && fields.includes("n_gen") ? fields : null;
}

function scan(doc: Doc): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < doc.lines.length; i++) {
    const fields = header(doc.lines[i].text);
    if (!fields) continue;
    let end = i;
    while (end + 1 < doc.lines.length && /^\s*"/.test(doc.lines[end + 1].text)) end++;
    blocks.push({
      format: "llama-bench-csv",
      start: i,
      end,
      confidence: 1,
      reason: `CSV header with llama-bench fields (${fields.length} columns incl. avg_ts, n_prompt)`
    });
    i = end;
  }
  return blocks;
}

function parse(doc: Doc, block: Block, context: Context): ParsedRun[] {
  const fields = header(doc.lines[block.start].text)!;
  const records: LocatedRecord[] = [];
  const notes: string[] = [];
  for (let i = block.start + 1; i <= block.end; i++) {
    const {text, line} = doc.lines[i];
    const cells = csvRow(text.trim(), line);
    const era = cells.length === fields.length ? null : columnsOfEra(fields, cells.length);
    if (cells.length !== fields.length && !era)
      throw new ParseError(line, `${fields.length} comma-separated values like the header`, text);
    if (era) notes.push(eraNote(line, cells.length));
    const record: LlamaBenchRecord = {};
    (era ?? fields).forEach((field, j) => (record[field] = typedValue(field, cells[j])));
    records.push({record, line});
  }
  if (records.length === 0)
    throw new ParseError(doc.lines[block.start].line, "rows after the llama-bench CSV header", "nothing");
  const runs = recordsRuns("llama-bench-csv", records, context, doc.lines[block.start].line, doc.lines[block.end].line);
  if (notes.length) runs[0] = {...runs[0], notes: [...runs[0].notes, ...notes]};
  return runs;
}

export const llamaBenchCsv: Format = {
  id: "llama-bench-csv",
  tool: "llama-bench",
  description: "llama-bench CSV (-o csv)",
  scan,
  parse
};
