/** llama-benchy `--format csv`: one row per printed test, `<stem>_mean`/`<stem>_std` fields matched by name. */
import {csvParseRows} from "d3-dsv";
import type {Result} from "../../schema/schema.js";
import type {Block, Context, Doc, Format, ParsedRun} from "../types.js";
import {ParseError} from "../types.js";
import {benchyResult, benchyRun, CSV_STEMS, extraCells, parseTestName} from "./results.js";

const HEADER = /^\s*"?model"?\s*,\s*"?test_name"?\s*,\s*"?t_s_mean"?/i;
const NUMBER = /^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/;

function scan(doc: Doc): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < doc.lines.length; i++) {
    if (!HEADER.test(doc.lines[i].text)) continue;
    let end = i;
    while (end + 1 < doc.lines.length && doc.lines[end + 1].text.trim() !== "" && doc.lines[end + 1].text.includes(","))
      end++;
    blocks.push({
      format: "llama-benchy-csv",
      start: i,
      end,
      confidence: 1,
      reason: "CSV with llama-benchy's header (model,test_name,t_s_mean,…)"
    });
    i = end;
  }
  return blocks;
}

function parse(doc: Doc, block: Block, context: Context): ParsedRun[] {
  const header = csvParseRows(doc.lines[block.start].text)[0].map((h) => h.trim());
  const results: Result[] = [];
  const models = new Set<string>();
  for (let i = block.start + 1; i <= block.end; i++) {
    const {text, line} = doc.lines[i];
    const fields = csvParseRows(text)[0] ?? [];
    if (fields.length !== header.length)
      throw new ParseError(line, `${header.length} fields (${header.join(",")})`, text);
    const field = (name: string) => fields[header.indexOf(name)]?.trim() ?? "";
    const shape = parseTestName(field("test_name"));
    if (!shape)
      throw new ParseError(
        line,
        "a llama-benchy test name like pp2048, tg32 (c4) or ctx_pp @ d4096",
        field("test_name")
      );
    if (field("model")) models.add(field("model"));
    const known = new Set(["model", "test_name", ...Object.keys(CSV_STEMS).flatMap((s) => [`${s}_mean`, `${s}_std`])]);
    const unknown = header.flatMap((h, k): [string, string][] => (known.has(h) ? [] : [[h, fields[k]]]));
    for (const [stem, spec] of Object.entries(CSV_STEMS)) {
      const mean = field(`${stem}_mean`);
      const std = field(`${stem}_std`);
      if (mean === "") continue;
      if (!NUMBER.test(mean) || (std !== "" && !NUMBER.test(std)))
        throw new ParseError(line, `numbers in ${stem}_mean/${stem}_std`, `${mean},${std}`);
      results.push(
        benchyResult(shape, spec, {
          value: Number(mean),
          stddev: std === "" ? null : Number(std),
          text: std === "" ? mean : `${mean},${std}`,
          line,
          extra: extraCells(unknown)
        })
      );
    }
  }
  if (results.length === 0)
    throw new ParseError(doc.lines[block.start].line, "rows with values after the llama-benchy CSV header", "none");
  return [
    benchyRun(
      {
        format: "llama-benchy-csv",
        line_start: doc.lines[block.start].line,
        line_end: doc.lines[block.end].line,
        results,
        model_name: [...models][0] ?? null,
        tool_version: null,
        notes: models.size > 1 ? [`rows name different models: ${[...models].join("; ")}`] : []
      },
      doc,
      block,
      context
    )
  ];
}

export const llamaBenchyCsv: Format = {
  id: "llama-benchy-csv",
  tool: "llama-benchy",
  description: "llama-benchy CSV (--format csv): model,test_name,t_s_mean,t_s_std,…",
  scan,
  parse
};
