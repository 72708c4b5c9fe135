/**
 * Huge inputs in bounded memory: a 1 GB server log is read in chunks, never
 * as one string. A first pass only hashes it (sha256, the store's name for
 * it): bytes already in the store stop there. The second pass
 *
 *   - hashes the bytes again (a file that changed in between is refused),
 *   - copies them to a temporary file in data/raw,
 *   - decodes UTF-8 incrementally and splits physical lines,
 *   - feeds each line to a line-local log format (scripts/formats/logs/
 *     line-log.ts) — the same segmenter, readers and run builder that read
 *     the file when it is small, so both paths give the same runs,
 *   - and writes each run's results to a temporary file as they come.
 *
 * Only the derived summaries' samples (one number and one line number per
 * time-series point) stay in memory, plus O(1) per line. At the end the runs
 * file is assembled with the store's own serializer (results streamed in
 * where it would print them) and renamed into place last, so the store
 * commit is as atomic as a small import's: a crash leaves at most temporary
 * files, never a half-written run.
 *
 * Which inputs take this path: files of STREAM_THRESHOLD_BYTES or more whose
 * first MB holds blocks of exactly one line-local log format (or that are
 * forced to one with --format). Anything else is read whole, as before.
 * Context lines between blocks (a server command, device lines, hardware
 * headings) are read as the document reader reads them; a streamed file's
 * other formats (a table pasted into a log) are not looked for.
 */
import {createHash} from "node:crypto";
import {closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeSync} from "node:fs";
import {dirname, join} from "node:path";
import type {ParsedCommand} from "../context/command.js";
import {isServerCommand, parseCommandLine} from "../context/command.js";
import {applyDeviceLines, parseDeviceLine, parseHardwareHeading} from "../context/devices.js";
import type {IgnoredRange} from "../document/ignored.js";
import {ignoredRanges as ignoredOf} from "../document/ignored.js";
import {redactSecrets} from "../context/redact.js";
import {InputError, readDocument} from "../document/read.js";
import type {LineLogFormat, Segment} from "../formats/logs/line-log.js";
import {isLineLogFormat, LogRunBuilder, LogSegmenter, looksLikeLogFile} from "../formats/logs/line-log.js";
import {isLogLike} from "../formats/logs/log-prefix.js";
import {formatById} from "../formats/registry.js";
import type {Context, ParsedRun} from "../formats/types.js";
import type {Hardware, Result, Run} from "../schema/schema.js";
import {emptyHardware, SCHEMA_VERSION} from "../schema/schema.js";
import {tempName} from "../store/atomic.js";
import type {SourceRecord, Store, StoredInput} from "../store/store.js";
import {rawExtension, serializeInput} from "../store/store.js";
import type {ImportOptions, ImportOutcome, RawInput} from "./import.js";
import {readWith} from "./import.js";
import {MAX_INPUT_BYTES} from "./limits.js";
import {runIds} from "./run-id.js";

/** Files from this size on are streamed (when a line-local log format reads them). */
export const STREAM_THRESHOLD_BYTES = 64 * 1024 * 1024;
const CHUNK_BYTES = 4 * 1024 * 1024;
/** The head that chooses the format; at least MODE_CHARS characters (line-log.ts) whatever the encoding. */
const HEAD_BYTES = 1024 * 1024;
/** Unrecognized lines kept in memory after a block's last recognized line before they are read tentatively. */
const GAP_BUFFER_CHARS = 4 * 1024 * 1024;
/** A line longer than this is kept truncated (a logged prompt); no log format reads such lines. */
const MAX_LINE_CHARS = 1024 * 1024;

/**
 * A streamed input is copied to the store as it is read, so a secret in it
 * cannot be replaced in place: the import is refused at the secret's line
 * (redactSecrets on each chunk, with the end of the one before it, so a
 * secret cut by a chunk boundary is seen whole).
 */
class StreamSecrets {
  private carry = "";
  constructor(private readonly name: string) {}

