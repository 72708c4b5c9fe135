/**
 * llama-bench `-o sql`: `CREATE TABLE IF NOT EXISTS llama_bench (…)` (table
 * `test` in older builds) and one `INSERT INTO … (columns) VALUES (…);` per
 * test. The statements are read, never executed: an imported file must not
 * be able to run SQL.
 */
import type {Block, Context, Doc, Format, ParsedRun} from "../types.js";
import {ParseError} from "../types.js";
import {columnsOfEra, eraNote, typedValue} from "./fields.js";
import type {LlamaBenchRecord, LocatedRecord} from "./records.js";
import {recordsRuns} from "./records.js";

const CREATE = /^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?["`]?(llama_bench|test)["`]?\s*\(/i;
const INSERT = /^\s*INSERT\s+INTO\s+["`]?(llama_bench|test)["`]?\s*(\(([^)]*)\))?\s*VALUES\s*\(/i;

const SCHEMA_LINE = /^\s*(?:["`]?\w+["`]?\s+(?:TEXT|INTEGER|REAL)\s*,?|\)\s*;)\s*$/i;

function scan(doc: Doc): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < doc.lines.length; i++) {
    if (!CREATE.test(doc.lines[i].text) && !INSERT.test(doc.lines[i].text)) continue;
    let end = -1;
    let inserts = 0;
    for (let j = i; j < doc.lines.length; j++) {
      const text = doc.lines[j].text;
      if (INSERT.test(text)) {
        inserts++;
        // A wrapped INSERT continues until its closing `);`.
        while (!/\)\s*;\s*$/.test(doc.lines[j].text) && j + 1 < doc.lines.length && !INSERT.test(doc.lines[j + 1].text))
          j++;
        end = j;
      } else if (!(j === i || text.trim() === "" || SCHEMA_LINE.test(text))) break;
    }
    if (inserts === 0) continue;
    blocks.push({
      format: "llama-bench-sql",
      start: i,
      end,
      confidence: 1,
      reason: `SQL statements for table llama_bench/test (${inserts} INSERT)`
    });
    i = end;
  }
  return blocks;
}

/** Values of `VALUES ('a', '1', NULL, 2.5)`: quoted strings keep doubled quotes unescaped. */
function sqlValues(text: string, line: number): (string | null)[] {
  const values: (string | null)[] = [];
  let i = 0;
  const skip = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  for (;;) {
    skip();
    if (text[i] === "'") {
      let value = "";
      for (i++; ; i++) {
        if (i >= text.length) throw new ParseError(line, "a closing quote in the INSERT values");
        if (text[i] === "'" && text[i + 1] === "'") {
          value += "'";
          i++;
        } else if (text[i] === "'") break;
        else value += text[i];
      }
      i++;
      values.push(value);
    } else {
      const m = /^(NULL|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)/i.exec(text.slice(i));
      if (!m)
        throw new ParseError(line, "a quoted string, a number or NULL in the INSERT values", text.slice(i, i + 30));
      values.push(/^NULL$/i.test(m[1]) ? null : m[1]);
      i += m[1].length;
    }
    skip();
    if (text[i] === ",") {
      i++;
      continue;
    }
    if (text[i] === ")") return values;
    throw new ParseError(line, "a comma or ) between INSERT values", text.slice(i, i + 30));
  }
}

function parse(doc: Doc, block: Block, context: Context): ParsedRun[] {
  let createColumns: string[] | null = null;
  const records: LocatedRecord[] = [];
  const notes: string[] = [];
  for (let i = block.start; i <= block.end; i++) {
    const {text, line} = doc.lines[i];
    if (CREATE.test(text)) {
      createColumns = [];
      for (let j = i + 1; j <= block.end && !/^\s*\)\s*;/.test(doc.lines[j].text); j++) {
        const m = /^\s*["`]?(\w+)["`]?\s+\w+/.exec(doc.lines[j].text);
        if (m) createColumns.push(m[1]);
      }
      continue;
    }
    const insert = INSERT.exec(text);
    if (!insert) continue;
    let statement = text;
    while (!/\)\s*;\s*$/.test(statement) && i < block.end) statement += "\n" + doc.lines[++i].text;
    const columns = insert[3]?.split(",").map((c) => c.trim().replace(/^["`]|["`]$/g, "")) ?? createColumns;
    if (!columns) throw new ParseError(line, "a column list in the INSERT or a CREATE TABLE before it");
    const values = sqlValues(statement.slice(insert[0].length), line);
    const era = values.length === columns.length ? null : columnsOfEra(columns, values.length);
    if (values.length !== columns.length && !era)
      throw new ParseError(
        line,
        `${columns.length} values for the ${columns.length} columns`,
        `${values.length} values`
      );
    if (era) notes.push(eraNote(line, values.length));
    const record: LlamaBenchRecord = {};
    (era ?? columns).forEach(
      (column, j) => (record[column] = values[j] === null ? null : typedValue(column, values[j]!))
    );
    records.push({record, line});
  }
  const runs = recordsRuns("llama-bench-sql", records, context, doc.lines[block.start].line, doc.lines[block.end].line);
  if (notes.length) runs[0] = {...runs[0], notes: [...runs[0].notes, ...notes]};
  return runs;
}

export const llamaBenchSql: Format = {
  id: "llama-bench-sql",
  tool: "llama-bench",
  description: "llama-bench SQL (-o sql): CREATE TABLE and INSERT statements for table llama_bench or test",
  scan,
  parse
};
