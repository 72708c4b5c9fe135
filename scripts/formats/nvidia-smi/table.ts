/**
 * `nvidia-smi`'s box table. Widths and labels change across drivers (`Driver Version` → `KMD Version` in 610),
 * so each cell is read by the header cell above it, not by position.
 */
import type {Gpu, Result, Scalar} from "../../schema/schema.js";
import {emptyHardware, emptyModel} from "../../schema/schema.js";
import type {Block, Context, Doc, Format, ParsedRun} from "../types.js";
import {ParseError} from "../types.js";
import {gpuResult, mergeGpu, timestampLine} from "./fields.js";

const HEADER = /^\s*\|\s*NVIDIA-SMI\s+(\S+)\s+(.*?)\s*\|\s*$/;
const BORDER = /^\s*[+|][-=+|]+[+|]\s*$/;
const ROW = /^\s*\|.*\|\s*$/;
const DOUBLE_RULE = /^\s*\|=+[=+|]*\|\s*$/;

function cells(text: string): string[] {
  const body = text.trim().replace(/^\|/, "").replace(/\|$/, "");
  return body.split("|");
}

function names(headerCell: string): string[] {
  return headerCell
    .trim()
    .split(/\s{2,}/)
    .filter(Boolean);
}

/** Tokens of a data cell: `127W /  700W` stays one token (`127W/700W`). */
function tokens(dataCell: string): string[] {
  return dataCell
    .trim()
    .replace(/\s*\/\s*/g, "/")
    .split(/\s+/)
    .filter(Boolean);
}

/** Header names → tokens; a `Name` field takes what is left over (GPU names have spaces). */
function assign(headerNames: string[], toks: string[]): Map<string, string> | null {
  const out = new Map<string, string>();
  if (toks.length === headerNames.length) {
    headerNames.forEach((n, i) => out.set(n, toks[i]));
    return out;
  }
  const nameAt = headerNames.findIndex((n) => /^name$/i.test(n));
  if (nameAt < 0 || toks.length < headerNames.length) return null;
  const after = headerNames.length - nameAt - 1;
  headerNames.slice(0, nameAt).forEach((n, i) => out.set(n, toks[i]));
  out.set(headerNames[nameAt], toks.slice(nameAt, toks.length - after).join(" "));
  headerNames.slice(nameAt + 1).forEach((n, i) => out.set(n, toks[toks.length - after + i]));
  return out;
}

function scan(doc: Doc): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < doc.lines.length; i++) {
    const header = HEADER.exec(doc.lines[i].text);
    if (!header) continue;
    let start = i;
    if (i > 0 && BORDER.test(doc.lines[i - 1].text)) start = i - 1;
    if (start > 0 && timestampLine(doc.lines[start - 1].text)) start--;
    let end = i;
    // The GPU box, then optionally a blank line and the Processes box.
    let j = i + 1;
    while (j < doc.lines.length && (ROW.test(doc.lines[j].text) || BORDER.test(doc.lines[j].text))) end = j++;
    let k = j;
    while (k < doc.lines.length && doc.lines[k].text.trim() === "") k++;
    if (k + 1 < doc.lines.length && BORDER.test(doc.lines[k].text) && /\|\s*Processes:/.test(doc.lines[k + 1].text)) {
      for (j = k; j < doc.lines.length && (ROW.test(doc.lines[j].text) || BORDER.test(doc.lines[j].text)); j++) end = j;
    }
    const hasGpuRows = doc.lines.slice(i, end + 1).some((l) => DOUBLE_RULE.test(l.text));
    blocks.push({
      format: "nvidia-smi-table",
      start,
      end,
      confidence: hasGpuRows ? 0.95 : 0.6,
      reason: `nvidia-smi table (NVIDIA-SMI ${header[1]} header${hasGpuRows ? ", GPU rows" : ", no GPU rows"})`
    });
    i = end;
  }
  return blocks;
}

interface Section {
  headers: string[][][]; // header row → cell → names
  groups: {line: number; text: string}[][];
}

/** Header rows, then groups of GPU rows separated by rules. */
function readSection(doc: Doc, from: number, to: number): {section: Section; next: number} {
  const section: Section = {headers: [], groups: []};
  let i = from;
  while (i <= to && BORDER.test(doc.lines[i].text) && !DOUBLE_RULE.test(doc.lines[i].text)) i++;
  for (; i <= to && !DOUBLE_RULE.test(doc.lines[i].text); i++)
    if (ROW.test(doc.lines[i].text)) section.headers.push(cells(doc.lines[i].text).map(names));
  i++; // the ==== rule
  let group: {line: number; text: string}[] = [];
  for (; i <= to; i++) {
    const {text, line} = doc.lines[i];
    if (BORDER.test(text)) {
      if (group.length) section.groups.push(group);
      group = [];
      if (
        /^\s*\+/.test(text) &&
        !/[|]/.test(text.trim().slice(1, -1)) &&
        (i + 1 > to || !ROW.test(doc.lines[i + 1].text))
      ) {
        i++;
        break;
      }
      continue;
    }
    if (!ROW.test(text)) break;
    group.push({line, text});
  }
  if (group.length) section.groups.push(group);
  return {section, next: i};
}

function numberWithUnit(token: string): {value: number; unit: string} | null {
  const m = /^(-?\d+(?:\.\d+)?)([A-Za-z%]+)$/.exec(token);
  return m ? {value: Number(m[1]), unit: m[2]} : null;
}

