/**
 * Logs whose every value is on one line, read by one machinery whether the text is in memory or streamed
 * (import/stream.ts), so both paths give the same runs: a LineReader recognizes lines, a LogSegmenter groups
 * them into blocks (in a log file, stray lines must not cut one server run into many), a LogRunBuilder
 * makes the run.
 */
import {parseCommandLine} from "../../context/command.js";
import type {Model, Result, Settings} from "../../schema/schema.js";
import {emptyHardware, emptyModel} from "../../schema/schema.js";
import type {Block, Context, Doc, Format, ParsedRun} from "../types.js";
import {ParseError} from "../types.js";
import {isLogLike, isStructureLine, splitLogPrefix} from "./log-prefix.js";
import type {SeriesSamples} from "./summary.js";
import {isSummarized, SERIES_EXTRA_KEYS, summarize} from "./summary.js";

/** Facts about the run a line states (a version, the model, engine settings). */
export interface RunFacts {
  tool_version?: string | null;
  build_commit?: string | null;
  build_number?: number | null;
  model?: Partial<Model>;
  settings?: Settings;
  extra?: Record<string, unknown>;
  notes?: string[];
}

export interface LineHit {
  results: Result[];
  facts?: RunFacts;
  /** Whether the line carried its server's log prefix (raises confidence). */
  prefixed: boolean;
}

export interface LineReader {
  /** What the line holds, or null when this format does not recognize it. */
  read(text: string, line: number): LineHit | null;
}

export interface BlockStats {
  hits: number;
  prefixed: number;
  results: number;
}

export interface LineLogSpec {
  id: string;
  tool: string;
  runtime: string;
  description: string;
  createReader(): LineReader;
  /** How sure a block is, and why, from what its lines were; null to leave the block alone. */
  judge(stats: BlockStats): {confidence: number; reason: string} | null;
  /** Fill what the context says (the server command before the log, device lines). */
  applyContext(run: ParsedRun, context: Context): void;
}

// ---------------------------------------------------------------------------
// Log file or post?

const MODE_LINES = 2000;
const MODE_CHARS = 256 * 1024;

/**
 * Whether the text is a log file (nine in ten of its first lines look like
 * log output) rather than a post with log excerpts in it. Decided from the first
 * 2000 non-blank lines within the first 256 Ki characters, so a streamed
 * huge file and the same file read whole decide alike.
 */
export function looksLikeLogFile(lines: Iterable<string>): boolean {
  let seen = 0;
  let logLike = 0;
  let chars = 0;
  for (const text of lines) {
    chars += text.length + 1;
    if (chars > MODE_CHARS && seen > 0) break;
    if (text.trim() === "") continue;
    seen++;
    if (isLogLike(text) || splitLogPrefix(text).prefixed) logLike++;
    if (seen >= MODE_LINES) break;
  }
  return seen > 0 && logLike / seen >= 0.9;
}

function* docTexts(doc: Doc): Generator<string> {
  for (const l of doc.lines) yield l.text;
}

// ---------------------------------------------------------------------------
// Segmenting

export interface Segment {
  /** Logical line indexes (Doc) or running line counter (stream), inclusive. */
  start: number;
  end: number;
  line_start: number;
  line_end: number;
  stats: BlockStats;
}

export interface SegmentEvents {
  /** A recognized line; `opened` is true for the first line of a segment. */
  hit?(hit: LineHit, line: number, opened: boolean): void;
  /** The segment ended (at a break, or at the end of input). */
  close?(segment: Segment): void;
}

export class LogSegmenter {
  private reader: LineReader;
  private current: Segment | null = null;

  constructor(
    private readonly spec: LineLogSpec,
    private readonly logFile: boolean,
    private readonly events: SegmentEvents
  ) {
    this.reader = spec.createReader();
  }

  push(text: string, index: number, line: number): void {
    const hit = this.reader.read(text, line);
    if (hit) {
      const opened = this.current === null;
      if (!this.current)
        this.current = {
          start: index,
          end: index,
          line_start: line,
          line_end: line,
          stats: {hits: 0, prefixed: 0, results: 0}
        };
      const seg = this.current;
      seg.end = index;
      seg.line_end = line;
      seg.stats.hits++;
      if (hit.prefixed) seg.stats.prefixed++;
      seg.stats.results += hit.results.length;
      this.events.hit?.(hit, line, opened);
      return;
    }
    if (this.current && this.breaks(text)) this.close();
  }

  end(): void {
    if (this.current) this.close();
  }

  private breaks(text: string): boolean {
    if (text.trim() === "") return false;
    if (isStructureLine(text)) return true;
    if (isLogLike(text)) return false;
    if (!this.logFile) return true;
    return parseCommandLine(text, 0) !== null;
  }

  private close(): void {
    const seg = this.current!;
    this.current = null;
    // Each block starts with a fresh reader, as parse() does for one block.
    this.reader = this.spec.createReader();
    this.events.close?.(seg);
  }
}

// ---------------------------------------------------------------------------
// Building a run

const INTERVAL_SCOPES = new Set(["interval", "cumulative"]);

/** What tells one time series from another: the label, what it measures, and the engine/rank/position it belongs to. */
function seriesKey(result: Result, withRequest: boolean): string {
  let key = `${result.test}\u0001${result.kind}\u0001${result.metric}\u0001${result.unit}\u0001${result.stat}\u0001${result.scope ?? "run"}`;
  if (withRequest) key += `\u0001${result.request ?? ""}`;
  const extra = result.extra;
  if (extra) for (const k of SERIES_EXTRA_KEYS) key += `\u0001${extra[k] ?? ""}`;
  return key;
}

