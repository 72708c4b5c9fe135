/**
 * The one import path: every raw input — a file, pasted text, a runner's
 * captured output — goes through here into the store.
 */
import {createHash} from "node:crypto";
import {existsSync, readFileSync} from "node:fs";
import {dirname, isAbsolute, resolve} from "node:path";
import type {DocumentReading} from "../document/read.js";
import {InputError, readDocument} from "../document/read.js";
import {splitPhysicalLines} from "../document/lines.js";
import type {WriteupReader} from "../document/writeup.js";
import {attachWriteups} from "../document/writeup.js";
import type {Run} from "../schema/schema.js";
import {SCHEMA_VERSION} from "../schema/schema.js";
import type {SourceRecord, StoredInput, Store} from "../store/store.js";
import {rawExtension} from "../store/store.js";
import {decodeText} from "./decode.js";
import {runIds} from "./run-id.js";
import {shortcutFormats} from "./shortcut.js";
import {importStreamed, shouldStream} from "./stream.js";

export interface RawInput {
  /** File name as given (`-` for stdin). */
  name: string;
  bytes: Uint8Array;
  /** A file on disk and its size: large ones may be streamed (stream.ts) without reading `bytes`. */
  path?: string;
  size?: number;
  /** The bytes' sha256 when the caller has it already (the import pool hashes every input first). */
  sha256?: string;
}

export interface ReadOptions {
  tags?: Record<string, string>;
  format?: string;
  runtime?: string | null;
  /** Refuse an input with lines a format would skip (a cut-off last table row) instead of warning. */
  strict?: boolean;
  /** Injected clock, so tests and re-imports are reproducible. */
  now?: () => Date;
  /**
   * Where a hand-entered observations file's `writeup:` is read from
   * (default: the file system, relative to the input's folder; reparse
   * reads the copy in the store).
   */
  readWriteup?: WriteupReader;
}

export interface ReadInput {
  stored: StoredInput;
  reading: DocumentReading;
  /** Files stored beside the input (a hand-entered file's writeup); their paths are in stored.source.attachments. */
  attachments: {raw: string; bytes: Uint8Array}[];
}

/** A writeup path relative to the input's folder (standard input: the current directory, or the folder of --name). */
function writeupBeside(input: RawInput): WriteupReader {
  const base = dirname(input.path ?? resolve(input.name === "-" ? "." : input.name));
  return (path) => {
    const full = isAbsolute(path) ? path : resolve(base, path);
    return existsSync(full) ? readFileSync(full) : null;
  };
}

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Read one raw input into what the store would hold, touching nothing. Throws InputError. */
export function readInput(input: RawInput, options: ReadOptions = {}): ReadInput {
  const decoded = decodeText(input.bytes);
  if ("error" in decoded) throw new InputError(input.name, decoded.line, `expected ${decoded.error}`);
  // Whole llama-bench JSONL files skip the scanners that cannot claim them (shortcut.ts: the same reading).
  const formats = options.format ? undefined : (shortcutFormats(decoded.text) ?? undefined);
  const reading = readDocument(decoded.text, {name: input.name, format: options.format, runtime: options.runtime, formats, strict: options.strict});
  const writeups = attachWriteups(reading.runs, input.name, options.readWriteup ?? writeupBeside(input), rawExtension);
  const hash = input.sha256 ?? sha256(input.bytes);
  const imported_at = (options.now?.() ?? new Date()).toISOString();
  const tags = options.tags ?? {};
  const source: SourceRecord = {
    sha256: hash,
    name: input.name,
    raw: `raw/${hash}.${rawExtension(input.name)}`,
    bytes: input.bytes.length,
    lines: splitPhysicalLines(decoded.text).length,
    imported_at,
    tags,
    blocks: reading.blocks,
    ignored: reading.ignored,
    ...(writeups.length ? {attachments: writeups.map(({role, sha256, raw}) => ({role, sha256, raw}))} : {})
  };
  const ids = runIds(hash, reading.blocks);
  const runs: Run[] = reading.runs.map(({line_start, line_end, ...parsed}, i) => ({
    schema: SCHEMA_VERSION,
    id: ids[i],
    ...parsed,
    source: {sha256: hash, name: input.name, line_start, line_end},
    imported_at,
    tags: {...tags},
    results: parsed.results
  }));
  return {stored: {schema: SCHEMA_VERSION, source, runs}, reading, attachments: writeups.map(({raw, bytes}) => ({raw, bytes}))};
}

