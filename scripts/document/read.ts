/**
 * A whole raw input → runs. Blocks are found by content; every other line is context or ignored, and
 * accounted for, so `parse --explain` can show what became what.
 */
import type {ParsedCommand} from "../context/command.js";
import {isServerCommand, parseCommandLine} from "../context/command.js";
import type {StatedConfiguration} from "../context/configuration.js";
import {
  addConfigurationRow,
  emptyConfiguration,
  inheritStatedSettings,
  parseConfigurationRow,
  sectionHeading
} from "../context/configuration.js";
import {applyDeviceLines, parseDeviceLine, parseHardwareHeading} from "../context/devices.js";
import type {ModelFacts} from "../context/model-facts.js";
import {addModelFacts, inheritModelFacts, readModelFacts} from "../context/model-facts.js";
import {canonicalTests} from "../formats/shared/test-name.js";
import {FORMATS} from "../formats/registry.js";
import type {Block, Context, Doc, Format, ParsedRun} from "../formats/types.js";
import {ParseError} from "../formats/types.js";
import type {Hardware} from "../schema/schema.js";
import {emptyHardware} from "../schema/schema.js";
import type {IgnoredRange} from "./ignored.js";
import {ignoredRanges} from "./ignored.js";
import {toDoc} from "./lines.js";
import {parseStatedHardware} from "./stated-hardware.js";

export type {IgnoredRange} from "./ignored.js";

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
  /**
   * command: a command line; devices: ggml device lines; heading/hardware: hardware a writeup states;
   * configuration: a setting a writeup states in a table row or key/value line; section: a heading that
   * ends the configuration stated above it; model: llama.cpp's model-load facts; comment: a `#` line.
   */
  kind: "command" | "devices" | "heading" | "hardware" | "configuration" | "section" | "model" | "comment";
  line_start: number;
  line_end: number;
  summary: string;
}

export interface LineRange {
  line_start: number;
  line_end: number;
}

/** Lines inside a block that were skipped, not read (`--strict` refuses the input instead). */
export interface ReadWarning {
  line_start: number;
  line_end: number;
  message: string;
}

export interface DocumentReading {
  runs: ParsedRun[];
  /** Lines of blocks that were skipped rather than read, each with why. */
  warnings: ReadWarning[];
  blocks: BlockReport[];
  context: ContextReport[];
  /** Physical lines that were neither a block nor context (prose, blank lines), each range with why. */
  ignored: IgnoredRange[];
}

export interface ReadOptions {
  /** Name for messages and provenance (`-` for stdin). */
  name: string;
  /** Force one format instead of detecting. */
  format?: string;
  /** The runtime behind an endpoint, when the text does not say. */
  runtime?: string | null;
  /**
   * Context that holds before the first line, as if the text began with it:
   * a runner's capture gives the command it ran and the hardware its stderr
   * device lines described (scripts/import/capture.ts).
   */
  context?: Partial<Pick<Context, "commands" | "server" | "comments" | "hardware">>;
  /** The formats to detect, in priority order (default: the registry's; tests pass their own). */
  formats?: readonly Format[];
  /** Refuse the input where a format would skip lines it cannot read (a cut-off last row) instead of warning. */
  strict?: boolean;
}

/** Thrown for input that cannot be imported; names file, line and what was expected. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
    /** What was read before giving up, when there is something to show (`parse --explain` of a text with no block). */
    readonly reading?: DocumentReading
  ) {
    super(`${file}: line ${line}: ${detail}`);
    this.name = "InputError";
  }
}

/** Non-overlapping blocks, best confidence first where two formats claim the same lines. */
function pickBlocks(doc: Doc, formats: readonly Format[]): Block[] {
  const candidates = formats.flatMap((format, order) => format.scan(doc).map((block) => ({block, order})));
  candidates.sort(
    (a, b) => b.block.confidence - a.block.confidence || a.order - b.order || a.block.start - b.block.start
  );
  const taken: Block[] = [];
  for (const {block} of candidates) {
    if (taken.every((t) => block.end < t.start || block.start > t.end)) taken.push(block);
  }
  return taken.sort((a, b) => a.start - b.start);
}

