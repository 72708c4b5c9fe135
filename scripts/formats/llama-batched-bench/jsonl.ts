/**
 * `llama-batched-bench --output-format jsonl`: one record per configuration, settings repeated in each
 * (`{"n_kv_max": 2048, …, "pp": 32, "tg": 16, "pl": 1, …, "speed": 9373.168945}`); log lines between are skipped.
 */
import {recordLineBlocks} from "../shared/record-lines.js";
import type {Scalar, Settings} from "../../schema/schema.js";
import {lineOf, parseJsonAt, spanOf} from "../shared/json-text.js";
import type {Block, Context, Doc, Format, ParsedRun} from "../types.js";
import {ParseError} from "../types.js";
import type {ConfigRow, Phase, PhaseValue} from "./run.js";
import {batchedBenchRun} from "./run.js";

const RECORD = /^\s*\{.*"(?:speed_pp|n_kv_max)"\s*:.*"pl"\s*:/;

const VALUE_KEYS: Record<string, {phase: Phase; metric: PhaseValue["metric"]}> = {
  t_pp: {phase: "pp", metric: "duration"},
  speed_pp: {phase: "pp", metric: "throughput"},
  t_tg: {phase: "tg", metric: "duration"},
  speed_tg: {phase: "tg", metric: "throughput"},
  t: {phase: "pp+tg", metric: "duration"},
  speed: {phase: "pp+tg", metric: "throughput"}
};
/** Keys describing the row rather than the run. */
const ROW_KEYS = new Set(["pp", "tg", "pl", "n_kv"]);

function scan(doc: Doc): Block[] {
  return recordLineBlocks(
    doc,
    RECORD,
    "llama-batched-bench-jsonl",
    "lines holding one llama-batched-bench JSON record each (keys pp, tg, pl, speed_pp)"
  );
}

function fragment(text: string, key: string): string | null {
  return new RegExp(`"${key}"\\s*:\\s*[^,}]+`).exec(text)?.[0].trim() ?? null;
}

function parse(doc: Doc, block: Block, context: Context): ParsedRun[] {
  const rows: ConfigRow[] = [];
  for (let i = block.start; i <= block.end; i++) {
    const {text, line} = doc.lines[i];
    if (!RECORD.test(text)) continue; // log lines between records
    const span = spanOf(doc, i, i);
    const open = span.text.indexOf("{");
    const record = parseJsonAt<Record<string, Scalar>>(
      doc,
      span,
      open,
      span.text.trimEnd().length,
      "a llama-batched-bench JSONL record"
    );
    const at = lineOf(doc, span, open);
    const int = (key: string) => {
      const v = record[key];
      if (typeof v !== "number")
        throw new ParseError(at, `a numeric "${key}" in the llama-batched-bench record`, String(v ?? "nothing"));
      return v;
    };
    const row: ConfigRow = {line: at, pp: int("pp"), tg: int("tg"), b: int("pl"), values: [], extra: {}, settings: {}};
    for (const [key, value] of Object.entries(record)) {
      const known = VALUE_KEYS[key];
      if (known) {
        if (typeof value !== "number") throw new ParseError(at, `a number for "${key}"`, String(value));
        row.values.push({...known, value, text: fragment(text, key), field: key});
      } else if (key === "n_kv") row.extra.n_kv = value;
      else if (!ROW_KEYS.has(key)) row.settings[key] = value;
    }
    rows.push(row);
  }
  const settings: Settings = {};
  return [
    batchedBenchRun(
      {
        format: "llama-batched-bench-jsonl",
        line_start: doc.lines[block.start].line,
        line_end: doc.lines[block.end].line,
        settings,
        rows
      },
      context
    )
  ];
}

export const llamaBatchedBenchJsonl: Format = {
  id: "llama-batched-bench-jsonl",
  tool: "llama-batched-bench",
  description: "llama-batched-bench JSON Lines (--output-format jsonl)",
  scan,
  parse
};