  /** `linesBefore`: complete lines before this chunk. */
  check(text: string, linesBefore: number): void {
    const scanned = this.carry + text;
    const [first] = redactSecrets(scanned).redactions;
    if (first) {
      const carried = this.carry.match(/\r\n|\n|\r/g)?.length ?? 0;
      throw new InputError(this.name, linesBefore + 1 - carried + first.line - 1, `no secret in a streamed input, found a ${first.kind}: benchbook replaces secrets only in inputs under ${STREAM_THRESHOLD_BYTES / 2 ** 20} MiB; remove it from the file and import again`);
    }
    this.carry = scanned.slice(-4096);
  }
}

/**
 * A file as an import input: small files are read now; a large one is read
 * only if it is not streamed (its `bytes` are read on first use).
 */
export function fileInput(name: string, path: string, size = statSync(path).size): RawInput {
  // The path goes along: a hand-entered file's writeup is found beside it (import.ts), whatever the current directory.
  if (size < STREAM_THRESHOLD_BYTES) return {name, path, size, bytes: readFileSync(path)};
  let bytes: Uint8Array | null = null;
  return {
    name,
    path,
    size,
    get bytes(): Uint8Array {
      if (size > MAX_INPUT_BYTES) throw new InputError(name, 1, `an input of at most ${MAX_INPUT_BYTES / 2 ** 30} GiB to read whole (this one is ${(size / 2 ** 30).toFixed(1)} GiB, and no line-local log format streams it)`);
      bytes ??= readFileSync(path);
      return bytes;
    }
  };
}

export function shouldStream(input: RawInput): input is RawInput & {path: string} {
  return typeof input.path === "string" && (input.size ?? 0) >= STREAM_THRESHOLD_BYTES;
}

// ---------------------------------------------------------------------------
// Lines

/** Physical lines from decoded chunks, split as splitPhysicalLines splits (LF, CRLF, CR). */
class LineSplitter {
  private partial = "";
  private partialTruncated = false;
  private pendingCR = false;
  count = 0;

  constructor(private readonly emit: (text: string, line: number) => void) {}

  push(text: string): void {
    let start = 0;
    if (this.pendingCR) {
      this.pendingCR = false;
      if (text.startsWith("\n")) start = 1;
    }
    const breaks = /\r\n?|\n/g;
    breaks.lastIndex = start;
    for (let m = breaks.exec(text); m !== null; m = breaks.exec(text)) {
      this.take(text, start, m.index);
      this.flush();
      // A CR that ends this chunk may be the first half of a CRLF split across chunks.
      if (m[0] === "\r" && m.index === text.length - 1) this.pendingCR = true;
      start = breaks.lastIndex;
    }
    this.take(text, start, text.length);
  }

  end(): void {
    if (this.partial !== "" || this.partialTruncated) this.flush();
  }

  private take(text: string, from: number, to: number): void {
    if (from >= to || this.partialTruncated) return;
    const room = MAX_LINE_CHARS - this.partial.length;
    if (to - from > room) {
      this.partial += text.slice(from, from + room);
      this.partialTruncated = true;
    } else this.partial += text.slice(from, to);
  }

  private flush(): void {
    this.emit(this.partial, ++this.count);
    this.partial = "";
    this.partialTruncated = false;
  }
}

// ---------------------------------------------------------------------------
// Context between blocks, as the document reader keeps it

interface ContextFacts {
  commands: ParsedCommand[];
  server: ParsedCommand | null;
  hardware: Hardware;
}

class StreamContext {
  private facts: ContextFacts = {commands: [], server: null, hardware: emptyHardware()};
  /** Effects of gap lines after a block's last recognized line, kept aside until we know they fall outside the block. */
  private pending: ContextFacts | null = null;
  private continuation: {text: string; line_start: number} | null = null;

  constructor(private readonly runtime: string | null) {}

  context(): Context {
    const {commands, server, hardware} = this.facts;
    return {commands, server, comments: [], hardware, runtime: this.runtime};
  }

