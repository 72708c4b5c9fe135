/**
 * The store: data/raw/<sha256>.<ext> (raw inputs, verbatim) and data/runs/<sha256>.json (their runs), each written
 * atomically, the runs file last: the commit point, so a crash leaves at most an unreferenced raw file.
 */
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from "node:fs";
import {hostname} from "node:os";
import {join, resolve} from "node:path";
import type {Run} from "../schema/schema.js";
import {SCHEMA_VERSION} from "../schema/schema.js";
import {HOST_TAG, writeFileAtomic} from "./atomic.js";

/** A store file that cannot be read (a merge conflict, a newer schema): the CLI prints it, names the file, exits 1. */
export class StoreError extends Error {
  name = "StoreError";
}

/** What the store knows of one raw input. */
export interface SourceRecord {
  sha256: string;
  /** File name given on import (`-` for stdin). */
  name: string;
  /** Path of the raw copy, relative to the store root. */
  raw: string;
  bytes: number;
  lines: number;
  imported_at: string;
  tags: Record<string, string>;
  /** What `parse --explain` would say: blocks found, context lines, ignored ranges. */
  blocks: {
    format: string;
    line_start: number;
    line_end: number;
    confidence: number;
    reason: string;
    runs: number;
    results: number;
  }[];
  ignored: {line_start: number; line_end: number}[];
  /**
   * Other raw files that belong with this input, stored verbatim beside it
   * (a benchmark runner's stderr with the device lines, its capture record,
   * the plan): role, sha256 of the bytes, path relative to the store root.
   */
  attachments?: Attachment[];
  /** Secrets replaced in the raw copy before it was stored: line and kind (`hf-token`, `url-password`…), never the value. */
  redactions?: {line: number; kind: string}[];
  /** `--format` and `--runtime` as given at import, so that reparse reads the input the same way. */
  read_with?: {format?: string; runtime?: string};
}

export interface Attachment {
  /** `stderr`, `capture`, `plan`, `stdout`, `result`, `server-log`. */
  role: string;
  sha256: string;
  raw: string;
  /** The file's name when it was captured (`<cell>.stderr.txt`), so reparse can hand it back as it was. */
  name?: string;
}

export interface StoredInput {
  schema: number;
  source: SourceRecord;
  runs: Run[];
}

const RAW_EXTENSIONS = new Set(["txt", "md", "log", "json", "jsonl", "csv", "sql", "yaml", "yml", "html"]);

export function rawExtension(name: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();
  return ext && RAW_EXTENSIONS.has(ext) ? ext : "txt";
}

export class Store {
  constructor(readonly root: string) {}

  runsPath(sha256: string): string {
    return join(this.root, "runs", `${sha256}.json`);
  }

  /**
   * `<sha>.<size>.<mtimeNs>` of an input's runs file as it is now, null when
   * there is none: what names its index files (scripts/query/index.ts), so
   * that a runs file changed by anything is seen.
   */
  runsKey(sha256: string): string | null {
    try {
      const stat = statSync(this.runsPath(sha256), {bigint: true});
      return `${sha256}.${stat.size}.${stat.mtimeNs}`;
    } catch {
      return null;
    }
  }

  has(sha256: string): boolean {
    return existsSync(this.runsPath(sha256));
  }

  /** Write one input, its attachments and its runs; the runs file lands last and atomically. */
  write(raw: Uint8Array, input: StoredInput, attachments: {raw: string; bytes: Uint8Array}[] = []): void {
    // The runs file in pieces: a large input's is never one string.
    writeStoreFiles([
      ...this.inputFiles(raw, input, attachments),
      [this.runsPath(input.source.sha256), serializedPieces(input)]
    ]);
  }

  /**
   * What `write` writes, in its order: attachments and the raw copy first, so
   * that once the runs file exists, everything it references does. (The import
   * pool's workers prepare these; its main thread writes them.)
   */
  files(raw: Uint8Array, input: StoredInput, attachments: {raw: string; bytes: Uint8Array}[] = []): StoreFile[] {
    return [...this.inputFiles(raw, input, attachments), [this.runsPath(input.source.sha256), serializeInput(input)]];
  }

  /** The files before the runs file: attachments, then the raw copy. */
  private inputFiles(
    raw: Uint8Array,
    input: StoredInput,
    attachments: {raw: string; bytes: Uint8Array}[]
  ): StoreFile[] {
    return [
      ...attachments.map((a): StoreFile => [join(this.root, a.raw), a.bytes]),
      [join(this.root, input.source.raw), raw]
    ];
  }

