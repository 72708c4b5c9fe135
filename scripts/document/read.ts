/**
 * Reads a whole raw input — a tool's output file or a pasted post — into
 * runs. Blocks are found by content; the text between blocks is context
 * (commands, device lines, hardware headings) or ignored, and every line is
 * accounted for so `parse --explain` can show what became what.
 */
import type {ParsedCommand} from "../context/command.js";
import {parseCommandLine} from "../context/command.js";
import {applyDeviceLines, parseDeviceLine, parseHardwareHeading} from "../context/devices.js";
import {FORMATS, formatById} from "../formats/registry.js";
import type {Block, Context, Doc, Format, ParsedRun} from "../formats/types.js";
import {ParseError} from "../formats/types.js";
import type {Hardware} from "../schema/schema.js";
import {emptyHardware} from "../schema/schema.js";
import {toDoc} from "./lines.js";

export interface BlockReport {
  format: string;
  line_start: number;
  line_end: number;
  confidence: number;
  reason: string;
  runs: number;
  results: number;
}

export interface ContextReport {
  kind: "command" | "devices" | "heading";
  line_start: number;
  line_end: number;
  summary: string;
}

export interface LineRange {
  line_start: number;
  line_end: number;
}

export interface DocumentReading {
  runs: ParsedRun[];
  blocks: BlockReport[];
  context: ContextReport[];
  /** Physical lines that were neither a block nor context (prose, blank lines). */
  ignored: LineRange[];
}

export interface ReadOptions {
  /** Name for messages and provenance (`-` for stdin). */
  name: string;
  /** Force one format instead of detecting. */
  format?: string;
  /** The runtime behind an endpoint, when the text does not say. */
  runtime?: string | null;
}

/** Thrown for input that cannot be imported; names file, line and what was expected. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string
  ) {
    super(`${file}: line ${line}: ${detail}`);
    this.name = "InputError";
  }
}

/** Non-overlapping blocks, best confidence first where two formats claim the same lines. */
function pickBlocks(doc: Doc, formats: readonly Format[]): Block[] {
  const candidates = formats.flatMap((format, order) => format.scan(doc).map((block) => ({block, order})));
  candidates.sort((a, b) => b.block.confidence - a.block.confidence || a.order - b.order || a.block.start - b.block.start);
  const taken: Block[] = [];
  for (const {block} of candidates) {
    if (taken.every((t) => block.end < t.start || block.start > t.end)) taken.push(block);
  }
  return taken.sort((a, b) => a.start - b.start);
}

export function readDocument(text: string, options: ReadOptions): DocumentReading {
  const formats = options.format ? [formatById(options.format) ?? unknownFormat(options.format)] : FORMATS;
  const doc = toDoc(options.name, text, formats);
  const blocks = pickBlocks(doc, formats);
  if (blocks.length === 0) {
    const first = doc.lines.find((l) => l.text.trim() !== "");
    throw new InputError(
      options.name,
      first?.line ?? 1,
      options.format
        ? `expected ${formats[0].description}; none found`
        : `no benchmark output recognized; expected one of: ${FORMATS.map((f) => f.description).join("; ")}${first ? ` (the input starts with ${JSON.stringify(first.text.slice(0, 60))})` : " (the input is empty)"}`
    );
  }
  const reading: DocumentReading = {runs: [], blocks: [], context: [], ignored: []};
  let commands: ParsedCommand[] = [];
  let hardware: Hardware = emptyHardware();
  // A physical line is ignored when none of its logical lines was used.
  const used = new Set<number>();
  const use = (from: number, to: number) => {
    for (let k = from; k <= to; k++) used.add(doc.lines[k].line);
  };
  let next = 0;
  for (let i = 0; i < doc.lines.length; i++) {
    const block = blocks[next];
    if (block && i === block.start) {
      const context: Context = {commands, hardware, runtime: options.runtime ?? null};
      const format = formatById(block.format)!;
      let runs: ParsedRun[];
      try {
        runs = format.parse(doc, block, context);
      } catch (error) {
        if (error instanceof ParseError) throw new InputError(options.name, error.line, `${format.id}: ${error.message.replace(/^line \d+: /, "")}`);
        throw error;
      }
      reading.runs.push(...runs);
      reading.blocks.push({
        format: block.format,
        line_start: doc.lines[block.start].line,
        line_end: doc.lines[block.end].line,
        confidence: block.confidence,
        reason: block.reason,
        runs: runs.length,
        results: runs.reduce((n, r) => n + r.results.length, 0)
      });
      commands = [];
      use(block.start, block.end);
      i = block.end;
      next++;
      continue;
    }
    const {text, line} = doc.lines[i];
    // A command may continue over lines ending in a backslash.
    let end = i;
    let joined = text;
    while (/\\\s*$/.test(doc.lines[end].text) && end + 1 < doc.lines.length && end + 1 !== blocks[next]?.start) joined += "\n" + doc.lines[++end].text;
    const command = parseCommandLine(joined, line, doc.lines[end].line);
    if (command) {
      commands.push(command);
      use(i, end);
      reading.context.push({kind: "command", line_start: line, line_end: doc.lines[end].line, summary: `${command.program} command`});
      i = end;
      continue;
    }
    const devices = parseDeviceLine(text);
    if (devices.length) {
      hardware = applyDeviceLines(hardware, devices);
      use(i, i);
      const names = devices.flatMap((d) => (d.kind === "device" ? [d.gpu.name] : []));
      reading.context.push({kind: "devices", line_start: line, line_end: line, summary: names.length ? `device ${names.join(", ")}` : `${devices[0].backend} device list`});
      continue;
    }
    const heading = parseHardwareHeading(text);
    if (heading) {
      hardware = {...emptyHardware(), stated: heading};
      use(i, i);
      reading.context.push({kind: "heading", line_start: line, line_end: line, summary: `hardware heading "${heading}"`});
      continue;
    }
  }
  reading.ignored = ignoredRanges(doc, used);
  return reading;
}

function ignoredRanges(doc: Doc, used: Set<number>): LineRange[] {
  const ranges: LineRange[] = [];
  const total = doc.lines.at(-1)?.line ?? 0;
  for (let line = 1; line <= total; line++) {
    if (used.has(line)) continue;
    const last = ranges.at(-1);
    if (last && last.line_end + 1 === line) last.line_end = line;
    else ranges.push({line_start: line, line_end: line});
  }
  return ranges;
}

function unknownFormat(id: string): never {
  throw new Error(`unknown format "${id}"; known formats: ${FORMATS.map((f) => f.id).join(", ")}`);
}
