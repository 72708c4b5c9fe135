/**
 * `nvidia-smi --query-gpu=… --format=csv`: any field list, matched by the printed header name (with or without
 * units); without a header the field list comes from the command line above. Repeated GPUs (`-l`) are a time
 * series. Measured fields are results; the rest goes to the GPU's extra. `[N/A]` stays text.
 */
import {csvParseRows} from "d3-dsv";
import type {Gpu, Result, Scalar} from "../../schema/schema.js";
import {emptyHardware, emptyModel} from "../../schema/schema.js";
import type {Block, Context, Doc, Format, ParsedRun} from "../types.js";
import {ParseError} from "../types.js";
import {gpuResult, MEASURED, mergeGpu, UNPRINTED_UNITS} from "./fields.js";

/** A field name as nvidia-smi prints it, with its optional `[unit]`. */
const FIELD = /^([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*)(?:\s*\[([^\]]+)\])?$/;
/** Fields that only nvidia-smi's query prints; one of them must be in a header. */
const KNOWN_FIELD =
  /^(?:index|uuid|pci\.bus_id|driver_version|memory\.(?:total|used|free|reserved)|power\.(?:draw|limit)|temperature\.gpu|utilization\.gpu|pcie\.link\.|clocks\.|fan\.speed|pstate|compute_cap|vbios_version|serial|timestamp)/;
const QUERY_COMMAND = /nvidia-smi\b.*--query-gpu[= ]([\w.,]+).*--format[= ]([\w,]+)/;

interface Column {
  /** Name as printed, without the unit. */
  field: string;
  unit: string | null;
  printed: string;
}

function splitRow(text: string): string[] {
  return (csvParseRows(text)[0] ?? []).map((c) => c.trim());
}

function headerColumns(text: string): Column[] | null {
  if (!text.includes(",") && !FIELD.test(text.trim())) return null;
  const cols: Column[] = [];
  for (const cell of splitRow(text)) {
    const m = FIELD.exec(cell);
    if (!m) return null;
    cols.push({field: m[1], unit: m[2] ?? null, printed: cell});
  }
  return cols.some((c) => KNOWN_FIELD.test(c.field)) ? cols : null;
}

/** Fields of a `--query-gpu=a,b,c --format=csv,noheader` command, when it omits the header. */
function commandColumns(text: string): {cols: Column[]; header: boolean; units: boolean} | null {
  const m = QUERY_COMMAND.exec(text);
  if (!m) return null;
  const format = m[2].split(",");
  return {
    cols: m[1]
      .split(",")
      .filter(Boolean)
      .map((f) => ({field: f, unit: null, printed: f})),
    header: !format.includes("noheader"),
    units: !format.includes("nounits")
  };
}

/**
 * The rows after a header: lines with as many values as fields. A line that
 * starts like a row (a GPU index) but has another count is a broken row and
 * stays in the block, so parse() names it; anything else ends the block.
 */
function rowsAfter(doc: Doc, from: number, cols: Column[]): number {
  let end = from - 1;
  for (let i = from; i < doc.lines.length; i++) {
    const text = doc.lines[i].text;
    if (text.trim() === "" || (!text.includes(",") && cols.length > 1)) break;
    const cells = splitRow(text);
    const indexAt = cols.findIndex((c) => c.field === "index");
    if (indexAt >= 0 && !/^\d+$/.test(cells[indexAt] ?? "")) break;
    if (cells.length !== cols.length && indexAt !== 0) break;
    end = i;
  }
  return end;
}

function scan(doc: Doc): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < doc.lines.length; i++) {
    const cols = headerColumns(doc.lines[i].text);
    if (cols) {
      const end = rowsAfter(doc, i + 1, cols);
      if (end > i) {
        blocks.push({
          format: "nvidia-smi-csv",
          start: i,
          end,
          confidence: 0.9,
          reason: `nvidia-smi --query-gpu CSV header (${cols.map((c) => c.printed).join(", ")})`
        });
        i = end;
      }
      continue;
    }
    const command = commandColumns(doc.lines[i].text);
    if (command && !command.header) {
      const end = rowsAfter(doc, i + 1, command.cols);
      if (end > i) {
        blocks.push({
          format: "nvidia-smi-csv",
          start: i + 1,
          end,
          confidence: 0.85,
          reason: `rows of the nvidia-smi --query-gpu=${command.cols.map((c) => c.field).join(",")} command above them (noheader)`
        });
        i = end;
      }
    }
  }
  return blocks;
}