export type ImportOutcome =
  | {name: string; status: "imported"; sha256: string; runs: Run[]; /** Lines skipped, not read ("file: line N: …"). */ warnings?: string[]}
  | {name: string; status: "unchanged"; sha256: string; runs: number; /** Tags given now that the stored input does not have: not applied (retag does that). */ tags_not_applied?: TagsNotApplied}
  | {name: string; status: "failed"; error: Error};

export interface TagsNotApplied {
  given: Record<string, string>;
  stored: Record<string, string>;
}

export interface ImportOptions extends ReadOptions {
  store: Store;
  dryRun?: boolean;
  /** Called once per input as soon as its outcome is final (a progress bar); with --jobs, in the order inputs finish. */
  onOutcome?: (outcome: ImportOutcome) => void;
}

/** Import inputs one by one: each lands whole or not at all; failures don't stop the others. */
export function importInputs(inputs: RawInput[], options: ImportOptions): ImportOutcome[] {
  const seen = new Set<string>();
  return inputs.map((input) => {
    const outcome = importInput(input, options, seen);
    options.onOutcome?.(outcome);
    return outcome;
  });
}

/** One input of importInputs. */
function importInput(input: RawInput, options: ImportOptions, seen: Set<string>): ImportOutcome {
  if (shouldStream(input)) {
    // A huge log is streamed in bounded memory; anything else falls through to a whole read.
    try {
      const streamed = importStreamed(input, options, seen);
      if (streamed) return streamed;
    } catch (error) {
      return {name: input.name, status: "failed", error: error as Error};
    }
  }
  const {outcome, write} = prepareImport(input, options, seen);
  if (write) {
    try {
      if (!options.dryRun) options.store.write(...write);
    } catch (error) {
      return {name: input.name, status: "failed", error: error as Error};
    }
    seen.add(write[1].source.sha256);
  }
  return outcome;
}

/**
 * One input read for import, not yet written: its outcome if the store took
 * it, and for a new input what to write (Store.write's arguments). `seen`
 * holds the inputs of this batch already imported.
 */
export function prepareImport(input: RawInput, options: ImportOptions, seen: Set<string>): {outcome: ImportOutcome; write?: Parameters<Store["write"]>} {
  const hash = input.sha256 ?? sha256(input.bytes);
  if (options.store.has(hash) || seen.has(hash)) {
    const stored = options.store.has(hash) ? options.store.read(hash) : null;
    const given = options.tags ?? {};
    // Re-importing stored bytes adds nothing, tags included: say so rather than drop them silently.
    const differs = stored !== null && Object.entries(given).some(([k, v]) => stored.source.tags[k] !== v);
    return {outcome: {name: input.name, status: "unchanged", sha256: hash, runs: stored?.runs.length ?? 0, ...(differs ? {tags_not_applied: {given, stored: stored.source.tags}} : {})}};
  }
  try {
    const {stored, attachments, reading} = readInput({...input, sha256: hash}, options);
    const warnings = reading.warnings.map((w) => `${input.name}: ${w.message}`);
    return {outcome: {name: input.name, status: "imported", sha256: hash, runs: stored.runs, ...(warnings.length ? {warnings} : {})}, write: [input.bytes, stored, attachments]};
  } catch (error) {
    return {outcome: {name: input.name, status: "failed", error: error as Error}};
  }
}