  /** A line outside any block, or (`tentative`) a gap line inside an open segment; true when it was context. */
  line(text: string, line: number, tentative: boolean): boolean {
    if (tentative && !this.pending) this.pending = {...this.facts};
    const target: ContextFacts = tentative ? this.pending! : this.facts;
    const addCommand = (command: ParsedCommand) => {
      target.commands = [...target.commands, command];
      if (isServerCommand(command)) target.server = command;
    };
    if (this.continuation) {
      // A command continued over lines ending in a backslash.
      const joined = `${this.continuation.text}\n${text}`;
      if (/\\\s*$/.test(text)) {
        this.continuation.text = joined;
        return true;
      }
      const from = this.continuation.line_start;
      this.continuation = null;
      const command = parseCommandLine(joined, from, line);
      if (command) addCommand(command);
      return true;
    }
    const devices = parseDeviceLine(text);
    if (devices.length) {
      target.hardware = applyDeviceLines(target.hardware, devices);
      return true;
    }
    if (text.trim() === "" || isLogLike(text)) return false;
    if (/\\\s*$/.test(text) && parseCommandLine(text.replace(/\\\s*$/, ""), line)) {
      this.continuation = {text, line_start: line};
      return true;
    }
    const command = parseCommandLine(text, line);
    if (command) {
      addCommand(command);
      return true;
    }
    const heading = parseHardwareHeading(text);
    if (heading) {
      target.hardware = {...emptyHardware(), stated: heading};
      return true;
    }
    return false;
  }

  /** A recognized line: the gap before it was inside the block after all. */
  hit(): void {
    this.pending = null;
    this.continuation = null;
  }

  /** The segment ended before its gap lines: their effects count. */
  segmentClosed(): void {
    if (!this.pending) return;
    this.facts = this.pending;
    this.pending = null;
  }

  /** Benchmark commands are consumed by the block that follows them; a server launch and devices hold. */
  blockEnded(): void {
    this.facts = {...this.facts, commands: []};
  }
}

// ---------------------------------------------------------------------------
// Ignored lines, grouped and explained as the document reader groups them

type IgnoredKind = string;
const WEAK = new Set(["blank", "code fence", "horizontal rule"]);

/**
 * Ranges of lines that were neither a block nor context. Each line's reason
 * comes from the document reader's own classifier (document/ignored.ts, on
 * that one line); ranges merge by its rules: lines of one kind join, and
 * blank lines, fences and rules join the range they sit in.
 */
class IgnoredTracker {
  readonly ranges: (IgnoredRange & {kind: IgnoredKind})[] = [];

  add(text: string, line: number): void {
    const [{reason}] = ignoredOf({name: "", lines: [{text, line: 1}]}, new Set());
    const kind = reason.startsWith("a table") ? "table" : reason;
    const last = this.ranges.at(-1);
    const adjacent = last !== undefined && last.line_end + 1 === line;
    if (adjacent && (last.kind === kind || WEAK.has(kind))) {
      last.line_end = line;
      return;
    }
    if (adjacent && WEAK.has(last.kind)) {
      last.kind = kind;
      last.reason = reason;
      last.line_end = line;
      return;
    }
    this.ranges.push({line_start: line, line_end: line, reason, kind});
  }

  result(): IgnoredRange[] {
    return this.ranges.map(({line_start, line_end, reason}) => ({line_start, line_end, reason}));
  }
}

// ---------------------------------------------------------------------------
// Temporary files

function tempPath(dir: string, what: string): string {
  mkdirSync(dir, {recursive: true});
  return join(dir, tempName(`-${what}`));
}

class FileWriter {
  readonly fd: number;
  private buffer: string[] = [];
  private size = 0;

  constructor(
    readonly path: string,
    mode: "w" | "a" = "w"
  ) {
    this.fd = openSync(path, mode);
  }

  write(text: string): void {
    this.buffer.push(text);
    this.size += text.length;
    if (this.size >= 1 << 20) this.flush();
  }

  writeBytes(bytes: Uint8Array): void {
    this.flush();
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done);
  }

  flush(): void {
    if (!this.buffer.length) return;
    const data = Buffer.from(this.buffer.join(""), "utf8");
    this.buffer = [];
    this.size = 0;
    let done = 0;
    while (done < data.length) done += writeSync(this.fd, data, done, data.length - done);
  }

  close(sync: boolean): void {
    this.flush();
    if (sync) fsyncSync(this.fd);
    closeSync(this.fd);
  }
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    fsyncSync(fd);
    closeSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  }
}

/**
 * How many runs the store holds for an input, read from its source record
 * (the start of the runs file) so that a huge runs file is not parsed whole.
 */