function parse(doc: Doc, block: Block, context: Context): ParsedRun[] {
  let headerAt = block.start;
  while (headerAt <= block.end && !HEADER.test(doc.lines[headerAt].text)) headerAt++;
  const header = HEADER.exec(doc.lines[headerAt].text)!;
  const time = timestampLine(doc.lines[block.start].text);
  const versions: Record<string, string> = {};
  for (const m of header[2].matchAll(/([A-Za-z][A-Za-z ]*?)\s*:\s*(\S+)/g)) versions[m[1].trim()] = m[2];
  const driver = versions["Driver Version"] ?? versions["KMD Version"] ?? null;
  const cuda = versions["CUDA Version"] ?? versions["CUDA UMD Version"] ?? null;

  const {section, next} = readSection(doc, headerAt + 1, block.end);
  if (section.headers.length === 0 || section.groups.length === 0)
    throw new ParseError(
      doc.lines[headerAt].line,
      "nvidia-smi's GPU rows under its column headers",
      doc.lines[Math.min(headerAt + 1, block.end)].text
    );
  const gpus: Gpu[] = [];
  const results: Result[] = [];
  for (const group of section.groups) {
    const fields = new Map<string, {value: string; cell: string; line: number}>();
    group.forEach((row, r) => {
      const rowCells = cells(row.text);
      rowCells.forEach((cell, c) => {
        const headerNames = section.headers[r]?.[c] ?? [];
        if (headerNames.length === 0) return;
        const assigned = assign(headerNames, tokens(cell));
        if (!assigned) throw new ParseError(row.line, `values under "${headerNames.join(", ")}"`, cell.trim());
        for (const [name, value] of assigned) fields.set(name, {value, cell: cell.trim(), line: row.line});
      });
    });
    const idx = fields.get("GPU");
    const index = idx && /^\d+$/.test(idx.value) ? Number(idx.value) : null;
    const extra: Record<string, Scalar> = {};
    if (driver) extra.driver_version = driver;
    if (cuda) extra.cuda_version = cuda;
    const gpu: Gpu = {index, name: fields.get("Name")?.value ?? "", vram_mib: null, compute_capability: null};
    const add = (field: string, metric: string, f: {value: string; cell: string; line: number}, token: string) => {
      const q = numberWithUnit(token);
      if (q)
        results.push(gpuResult({line: f.line, text: f.cell, index, field, metric, unit: q.unit, value: q.value, time}));
      else extra[metric] = token;
    };
    for (const [name, f] of fields) {
      switch (name) {
        case "GPU":
        case "Name":
          break;
        case "Memory-Usage": {
          const [used, total] = f.value.split("/");
          add(name, "memory_used", f, used);
          const t = numberWithUnit(total ?? "");
          if (t?.unit === "MiB") gpu.vram_mib = t.value;
          extra.memory_total = total ?? null;
          break;
        }
        case "Pwr:Usage/Cap": {
          const [draw, cap] = f.value.split("/");
          add(name, "power_draw", f, draw);
          extra.power_limit = cap ?? null;
          break;
        }
        case "Temp":
          add(name, "temperature_gpu", f, f.value);
          break;
        case "GPU-Util":
          add(name, "utilization_gpu", f, f.value);
          break;
        case "Fan":
          add(name, "fan_speed", f, f.value);
          break;
        default:
          extra[name] = f.value;
      }
    }
    gpu.extra = extra;
    mergeGpu(gpus, gpu);
  }
  results.push(...processes(doc, next, block.end, time));
  return [
    {
      tool: "nvidia-smi",
      tool_version: header[1],
      runtime: null,
      build_commit: null,
      build_number: null,
      format: "nvidia-smi-table",
      started_at: time,
      command: [...context.commands].reverse().find((c) => c.program === "nvidia-smi")?.text ?? null,
      hardware: {...emptyHardware(), gpus},
      model: emptyModel(),
      settings: {},
      settings_from_command: [],
      notes: [],
      extra: {versions},
      results,
      line_start: doc.lines[block.start].line,
      line_end: doc.lines[block.end].line
    }
  ];
}

/** `|    0   N/A  N/A      1224      G   /usr/lib/xorg/Xorg    124MiB |` → per-process memory. */
function processes(doc: Doc, from: number, to: number, time: string | null): Result[] {
  const out: Result[] = [];
  let inRows = false;
  for (let i = from; i <= to; i++) {
    const text = doc.lines[i].text;
    if (DOUBLE_RULE.test(text)) {
      inRows = true;
      continue;
    }
    if (!inRows || !ROW.test(text)) continue;
    const toks = cells(text)[0].trim().split(/\s+/);
    const mem = numberWithUnit(toks.at(-1) ?? "");
    const typeAt = toks.findIndex((t, k) => k > 0 && /^(?:C|G|M|C\+G|M\+C)$/.test(t));
    if (!/^\d+$/.test(toks[0]) || !mem || typeAt < 2) continue;
    out.push(
      gpuResult({
        line: doc.lines[i].line,
        text: text.trim(),
        index: Number(toks[0]),
        field: "GPU Memory Usage",
        metric: "process_memory_used",
        unit: mem.unit,
        value: mem.value,
        time,
        extra: {pid: toks[typeAt - 1], type: toks[typeAt], process: toks.slice(typeAt + 1, -1).join(" ")}
      })
    );
  }
  return out;
}

export const nvidiaSmiTable: Format = {
  id: "nvidia-smi-table",
  tool: "nvidia-smi",
  description: "nvidia-smi's default table (GPUs, driver/CUDA versions, memory, power, temperature, processes)",
  scan,
  parse
};