export function readDocument(text: string, options: ReadOptions): DocumentReading {
  const known = options.formats ?? FORMATS;
  const formats = options.format
    ? [known.find((f) => f.id === options.format) ?? unknownFormat(options.format)]
    : known;
  const doc = toDoc(options.name, text, formats);
  const blocks = pickBlocks(doc, formats);
  if (blocks.length === 0) {
    const first = doc.lines.find((l) => l.text.trim() !== "");
    if (options.format || !first) {
      throw new InputError(
        options.name,
        first?.line ?? 1,
        options.format
          ? `expected ${formats[0].description}; none found`
          : `no benchmark output recognized (the input is empty)`
      );
    }
    // Nothing to import: say what the text held instead (context, tables no format reads) and where such numbers can go.
    const reading = walk(doc, [], formats, options);
    const starts = `(the input starts with ${JSON.stringify(first.text.slice(0, 60))})`;
    const formatsList = `expected the output of a benchmark tool (one of the formats: ${known.map((f) => f.id).join(", ")}; see docs/importing.md)`;
    const writeup = writeupAdvice(reading);
    throw new InputError(
      options.name,
      first.line,
      writeup
        ? `no benchmark output recognized ${starts}${writeup}`
        : `no benchmark output recognized; ${formatsList} ${starts}${contextFound(reading)}`,
      reading
    );
  }
  return walk(doc, blocks, formats, options);
}

const span = (r: {line_start: number; line_end: number}) =>
  r.line_start === r.line_end ? `line ${r.line_start}` : `lines ${r.line_start}-${r.line_end}`;

/** For a text with no block: the context it held (commands, device lines, model facts…). */
function contextFound(reading: DocumentReading): string {
  const context = reading.context
    .filter((c) => c.kind !== "comment" && c.kind !== "section")
    .map((c) => `${c.summary.replace(/ \(.*$/, "").replace(/, for the .*$/, "")} (${span(c)})`);
  return context.length
    ? `. Read only as context: ${context.slice(0, 4).join("; ")}${context.length > 4 ? `; and ${context.length - 4} more` : ""}`
    : "";
}

/**
 * A text with no block that reads like a writeup (tables no format reads, or
 * paragraphs of prose) most likely states its results by hand: point at the
 * observations format rather than at the list of tool formats.
 */
function writeupAdvice(reading: DocumentReading): string | null {
  const tables = reading.ignored.filter((r) => r.reason.startsWith("a table"));
  const prose = reading.ignored
    .filter((r) => r.reason.startsWith("prose"))
    .reduce((n, r) => n + r.line_end - r.line_start + 1, 0);
  if (tables.length === 0 && prose < 5) return null;
  const where = tables.length
    ? ` (${tables.length} table${tables.length === 1 ? "" : "s"} no format reads, the first at ${span(tables[0])})`
    : "";
  return `: no tool output that benchbook reads, so its results seem to be stated in prose or hand-made tables${where}. Type those figures into an observations file (docs/hand-entered.md) and import that${contextFound(reading)}. \`benchbook parse --explain\` lists every line; docs/importing.md lists the tool outputs benchbook reads`;
}