function storedRunCount(store: Store, sha: string): number {
  const marker = ',\n  "runs": [';
  const fd = openSync(store.runsPath(sha), "r");
  try {
    const buf = Buffer.alloc(CHUNK_BYTES);
    const decoder = new TextDecoder("utf-8");
    let text = "";
    for (let n = readSync(fd, buf, 0, CHUNK_BYTES, null); n > 0 && text.length < 256 * 1024 * 1024; n = readSync(fd, buf, 0, CHUNK_BYTES, null)) {
      text += decoder.decode(buf.subarray(0, n), {stream: true});
      const at = text.indexOf(marker);
      if (at >= 0) {
        const head = JSON.parse(text.slice(0, at) + "}") as {source: SourceRecord};
        return head.source.blocks.reduce((sum, b) => sum + b.runs, 0);
      }
    }
  } finally {
    closeSync(fd);
  }
  return store.read(sha).runs.length;
}

function hashFile(path: string, chunkBytes: number): string {
  const hash = createHash("sha256");
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(chunkBytes);
    for (let n = readSync(fd, buf, 0, chunkBytes, null); n > 0; n = readSync(fd, buf, 0, chunkBytes, null)) hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

// ---------------------------------------------------------------------------
// Choosing the format

/** The first bytes of a file, cut at the last line break, decoded (null when not UTF-8). */
function readHead(path: string): string | null {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const n = readSync(fd, buf, 0, HEAD_BYTES, 0);
    let end = n;
    if (n === HEAD_BYTES) {
      const lastBreak = Math.max(buf.lastIndexOf(10, n - 1), buf.lastIndexOf(13, n - 1));
      if (lastBreak > 0) end = lastBreak + 1;
    }
    if (buf[0] === 0xff || buf[0] === 0xfe) return null; // UTF-16: read whole
    try {
      return new TextDecoder("utf-8", {fatal: true}).decode(buf.subarray(0, end));
    } catch {
      return null;
    }
  } finally {
    closeSync(fd);
  }
}

/** The line-local log format that reads the file, judged from its head; null to read it whole. */
export function streamFormat(name: string, head: string, forced?: string): LineLogFormat | null {
  if (forced) {
    const format = formatById(forced);
    return format && isLineLogFormat(format) ? format : null;
  }
  let formats: string[];
  try {
    formats = [...new Set(readDocument(head, {name}).blocks.map((b) => b.format))];
  } catch {
    return null;
  }
  if (formats.length !== 1) return null;
  const format = formatById(formats[0]);
  return format && isLineLogFormat(format) ? format : null;
}

// ---------------------------------------------------------------------------
// The streamed import

interface StreamedRun {
  run: ParsedRun;
  resultsPath: string;
  count: number;
}

/** Where a run's results go: its temporary file (reopened for the summaries that finish() adds). */
interface ResultSink {
  writer: FileWriter;
}

const marker = (k: number) => `\u0000benchbook-streamed-results-${k}`;

/**
 * Import one large file by streaming, or return null when its content is not
 * a line-local log (the caller then reads it whole). Throws InputError for
 * input that cannot be imported, naming the file and line.
 */
