/**
 * Huge inputs in bounded memory: hashed, copied and split into lines in chunks, fed to the same line-local log
 * machinery as small files, results written to temp files; the runs file is renamed into place last. Taken by
 * files of STREAM_THRESHOLD_BYTES or more whose first MB holds one line-local log format.
 */
import {createHash} from "node:crypto";
import {closeSync, openSync, readFileSync, readSync, rmSync, statSync} from "node:fs";
import {dirname, join} from "node:path";
import {redactSecrets} from "../context/redact.js";
import {IgnoredLines} from "../document/ignored.js";
import {InputError, readDocument} from "../document/read.js";
import type {LineLogFormat, Segment} from "../formats/logs/line-log.js";
import {isLineLogFormat, LogRunBuilder, LogSegmenter, looksLikeLogFile} from "../formats/logs/line-log.js";
import {formatById} from "../formats/registry.js";
import type {Context} from "../formats/types.js";
import type {Result} from "../schema/schema.js";
import {FileWriter, tempPath} from "../store/atomic.js";
import type {SourceRecord, Store} from "../store/store.js";
import type {ImportOptions, ImportOutcome, RawInput} from "./import.js";
import {readWith} from "./import.js";
import {MAX_INPUT_BYTES} from "./limits.js";
import {StreamContext} from "./stream-context.js";
import {hashFile, LineSplitter, readHead} from "./stream-lines.js";
import {storedRunCount, writeStore, type StreamedRun} from "./stream-store.js";
import {storedInput} from "./stored-input.js";

/** Files from this size on are streamed (when a line-local log format reads them). */
export const STREAM_THRESHOLD_BYTES = 64 * 1024 * 1024;
const CHUNK_BYTES = 4 * 1024 * 1024;
/** Unrecognized lines kept in memory after a block's last recognized line before they are read tentatively. */
const GAP_BUFFER_CHARS = 4 * 1024 * 1024;

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
      throw new InputError(
        this.name,
        linesBefore + 1 - carried + first.line - 1,
        `no secret in a streamed input, found a ${first.kind}: benchbook replaces secrets only in inputs under ${STREAM_THRESHOLD_BYTES / 2 ** 20} MiB; remove it from the file and import again`
      );
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
      if (size > MAX_INPUT_BYTES)
        throw new InputError(
          name,
          1,
          `an input of at most ${MAX_INPUT_BYTES / 2 ** 30} GiB to read whole (this one is ${(size / 2 ** 30).toFixed(1)} GiB, and no line-local log format streams it)`
        );
      bytes ??= readFileSync(path);
      return bytes;
    }
  };
}

export function shouldStream(input: RawInput): input is RawInput & {path: string} {
  return typeof input.path === "string" && (input.size ?? 0) >= STREAM_THRESHOLD_BYTES;
}

/** The line-local log format that reads the file, judged from its head; null to read it whole. */
function streamFormat(name: string, head: string, forced?: string): LineLogFormat | null {
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

/** Where a run's results go: its temporary file (reopened for the summaries that finish() adds). */
interface ResultSink {
  writer: FileWriter;
}

/**
 * Import one large file by streaming, or return null when its content is not
 * a line-local log (the caller then reads it whole). Throws InputError for
 * input that cannot be imported, naming the file and line.
 */
export function importStreamed(
  input: RawInput & {path: string},
  options: ImportOptions,
  seen: Set<string>,
  chunkBytes = CHUNK_BYTES
): ImportOutcome | null {
  // A hash-only pass first (a few seconds per GB): re-importing the same bytes then costs no parse.
  const known = hashFile(input.path, chunkBytes);
  if (options.store.has(known) || seen.has(known)) {
    return {
      name: input.name,
      status: "unchanged",
      sha256: known,
      runs: options.store.has(known) ? storedRunCount(options.store, known) : 0
    };
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
  const ignored = new IgnoredLines();
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
  let pendingIgnored = new IgnoredLines();
  const outside = (text: string, line: number, tentative: boolean) => {
    if (!context.line(text, line, tentative)) (tentative ? pendingIgnored : ignored).add(text, line);
  };
  const resetGap = () => {
    gap = [];
    gapChars = 0;
    gapOverflow = false;
    pendingIgnored = new IgnoredLines();
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
        ignored.append(pendingIgnored);
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
      blocks.push({
        format: spec.id,
        line_start: seg.line_start,
        line_end: seg.line_end,
        confidence: judged.confidence,
        reason: judged.reason,
        runs: 1,
        results: open.builder.count
      });
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
          throw new InputError(
            input.name,
            splitter.count + 1 + breaks,
            "expected UTF-8 text (this looks like a binary file or another encoding)"
          );
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
    if (sha !== known)
      throw new InputError(
        input.name,
        1,
        "the file to stay the same while it is imported (it changed between two reads)"
      );
    const stored = storedInput(
      {
        sha256: sha,
        name: input.name,
        bytes,
        lines: bytes === 0 ? 1 : splitter.count,
        imported_at: (options.now?.() ?? new Date()).toISOString(),
        tags: options.tags ?? {},
        blocks,
        ignored: ignored.result(),
        read_with: readWith(options)
      },
      runs.map((r) => r.run)
    );
    if (!options.dryRun) writeStore(store, stored, runs, rawTemp);
    seen.add(sha);
    // The results are in the store, not in memory: each run's `results` has their count as its length, and no elements.
    return {
      name: input.name,
      status: "imported",
      sha256: sha,
      runs: stored.runs.map((r, i) => ({...r, results: new Array<Result>(runs[i].count)}))
    };
  } finally {
    for (const t of temps) rmSync(t, {force: true});
  }
}