function columnsFor(doc: Doc, block: Block, context: Context): {cols: Column[]; first: number} {
  const cols = headerColumns(doc.lines[block.start].text);
  if (cols) return {cols, first: block.start + 1};
  const fromDoc = block.start > 0 ? commandColumns(doc.lines[block.start - 1].text) : null;
  const fromContext =
    [...context.commands]
      .reverse()
      .map((c) => commandColumns(c.text))
      .find((c) => c !== null) ?? null;
  const command = fromDoc ?? fromContext;
  if (!command)
    throw new ParseError(
      doc.lines[block.start].line,
      "an nvidia-smi --query-gpu CSV header or the --query-gpu command above the rows",
      doc.lines[block.start].text
    );
  return {cols: command.cols, first: block.start};
}

/** `2026/11/22 02:22:43.348` → `2026-11-22T02:22:43.348` (local time, no offset printed). */
function timestamp(text: string): string | null {
  const m = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/.exec(text);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}` : null;
}

function parse(doc: Doc, block: Block, context: Context): ParsedRun[] {
  const {cols, first} = columnsFor(doc, block, context);
  const gpus: Gpu[] = [];
  const samples: {result: Result; seq: number}[] = [];
  const seen = new Map<string, number>();
  for (const {text, line} of doc.lines.slice(first, block.end + 1)) {
    const cells = splitRow(text);
    if (cells.length !== cols.length)
      throw new ParseError(
        line,
        `${cols.length} comma-separated values (${cols.map((c) => c.printed).join(", ")})`,
        text
      );
    const get = (field: string): string | undefined => cells[cols.findIndex((c) => c.field === field)];
    const indexText = get("index");
    const index = indexText !== undefined && /^\d+$/.test(indexText) ? Number(indexText) : null;
    const key = index !== null ? String(index) : (get("uuid") ?? get("pci.bus_id") ?? get("name") ?? "");
    const seq = seen.get(key) ?? 0;
    seen.set(key, seq + 1);
    const stamp = get("timestamp");
    const time = stamp !== undefined ? timestamp(stamp) : null;
    const gpu: Gpu = {index, name: get("name") ?? "", vram_mib: null, compute_capability: get("compute_cap") ?? null};
    const extra: Record<string, Scalar> = {};
    cols.forEach((col, c) => {
      const cell = cells[c];
      if (["index", "name", "timestamp", "compute_cap"].includes(col.field)) return;
      const m = /^(-?\d+(?:\.\d+)?)(?:\s*(\S+))?$/.exec(cell);
      const printedUnit = m?.[2] ?? col.unit;
      const unit = printedUnit ?? UNPRINTED_UNITS[col.field] ?? null;
      if (col.field === "memory.total" && m && unit === "MiB") gpu.vram_mib = Number(m[1]);
      const metric = MEASURED[col.field];
      if (metric && m && unit) {
        const unitNote = printedUnit ? {} : {unit_from: "nvidia-smi --help-query-gpu (not printed)"};
        samples.push({
          result: gpuResult({
            line,
            text: cell,
            index,
            field: col.printed,
            metric,
            unit,
            value: Number(m[1]),
            time,
            extra: unitNote
          }),
          seq
        });
      } else {
        extra[col.printed] = m && m[2] === undefined && col.unit === null ? Number(m[1]) : cell;
      }
    });
    gpu.extra = extra;
    mergeGpu(gpus, gpu);
  }
  // Repeated GPUs (`-l 1`): each GPU's values form a time series.
  const repeated = [...seen.values()].some((n) => n > 1);
  const results = samples.map(({result, seq}) => (repeated ? {...result, scope: "interval" as const, seq} : result));
  const command = [...context.commands].reverse().find((c) => c.program === "nvidia-smi") ?? null;
  return [
    {
      tool: "nvidia-smi",
      tool_version: null,
      runtime: null,
      build_commit: null,
      build_number: null,
      format: "nvidia-smi-csv",
      started_at: results.find((r) => r.time)?.time ?? null,
      command: command?.text ?? null,
      hardware: {...emptyHardware(), gpus},
      model: emptyModel(),
      settings: {},
      settings_from_command: [],
      notes: repeated ? ["the same GPUs repeat (nvidia-smi -l): each row is one sample of a time series"] : [],
      extra: {fields: cols.map((c) => c.printed)},
      results,
      line_start: doc.lines[block.start].line,
      line_end: doc.lines[block.end].line
    }
  ];
}

export const nvidiaSmiCsv: Format = {
  id: "nvidia-smi-csv",
  tool: "nvidia-smi",
  description: "nvidia-smi --query-gpu=… --format=csv (any fields, with or without header and units, -l loops)",
  scan,
  parse
};