export function importStreamed(input: RawInput & {path: string}, options: ImportOptions, seen: Set<string>, chunkBytes = CHUNK_BYTES): ImportOutcome | null {
  // A hash-only pass first (a few seconds per GB): re-importing the same bytes then costs no parse.
  const known = hashFile(input.path, chunkBytes);
  if (options.store.has(known) || seen.has(known)) {
    return {name: input.name, status: "unchanged", sha256: known, runs: options.store.has(known) ? storedRunCount(options.store, known) : 0};
  }
  const head = readHead(input.path);
  if (head === null) return null;
  const format = streamFormat(input.name, head, options.format);
  if (!format) return null;
  const spec = format.spec;
  const store: Store = options.store;
  const rawDir = join(store.root, "raw");
  const rawTemp = tempPath(rawDir, "raw");
  const temps: string[] = [rawTemp];
  const raw = new FileWriter(rawTemp);
  const hash = createHash("sha256");
  const context = new StreamContext(options.runtime ?? null);
  const runs: StreamedRun[] = [];
  const blocks: SourceRecord["blocks"] = [];
  let current: {builder: LogRunBuilder; writer: FileWriter; sink: ResultSink; context: Context} | null = null;
  let inSegment = false;
  const runsDir = dirname(store.runsPath("0".repeat(64)));

  const openRun = (): void => {
    const resultsPath = tempPath(runsDir, `results-${runs.length}`);
    temps.push(resultsPath);
    const writer = new FileWriter(resultsPath);
    const sink: ResultSink = {writer};
    const builder = new LogRunBuilder(spec, (result: Result) => sink.writer.write(JSON.stringify(result) + "\n"));
    current = {builder, writer, sink, context: context.context()};
  };

  let lineWasHit = false;
  const ignored = new IgnoredTracker();
  /**
   * Lines after a block's last recognized line are outside the block only if
   * it ends before the next recognized line. They are kept (up to
   * GAP_BUFFER_CHARS) and read as context or ignored once that is known;
   * past that they are read at once into a tentative state (pendingIgnored,
   * StreamContext's pending facts) that is kept or dropped later.
   */
  let gap: {text: string; line: number}[] = [];
  let gapChars = 0;
  let gapOverflow = false;
  let pendingIgnored = new IgnoredTracker();
  const outside = (text: string, line: number, tentative: boolean) => {
    if (!context.line(text, line, tentative)) (tentative ? pendingIgnored : ignored).add(text, line);
  };
  const resetGap = () => {
    gap = [];
    gapChars = 0;
    gapOverflow = false;
    pendingIgnored = new IgnoredTracker();
  };
  const segmenter = new LogSegmenter(spec, looksLikeLogFile(head.split(/\r\n|\n|\r/)), {
    hit(hit, _line, opened) {
      lineWasHit = true;
      if (opened) openRun();
      context.hit();
      resetGap();
      inSegment = true;
      current!.builder.add(hit);
    },
    close(seg: Segment) {
      inSegment = false;
      if (gapOverflow) {
        context.segmentClosed();
        ignored.ranges.push(...pendingIgnored.ranges);
      } else for (const g of gap) outside(g.text, g.line, false);
      resetGap();
      const open = current!;
      current = null;
      open.writer.close(false);
      const judged = seg.stats.results > 0 ? spec.judge(seg.stats) : null;
      if (!judged) {
        rmSync(open.writer.path, {force: true});
        return;
      }
      // finish() sends the derived summaries to the sink: reopen the file for them.
      open.sink.writer = new FileWriter(open.writer.path, "a");
      const run = open.builder.finish(open.context, seg.line_start, seg.line_end);
      open.sink.writer.close(false);
      runs.push({run, resultsPath: open.writer.path, count: open.builder.count});
      blocks.push({format: spec.id, line_start: seg.line_start, line_end: seg.line_end, confidence: judged.confidence, reason: judged.reason, runs: 1, results: open.builder.count});
      context.blockEnded();
    }
  });

  const splitter = new LineSplitter((text, line) => {
    lineWasHit = false;
    segmenter.push(text, line - 1, line);
    if (lineWasHit) return;
    // A line outside any block is context or ignored, as the document reader reads it.
    if (!inSegment) return outside(text, line, false);
    if (gapOverflow) return outside(text, line, true);
    gap.push({text, line});
    gapChars += text.length;
    if (gapChars > GAP_BUFFER_CHARS) {
      gapOverflow = true;
      for (const g of gap) outside(g.text, g.line, true);
      gap = [];
    }
  });

  const secrets = new StreamSecrets(input.name);
  try {
    const decoder = new TextDecoder("utf-8", {fatal: true});
    const fd = openSync(input.path, "r");
    const buf = Buffer.alloc(chunkBytes);
    let bytes = 0;
    try {
      for (;;) {
        const n = readSync(fd, buf, 0, chunkBytes, null);
        if (n === 0) break;
        const chunk = buf.subarray(0, n);
        bytes += n;
        hash.update(chunk);
        if (!options.dryRun) raw.writeBytes(chunk);
        let text: string;
        try {
          text = decoder.decode(chunk, {stream: true});
        } catch {
          // Name the line of the first byte that is not UTF-8: the lines already read, plus the breaks before it in this chunk.
          const lenient = new TextDecoder("utf-8").decode(chunk);
          const before = lenient.slice(0, Math.max(0, lenient.indexOf("\uFFFD")));
          const breaks = before.match(/\r\n|\n|\r/g)?.length ?? 0;
          throw new InputError(input.name, splitter.count + 1 + breaks, "expected UTF-8 text (this looks like a binary file or another encoding)");
        }
        secrets.check(text, splitter.count);
        splitter.push(text);
      }
      splitter.push(decoder.decode());
    } finally {
      closeSync(fd);
    }
    splitter.end();
    segmenter.end();
    raw.close(!options.dryRun);

    if (runs.length === 0) {
      throw new InputError(input.name, 1, `no ${spec.description} found in the streamed input`);
    }
    const sha = hash.digest("hex");
    if (sha !== known) throw new InputError(input.name, 1, "the file to stay the same while it is imported (it changed between two reads)");
    const imported_at = (options.now?.() ?? new Date()).toISOString();
    const tags = options.tags ?? {};
    const source: SourceRecord = {
      sha256: sha,
      name: input.name,
      raw: `raw/${sha}.${rawExtension(input.name)}`,
      bytes,
      lines: bytes === 0 ? 1 : splitter.count,
      imported_at,
      tags,
      blocks,
      ignored: ignored.result(),
      ...readWith(options)
    };
    const ids = runIds(sha, blocks);
    const stored: Run[] = runs.map(({run: {line_start, line_end, ...parsed}}, i) => ({
      schema: SCHEMA_VERSION,
      id: ids[i],
      ...parsed,
      source: {sha256: sha, name: input.name, line_start, line_end},
      imported_at,
      tags: {...tags},
      results: parsed.results
    }));
    if (!options.dryRun) writeStore(store, sha, source, stored, runs, rawTemp);
    seen.add(sha);
    // The results are in the store, not in memory: each run's `results` has their count as its length, and no elements.
    return {name: input.name, status: "imported", sha256: sha, runs: stored.map((r, i) => ({...r, results: new Array<Result>(runs[i].count)}))};
  } finally {
    for (const t of temps) rmSync(t, {force: true});
  }
}

