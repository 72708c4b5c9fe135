/**
 * The store: plain files in data/ that diff well in git.
 *
 *   data/raw/<sha256>.<ext>    every raw input, verbatim, named by the hash of its bytes
 *   data/runs/<sha256>.json    the runs read from that input (one file per input)
 *
 * Importing an input writes its raw file, then its runs file, each
 * atomically. The runs file is the commit point: readers only see inputs whose
 * runs file exists, so a crash in between leaves at most an unreferenced raw
 * file, which the next import of the same input reuses.
 */
import {existsSync, readdirSync, readFileSync} from "node:fs";
import {join} from "node:path";
import type {Run} from "../schema/schema.js";
import {SCHEMA_VERSION} from "../schema/schema.js";
import {writeFileAtomic} from "./atomic.js";

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
  blocks: {format: string; line_start: number; line_end: number; confidence: number; reason: string; runs: number; results: number}[];
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

  has(sha256: string): boolean {
    return existsSync(this.runsPath(sha256));
  }

  /** Write one input, its attachments and its runs; the runs file lands last and atomically. */
  write(raw: Uint8Array, input: StoredInput, attachments: {raw: string; bytes: Uint8Array}[] = []): void {
    writeStoreFiles(this.files(raw, input, attachments));
  }

  /**
   * What `write` writes, in its order: attachments and the raw copy first, so
   * that once the runs file exists, everything it references does. (The import
   * pool's workers prepare these; its main thread writes them.)
   */
  files(raw: Uint8Array, input: StoredInput, attachments: {raw: string; bytes: Uint8Array}[] = []): StoreFile[] {
    return [...attachments.map((a): StoreFile => [join(this.root, a.raw), a.bytes]), [join(this.root, input.source.raw), raw], [this.runsPath(input.source.sha256), serializeInput(input)]];
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
    const input = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8")) as StoredInput;
    if (input.schema > SCHEMA_VERSION) throw new Error(`${this.runsPath(sha256)}: schema ${input.schema} is newer than this benchbook (schema ${SCHEMA_VERSION}); update benchbook`);
    return input;
  }

  *readAll(): Generator<StoredInput> {
    for (const sha of this.inputs()) yield this.read(sha);
  }

  rawPath(source: SourceRecord): string {
    return join(this.root, source.raw);
  }
}

/** A file of the store: its path and bytes (or text, written as UTF-8). */
export type StoreFile = [path: string, data: string | Uint8Array];

/** Store files written atomically, one after the other in the order given. */
export function writeStoreFiles(files: StoreFile[]): void {
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
  const runs = input.runs.map((run) => serializeRun(run, "    "));
  return `{\n  "schema": ${input.schema},\n  "source": ${indent(JSON.stringify(input.source, null, 2), 2)},\n  "runs": [\n    ${runs.join(",\n    ")}\n  ]\n}\n`;
}

/** One run as an object whose first line is already placed and whose other lines start with `pad`. */
function serializeRun(run: Run, pad: string): string {
  const {results, ...head} = run;
  const inner = `${pad}  `;
  const fields = Object.entries(head).map(([key, value]) => `${inner}${JSON.stringify(key)}: ${indent(JSON.stringify(value, null, 2), inner.length)}`);
  if (results.length) {
    const lines = new Array<string>(results.length);
    const resultPad = `${inner}  `;
    for (let i = 0; i < results.length; i++) lines[i] = resultPad + JSON.stringify(results[i]);
    fields.push(`${inner}"results": [\n${lines.join(",\n")}\n${inner}]`);
  } else fields.push(`${inner}"results": []`);
  return `{\n${fields.join(",\n")}\n${pad}}`;
}

function indent(text: string, spaces: number): string {
  return text.includes("\n") ? text.replace(/\n/g, `\n${" ".repeat(spaces)}`) : text;
}