  /** Hashes of all committed inputs, sorted. */
  inputs(): string[] {
    const dir = join(this.root, "runs");
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => /^[0-9a-f]{64}\.json$/.test(f))
      .map((f) => f.slice(0, -5))
      .sort();
  }

  read(sha256: string): StoredInput {
    return this.parse(sha256, readFileSync(this.runsPath(sha256)));
  }

  /** An input's runs file already read (the export hashes the same bytes it parses). */
  parse(sha256: string, bytes: Uint8Array): StoredInput {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
    let input: StoredInput;
    try {
      input = JSON.parse(text) as StoredInput;
    } catch (error) {
      const conflict = /^(?:<{7}|={7}|>{7})(?: |$)/m.exec(text);
      const line = conflict ? text.slice(0, conflict.index).split("\n").length : null;
      throw new StoreError(
        `${this.runsPath(sha256)}: ${line ? `line ${line}: a git merge conflict marker (${conflict![0].trim()}); resolve the conflict (or take one side: git checkout --theirs/--ours), then run benchbook reparse` : `not valid JSON (${(error as Error).message}); restore it from git, or remove it and import the input again`}`
      );
    }
    if (input.schema > SCHEMA_VERSION)
      throw new StoreError(
        `${this.runsPath(sha256)}: schema ${input.schema} is newer than this benchbook (schema ${SCHEMA_VERSION}); update benchbook`
      );
    return input;
  }

  *readAll(): Generator<StoredInput> {
    for (const sha of this.inputs()) yield this.read(sha);
  }

  rawPath(source: SourceRecord): string {
    return join(this.root, source.raw);
  }

  /**
   * Take the store's write lock (data/.lock, created exclusively, naming the
   * pid and host), waiting while another live benchbook holds it; returns its release.
   * Every command that writes the store takes it (import, bench, reparse,
   * retag, remove, merge, reindex), around its reads as well as its writes:
   * two writers at once would each rewrite a runs file from what they read,
   * and one's tags would be lost. A lock left by a killed process is taken
   * over, and its temporary files removed. Within one process the lock is
   * reentrant (bench's cells import while bench holds it).
   */
  lock(timeoutMs = 120_000): () => void {
    const key = resolve(this.root);
    const depth = HELD.get(key);
    if (depth) {
      HELD.set(key, depth + 1);
      return once(() => HELD.set(key, HELD.get(key)! - 1));
    }
    mkdirSync(this.root, {recursive: true});
    const path = join(this.root, ".lock");
    const started = Date.now();
    for (;;) {
      try {
        writeFileSync(path, `${process.pid}@${HOST_TAG} ${hostname()}\n`, {flag: "wx"});
        HELD.set(key, 1);
        removeStaleTemps(this.root);
        return once(() => {
          const left = HELD.get(key)! - 1;
          if (left > 0) return void HELD.set(key, left);
          HELD.delete(key);
          rmSync(path, {force: true});
        });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      let holder = "";
      try {
        holder = readFileSync(path, "utf8").trim();
      } catch {
        continue; // released between our attempt and this read
      }
      // `<pid>@<host tag> <host name>`: only a process of this host can be found dead (a lock written before hosts were named: its pid alone).
      const [, pid, host] = /^(\d+)(?:@([0-9a-f]+))?/.exec(holder) ?? [];
      if ((host === undefined || host === HOST_TAG) && !alive(Number(pid))) {
        rmSync(path, {force: true});
        continue;
      }
      if (Date.now() - started > timeoutMs)
        throw new StoreError(
          `${this.root}: another benchbook (pid ${holder.replace(/@[0-9a-f]+ /, " on ")}) has been writing the store for ${Math.round(timeoutMs / 1000)} s; if it is gone, remove ${path}`
        );
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }

  /** Run `fn` holding the write lock (released when it returns, or its promise settles). */
  withLock<T>(fn: () => T): T {
    const release = this.lock();
    let result: T;
    try {
      result = fn();
    } catch (error) {
      release();
      throw error;
    }
    if (result instanceof Promise) return result.finally(release) as T;
    release();
    return result;
  }
}

/** Locks this process holds: store root → depth. */
const HELD = new Map<string, number>();

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) fn();
    done = true;
  };
}