/** Read the document top to bottom: blocks, context between them, and why the other lines were ignored. */
function walk(doc: Doc, blocks: Block[], formats: readonly Format[], options: ReadOptions): DocumentReading {
  const reading: DocumentReading = {runs: [], warnings: [], blocks: [], context: [], ignored: []};
  const state = new ContextState(options.runtime ?? null, options.context);
  // A physical line is ignored when none of its logical lines was used.
  const used = new Set<number>();
  const use = (from: number, to: number) => {
    for (let k = from; k <= to; k++) used.add(doc.lines[k].line);
  };
  let next = 0;
  for (let i = 0; i < doc.lines.length; i++) {
    const block = blocks[next];
    if (block && i === block.start) {
      const format = formats.find((f) => f.id === block.format)!;
      let runs: ParsedRun[];
      try {
        runs = format.parse(doc, block, state.context());
      } catch (error) {
        if (error instanceof ParseError)
          throw new InputError(options.name, error.line, `${format.id}: ${error.message.replace(/^line \d+: /, "")}`);
        throw error;
      }
      // Settings a writeup states in a configuration table, and a load log's model facts, fill what a server's output and command leave out.
      for (const run of runs) {
        inheritStatedSettings(run, state.configuration);
        inheritModelFacts(run, state.modelFacts);
        canonicalTests(run.results);
        for (const unread of run.unread ?? []) {
          const message = `${format.id}: ${span(unread)} not read: ${unread.reason}`;
          if (options.strict)
            throw new InputError(
              options.name,
              unread.line_start,
              `${format.id}: ${unread.reason} (--strict refuses an input with lines it cannot read; without it, the complete rows are imported and these lines reported)`
            );
          reading.warnings.push({line_start: unread.line_start, line_end: unread.line_end, message});
          run.notes.push(`${span(unread)} not read: ${unread.reason}`);
        }
        delete run.unread;
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
      state.blockEnded();
      use(block.start, block.end);
      i = block.end;
      next++;
      continue;
    }
    const end = readContextLine(doc, i, blocks[next]?.start ?? doc.lines.length, state, reading.context);
    if (end === null) {
      state.otherLine(doc.lines[i].text);
      continue;
    }
    use(i, end);
    i = end;
  }
  reading.ignored = ignoredRanges(doc, used);
  return reading;
}

/**
 * What the text read so far says about the next block. Benchmark commands
 * and comments are consumed by the next block; a server launch, device
 * lines and stated hardware hold until something replaces them.
 */
class ContextState {
  private commands: ParsedCommand[] = [];
  private comments: string[] = [];
  /** Comment lines directly above the current line (no other line between). */
  private adjacentComments: string[] = [];
  private server: ParsedCommand | null = null;
  hardware: Hardware = emptyHardware();
  /** Settings stated by configuration rows since the last section heading (they hold for every block until then). */
  configuration: StatedConfiguration = emptyConfiguration();
  /** llama.cpp's model-load facts, until the next server command or section heading. */
  modelFacts: ModelFacts | null = null;

  constructor(
    private readonly runtime: string | null,
    initial: ReadOptions["context"] = {}
  ) {
    this.commands = initial.commands ?? [];
    this.comments = initial.comments ?? [];
    this.server = initial.server ?? null;
    this.hardware = initial.hardware ?? emptyHardware();
  }

  context(): Context {
    return {
      commands: this.commands,
      server: this.server,
      comments: this.comments,
      hardware: this.hardware,
      runtime: this.runtime
    };
  }

  blockEnded(): void {
    this.commands = [];
    this.comments = [];
    this.adjacentComments = [];
  }

  command(command: ParsedCommand): void {
    if (this.adjacentComments.length) command.comments = this.adjacentComments;
    this.adjacentComments = [];
    this.commands = [...this.commands, command];
    if (isServerCommand(command)) {
      // A new server loads its model anew: facts printed before it describe another load.
      this.modelFacts = null;
      this.server = command;
    }
  }

  comment(text: string): void {
    this.comments = [...this.comments, text];
    this.adjacentComments = [...this.adjacentComments, text];
  }

  /** A new section: the configuration stated in the previous one no longer applies. Returns whether there was one. */
  endSection(): boolean {
    const had = Object.keys(this.configuration.lines).length > 0 || this.modelFacts !== null;
    this.configuration = emptyConfiguration();
    this.modelFacts = null;
    return had;
  }

  /** Any other line (prose, blank) separates comments from the command below. */
  otherLine(_text: string): void {
    this.adjacentComments = [];
  }
}

/**
 * A command quoted in prose, in backticks (``I ran `mlx_lm benchmark --model
 * mlx-community/Qwen3-8B-4bit` on…``): the last quoted span that is a command
 * of a known program.
 */
function quotedCommand(text: string, line: number): ParsedCommand | null {
  if (!text.includes("`")) return null;
  let found: ParsedCommand | null = null;
  for (const m of text.matchAll(/`([^`]+)`/g)) found = parseCommandLine(m[1], line) ?? found;
  return found;
}

/** `# text`: a shell comment, or a Markdown heading that names no hardware. */
const COMMENT = /^\s*#+\s?(.*?)\s*$/;

/**
 * Read logical line i as context; returns the last logical line it used, or
 * null when the line is not context. `limit` is where the next block starts.
 */
function readContextLine(
  doc: Doc,
  i: number,
  limit: number,
  state: ContextState,
  reports: ContextReport[]
): number | null {
  const {text, line} = doc.lines[i];
  // A section heading ends the configuration stated above it; the line may still be a hardware heading or a comment.
  const section = sectionHeading(text);
  const sectionEnded = section !== null && state.endSection();
  if (sectionEnded)
    reports.push({
      kind: "section",
      line_start: line,
      line_end: line,
      summary: `section heading "${clipped(section)}": the configuration stated above ends here`
    });
  // A command may continue over lines ending in a backslash.
  let end = i;
  let joined = text;
  while (/\\\s*$/.test(doc.lines[end].text) && end + 1 < doc.lines.length && end + 1 !== limit)
    joined += "\n" + doc.lines[++end].text;
  const command = parseCommandLine(joined, line, doc.lines[end].line) ?? quotedCommand(text, line);
  if (command) {
    state.command(command);
    const where = command.container ? ` in a ${command.container.engine} container (${command.container.image})` : "";
    const server = isServerCommand(command)
      ? " (server launch: context for the blocks below until the next server command)"
      : "";
    reports.push({
      kind: "command",
      line_start: line,
      line_end: doc.lines[end].line,
      summary: `${command.program} command${where}${server}`
    });
    return end;
  }
  const devices = parseDeviceLine(text);
  if (devices.length) {
    state.hardware = applyDeviceLines(state.hardware, devices);
    const names = devices.flatMap((d) => (d.kind === "device" ? [d.gpu.name] : []));
    reports.push({
      kind: "devices",
      line_start: line,
      line_end: line,
      summary: names.length ? `device ${names.join(", ")}` : `${devices[0].backend} device list`
    });
    return i;
  }
  const heading = parseHardwareHeading(text);
  if (heading) {
    state.hardware = {...emptyHardware(), stated: heading};
    reports.push({kind: "heading", line_start: line, line_end: line, summary: `hardware heading "${heading}"`});
    return i;
  }
  const stated = parseStatedHardware(text);
  if (stated) {
    // A shorter restatement of the GPU already stated (`RTX PRO 6000 Blackwell 96GB` after `NVIDIA RTX PRO 6000 Blackwell 96GB (SM120)`) keeps the fuller name.
    const restated = stated.kind === "gpu" && state.hardware.stated?.toLowerCase().includes(stated.name.toLowerCase());
    if (!restated)
      state.hardware =
        stated.kind === "gpu"
          ? {...emptyHardware(), stated: stated.name, cpu: state.hardware.cpu}
          : {...state.hardware, cpu: stated.name};
    reports.push({
      kind: "hardware",
      line_start: line,
      line_end: line,
      summary: `${stated.kind.toUpperCase()} stated by the text: "${stated.name}"`
    });
    return i;
  }
  const row = parseConfigurationRow(text);
  if (row) {
    state.configuration = addConfigurationRow(state.configuration, row, line);
    const what =
      row.key === "runtime"
        ? `runtime "${row.value}" (the runs the stated settings describe)`
        : `${row.key} = ${JSON.stringify(row.value)}`;
    reports.push({
      kind: "configuration",
      line_start: line,
      line_end: line,
      summary: `"${row.label}" row: ${what}, for the server, log and serving runs below until the next section heading`
    });
    return i;
  }
  const model = readModelFacts(doc.lines, i, limit);
  if (model) {
    state.modelFacts = addModelFacts(state.modelFacts, model.facts);
    const keys = Object.keys(model.facts.facts);
    reports.push({
      kind: "model",
      line_start: line,
      line_end: doc.lines[model.end].line,
      summary: `llama.cpp model-load facts (${clipped(keys.join(", "))}) for the llama.cpp server runs below until the next server command or section heading`
    });
    return model.end;
  }
  const comment = COMMENT.exec(text);
  if (comment && comment[1] !== "") {
    state.comment(comment[1]);
    reports.push({
      kind: "comment",
      line_start: line,
      line_end: line,
      summary: `comment "${clipped(comment[1])}" (versions and notes for the next block)`
    });
    return i;
  }
  return sectionEnded ? i : null;
}

const clipped = (text: string) => (text.length > 60 ? `${text.slice(0, 59)}…` : text);

function unknownFormat(id: string): never {
  throw new Error(`unknown format "${id}"; known formats: ${FORMATS.map((f) => f.id).join(", ")}`);
}