export class LogRunBuilder {
  readonly results: Result[] = [];
  private readonly seqs = new Map<string, number>();
  private readonly samples = new Map<string, SeriesSamples>();
  private readonly facts = {
    tool_version: null as string | null,
    build_commit: null as string | null,
    build_number: null as number | null,
    model: {} as Partial<Model>,
    settings: {} as Settings,
    extra: {} as Record<string, unknown>,
    notes: [] as string[]
  };
  private firstTime: string | null = null;
  count = 0;

  /** `sink` receives every result in order; without one they collect in `results`. */
  constructor(
    private readonly spec: LineLogSpec,
    private readonly sink: (result: Result) => void = (r) => this.results.push(r)
  ) {}

  add(hit: LineHit): void {
    if (hit.facts) this.addFacts(hit.facts);
    for (const result of hit.results) {
      const scope = result.scope ?? "run";
      if (INTERVAL_SCOPES.has(scope)) {
        const key = seriesKey(result, true);
        const seq = this.seqs.get(key) ?? 0;
        this.seqs.set(key, seq + 1);
        result.seq = seq;
      }
      if (
        (scope === "interval" || scope === "request") &&
        result.status === "ok" &&
        result.value !== null &&
        isSummarized(result)
      ) {
        const key = seriesKey(result, false);
        let series = this.samples.get(key);
        if (!series) this.samples.set(key, (series = {template: result, values: [], lines: []}));
        series.values.push(result.value);
        series.lines.push(result.line);
      }
      this.firstTime ??= result.time ?? null;
      this.count++;
      this.sink(result);
    }
  }

  private addFacts(facts: RunFacts): void {
    const f = this.facts;
    f.tool_version ??= facts.tool_version ?? null;
    f.build_commit ??= facts.build_commit ?? null;
    f.build_number ??= facts.build_number ?? null;
    for (const [key, value] of Object.entries(facts.model ?? {})) {
      const k = key as keyof Model;
      if (value !== null && value !== undefined && (f.model[k] === undefined || f.model[k] === null))
        (f.model as Record<string, unknown>)[k] = value;
    }
    for (const [key, value] of Object.entries(facts.settings ?? {})) {
      if (!(key in f.settings)) f.settings[key] = value;
      else if (String(f.settings[key]) !== String(value)) {
        const note = `${key}: the log states ${JSON.stringify(f.settings[key])} and later ${JSON.stringify(value)}; the first is kept`;
        if (!f.notes.includes(note)) f.notes.push(note);
      }
    }
    Object.assign(f.extra, facts.extra);
    for (const note of facts.notes ?? []) if (!f.notes.includes(note)) f.notes.push(note);
  }

  /** Derived summaries go to the sink last; returns the run (results only when no sink was given). */
  finish(context: Context, line_start: number, line_end: number): ParsedRun {
    for (const series of this.samples.values())
      for (const summary of summarize(series)) {
        this.count++;
        this.sink(summary);
      }
    const model: Model = {...emptyModel(), ...this.facts.model};
    const run: ParsedRun = {
      tool: this.spec.tool,
      tool_version: this.facts.tool_version,
      runtime: this.spec.runtime,
      build_commit: this.facts.build_commit,
      build_number: this.facts.build_number,
      format: this.spec.id,
      started_at: this.firstTime,
      command: null,
      hardware: emptyHardware(),
      model,
      settings: {...this.facts.settings},
      settings_from_command: [],
      notes: [...this.facts.notes],
      extra: {...this.facts.extra},
      results: this.results,
      line_start,
      line_end
    };
    this.spec.applyContext(run, context);
    return run;
  }
}

// ---------------------------------------------------------------------------
// The Format over a Doc

export interface LineLogFormat extends Format {
  spec: LineLogSpec;
}

export function lineLogFormat(spec: LineLogSpec): LineLogFormat {
  return {
    id: spec.id,
    tool: spec.tool,
    description: spec.description,
    spec,
    scan(doc: Doc): Block[] {
      const blocks: Block[] = [];
      const segmenter = new LogSegmenter(spec, looksLikeLogFile(docTexts(doc)), {
        close(seg) {
          const judged = seg.stats.results > 0 ? spec.judge(seg.stats) : null;
          if (judged) blocks.push({format: spec.id, start: seg.start, end: seg.end, ...judged});
        }
      });
      doc.lines.forEach((l, i) => segmenter.push(l.text, i, l.line));
      segmenter.end();
      return blocks;
    },
    parse(doc: Doc, block: Block, context: Context): ParsedRun[] {
      const builder = new LogRunBuilder(spec);
      let closed = 0;
      const segmenter = new LogSegmenter(spec, true, {hit: (hit) => builder.add(hit), close: () => void closed++});
      for (let i = block.start; i <= block.end; i++) segmenter.push(doc.lines[i].text, i, doc.lines[i].line);
      segmenter.end();
      if (builder.count === 0)
        throw new ParseError(doc.lines[block.start].line, `${spec.description} lines`, doc.lines[block.start].text);
      return [builder.finish(context, doc.lines[block.start].line, doc.lines[block.end].line)];
    }
  };
}

export function isLineLogFormat(format: Format): format is LineLogFormat {
  return "spec" in format && typeof (format as LineLogFormat).spec?.createReader === "function";
}