/**
 * The raw copy, then the runs file — the commit point — each renamed into
 * place. The runs file is the store's serialization with the streamed
 * results spliced in where the serializer prints them.
 */
function writeStore(store: Store, sha: string, source: SourceRecord, stored: Run[], runs: StreamedRun[], rawTemp: string): void {
  const rawPath = join(store.root, source.raw);
  if (existsSync(rawPath)) rmSync(rawTemp, {force: true});
  else renameSync(rawTemp, rawPath);
  fsyncDir(dirname(rawPath));

  const skeleton: StoredInput = {schema: SCHEMA_VERSION, source, runs: stored.map((r, k) => ({...r, results: [marker(k) as unknown as Result]}))};
  const text = serializeInput(skeleton);
  const runsPath = store.runsPath(sha);
  const out = new FileWriter(tempPath(dirname(runsPath), "runs"));
  try {
    let from = 0;
    runs.forEach((r, k) => {
      const quoted = JSON.stringify(marker(k));
      const at = text.indexOf(quoted, from);
      const lineStart = text.lastIndexOf("\n", at) + 1;
      const indent = text.slice(lineStart, at);
      out.write(text.slice(from, lineStart));
      copyResults(r.resultsPath, out, indent);
      from = at + quoted.length;
    });
    out.write(text.slice(from));
    out.close(true);
    renameSync(out.path, runsPath);
    fsyncDir(dirname(runsPath));
  } catch (error) {
    rmSync(out.path, {force: true});
    throw error;
  }
}

/** One result per line in the temp file → `indent + result` lines joined by `,\n`, chunk by chunk. */
function copyResults(path: string, out: FileWriter, indent: string): void {
  const fd = openSync(path, "r");
  const buf = Buffer.alloc(CHUNK_BYTES);
  const decoder = new TextDecoder("utf-8");
  let carry = "";
  let first = true;
  const emit = (line: string) => {
    if (line === "") return;
    out.write((first ? "" : ",\n") + indent + line);
    first = false;
  };
  try {
    for (let n = readSync(fd, buf, 0, CHUNK_BYTES, null); n > 0; n = readSync(fd, buf, 0, CHUNK_BYTES, null)) {
      const lines = (carry + decoder.decode(buf.subarray(0, n), {stream: true})).split("\n");
      carry = lines.pop()!;
      lines.forEach(emit);
    }
    emit(carry + decoder.decode());
  } finally {
    closeSync(fd);
  }
}