/** Whether a process runs (a pid read from a lock or a temporary file's name; NaN and 0 are not). */
function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Temporary files of processes that no longer run — a killed writer's
 * leftovers: `.tmp-<pid>@<host>-…` (atomic.ts, the streamed import) in the
 * store's folders, `<file>.tmp-<pid>` in its index (query/index.ts). Another
 * host's are left alone (its pid means nothing here); one that names no host
 * is removed once its pid is dead here and it is an hour old.
 */
export function removeStaleTemps(root: string): string[] {
  const removed: string[] = [];
  const index = join(root, ".index");
  const indexDirs = existsSync(index)
    ? readdirSync(index, {withFileTypes: true})
        .filter((d) => d.isDirectory())
        .map((d) => join(index, d.name))
    : [];
  for (const dir of [root, join(root, "raw"), join(root, "runs"), ...indexDirs]) {
    if (!statSync(dir, {throwIfNoEntry: false})?.isDirectory()) continue;
    for (const name of readdirSync(dir)) {
      const [, pid, host] = /\.tmp-(\d+)(?:@([0-9a-f]{8}))?(?:-[^/]*)?$/.exec(name) ?? [];
      if (!pid || alive(Number(pid)) || (host !== undefined && host !== HOST_TAG)) continue;
      const path = join(dir, name);
      if (
        host === undefined &&
        Date.now() - (statSync(path, {throwIfNoEntry: false})?.mtimeMs ?? Date.now()) < 3_600_000
      )
        continue;
      rmSync(path, {force: true});
      removed.push(path);
    }
  }
  return removed;
}

/** A file of the store: its path and bytes (or text, written as UTF-8). */
export type StoreFile = [path: string, data: string | Uint8Array];

/** Store files written atomically, one after the other in the order given (text may come in pieces). */
export function writeStoreFiles(files: [path: string, data: string | Uint8Array | Iterable<string>][]): void {
  for (const [path, data] of files) writeFileAtomic(path, data);
}

/**
 * Pretty JSON with one result per line: runs read as documents in a diff,
 * and a changed value shows as one changed line.
 *
 * Written straight at its final indentation (a run's head fields pretty-printed,
 * each result one JSON.stringify on its own line) rather than printed and then
 * re-indented: the results are most of a large input's bytes.
 */
export function serializeInput(input: StoredInput): string {
  return [...serializedPieces(input)].join("");
}

/** Results joined into one piece of serializedPieces. */
const RESULTS_PER_PIECE = 2048;

/** serializeInput's text in pieces of at most RESULTS_PER_PIECE results, so a large input's runs file is written without ever being one string. */
export function* serializedPieces(input: StoredInput): Generator<string> {
  yield `{\n  "schema": ${input.schema},\n  "source": ${indent(JSON.stringify(input.source, null, 2), 2)},\n  "runs": [\n    `;
  for (let i = 0; i < input.runs.length; i++) {
    if (i > 0) yield ",\n    ";
    yield* runPieces(input.runs[i], "    ");
  }
  yield "\n  ]\n}\n";
}

/** One run as an object whose first line is already placed and whose other lines start with `pad`. */
function* runPieces(run: Run, pad: string): Generator<string> {
  const {results, ...head} = run;
  const inner = `${pad}  `;
  const fields = Object.entries(head).map(
    ([key, value]) => `${inner}${JSON.stringify(key)}: ${indent(JSON.stringify(value, null, 2), inner.length)}`
  );
  if (results.length === 0) {
    fields.push(`${inner}"results": []`);
    yield `{\n${fields.join(",\n")}\n${pad}}`;
    return;
  }
  fields.push(`${inner}"results": [`);
  yield `{\n${fields.join(",\n")}\n`;
  const resultPad = `${inner}  `;
  const between = `,\n${resultPad}`;
  for (let from = 0; from < results.length; from += RESULTS_PER_PIECE) {
    const to = Math.min(results.length, from + RESULTS_PER_PIECE);
    const lines = new Array<string>(to - from);
    for (let i = from; i < to; i++) lines[i - from] = JSON.stringify(results[i]);
    yield (from === 0 ? resultPad : between) + lines.join(between);
  }
  yield `\n${inner}]\n${pad}}`;
}

function indent(text: string, spaces: number): string {
  return text.includes("\n") ? text.replace(/\n/g, `\n${" ".repeat(spaces)}`) : text;
}
