/**
 * The one import path: every raw input — a file, pasted text, a runner's
 * captured output — goes through here into the store.
 */
import {createHash} from "node:crypto";
import {existsSync, readFileSync, realpathSync} from "node:fs";
import {dirname, isAbsolute, relative, resolve} from "node:path";
import type {DocumentReading} from "../document/read.js";
import {InputError, readDocument} from "../document/read.js";
import {splitPhysicalLines} from "../document/lines.js";
import type {WriteupReader} from "../document/writeup.js";
import {attachWriteups} from "../document/writeup.js";
import type {Run} from "../schema/schema.js";
import type {SourceRecord, StoredInput, Store} from "../store/store.js";
import {rawExtension} from "../store/store.js";
import type {Redaction} from "../context/redact.js";
import {redactSecrets} from "../context/redact.js";
import {decodeText, encodeLike} from "./decode.js";
import {checkJsonKeys, checkShape, checkValues} from "./limits.js";
import {shortcutFormats} from "./shortcut.js";
import {storedInput} from "./stored-input.js";
import {importStreamed, shouldStream} from "./stream.js";
import type {PlainReading} from "./fast-path.js";
import {readPlainInput} from "./fast-path.js";

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
  /** Secrets replaced when the input was first imported (reparse reads the redacted copy, where none are left to find). */
  redacted?: Redaction[];
  /** The redaction (default redactSecrets); injected only by perf/redaction.ts, to time a read without it. */
  redact?: typeof redactSecrets;
  /** false: read a plain llama-bench JSONL or CSV file through the document reader too (fast-path.ts; tests and perf compare both). */
  fastPath?: boolean;
}

export interface ReadInput {
  stored: StoredInput;
  /** The bytes to store: the input's, with any secret replaced (then `stored.source.sha256` is theirs). */
  raw: Uint8Array;
  reading: DocumentReading;
  /** Files stored beside the input (a hand-entered file's writeup); their paths are in stored.source.attachments. */
  attachments: {raw: string; bytes: Uint8Array}[];
  /** Read by the fast path (fast-path.ts): its runs are what the runs file reads back as. */
  plain: boolean;
}

/**
 * A writeup path relative to the input's folder (standard input: the current
 * directory, or the folder of --name), never outside it: an observations file
 * from elsewhere must not pull ~/.ssh/id_rsa into the store and onto the site.
 */
function writeupBeside(input: RawInput): WriteupReader {
  const base = dirname(input.path ?? resolve(input.name === "-" ? "." : input.name));
  return (path) => {
    const full = resolve(base, path);
    if (!existsSync(full)) return null;
    const inside = relative(realpathSync(base), realpathSync(full));
    if (isAbsolute(path) || inside.startsWith("..") || isAbsolute(inside))
      throw new Error(
        `expected a file inside the observations file's folder ${base}; ${JSON.stringify(path)} is outside it (copy the writeup beside the observations file)`
      );
    return readFileSync(full);
  };
}

/** Secrets replaced in a writeup too, as in the input itself. */
function redactedWriteups(read: WriteupReader): WriteupReader {
  return (path) => {
    const bytes = read(path);
    if (!bytes) return bytes;
    const decoded = decodeText(bytes);
    if ("error" in decoded) return bytes;
    const {text, redactions} = redactSecrets(decoded.text);
    return redactions.length ? encodeLike(bytes, text) : bytes;
  };
}

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The source record's `read_with`: what reparse must pass again to read the input as the import did. */
export function readWith(options: ReadOptions): SourceRecord["read_with"] {
  if (!options.format && !options.runtime) return undefined;
  return {...(options.format ? {format: options.format} : {}), ...(options.runtime ? {runtime: options.runtime} : {})};
}

/** Read one raw input into what the store would hold, touching nothing. Throws InputError. */
export function readInput(input: RawInput, options: ReadOptions = {}): ReadInput {
  // A plain llama-bench JSONL or CSV file is read without the document reader, to the same runs (fast-path.ts).
  const plain = readPlainInput(input.bytes, options);
  return plain
    ? {...readInputAs(input, options, plain), plain: true}
    : {...readInputAs(input, options, readGeneral(input, options)), plain: false};
}

/** The general path: any input, through the document reader. */
function readGeneral(input: RawInput, options: ReadOptions): PlainReading & {found: Redaction[]; raw: Uint8Array} {
  const decoded = decodeText(input.bytes);
  if ("error" in decoded) throw new InputError(input.name, decoded.line, `expected ${decoded.error}`);
  checkShape(input.name, decoded.text);
  // Secrets go before anything is read or written; line numbers stay, so every value still points at its line.
  const {text, redactions: found} = (options.redact ?? redactSecrets)(decoded.text);
  const raw = found.length ? encodeLike(input.bytes, text) : input.bytes;
  // Whole llama-bench JSONL files skip the scanners that cannot claim them (shortcut.ts: the same reading).
  const formats = options.format ? undefined : (shortcutFormats(text) ?? undefined);
  const reading = readDocument(text, {
    name: input.name,
    format: options.format,
    runtime: options.runtime,
    formats,
    strict: options.strict
  });
  checkValues(input.name, reading.runs);
  checkJsonKeys(input.name, text, reading.blocks);
  return {text, lines: splitPhysicalLines(text).length, reading, found, raw};
}

/** What the store holds for an input read either way. */
function readInputAs(
  input: RawInput,
  options: ReadOptions,
  {reading, lines, found = [], raw = input.bytes}: PlainReading & {found?: Redaction[]; raw?: Uint8Array}
): Omit<ReadInput, "plain"> {
  const redactions = [...(options.redacted ?? []), ...found];
  const writeups = attachWriteups(
    reading.runs,
    input.name,
    redactedWriteups(options.readWriteup ?? writeupBeside(input)),
    rawExtension
  );
  // The store names an input by the hash of what it stores: the same input redacts the same way, so its id stays stable.
  const hash = found.length ? sha256(raw) : (input.sha256 ?? sha256(input.bytes));
  const stored = storedInput(
    {
      sha256: hash,
      name: input.name,
      bytes: raw.length,
      lines,
      imported_at: (options.now?.() ?? new Date()).toISOString(),
      tags: options.tags ?? {},
      blocks: reading.blocks,
      ignored: reading.ignored,
      read_with: readWith(options),
      attachments: writeups.length ? writeups.map(({role, sha256, raw}) => ({role, sha256, raw})) : undefined,
      redactions
    },
    reading.runs
  );
  return {stored, raw, reading, attachments: writeups.map(({raw, bytes}) => ({raw, bytes}))};
}

export type ImportOutcome =
  | {
      name: string;
      status: "imported";
      sha256: string;
      runs: Run[];
      /** Lines skipped, not read ("file: line N: …"). */ warnings?: string[];
      /**
       * The runs file's key (Store.runsKey) right after it was written, and
       * what it holds: for the index (SyncOptions.fresh), only where the runs
       * read back from JSON the same (the fast path's).
       */
      written?: [key: string, input: StoredInput];
    }
  | {
      name: string;
      status: "unchanged";
      sha256: string;
      runs: number;
      /** Tags given now that the stored input does not have: not applied (retag does that). */ tags_not_applied?: TagsNotApplied;
    }
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
  const run = () =>
    inputs.map((input) => {
      const outcome = importInput(input, options, seen);
      options.onOutcome?.(outcome);
      return outcome;
    });
  // One writer at a time (Store.lock): what is in the store is checked and written under one lock.
  return options.dryRun ? run() : options.store.withLock(run);
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
  const {outcome, write, plain} = prepareImport(input, options, seen);
  if (write) {
    try {
      if (!options.dryRun) {
        options.store.write(...write);
        const key = plain && options.store.runsKey(write[1].source.sha256);
        if (key && outcome.status === "imported") outcome.written = [key, write[1]];
      }
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
export function prepareImport(
  input: RawInput,
  options: ImportOptions,
  seen: Set<string>
): {outcome: ImportOutcome; write?: Parameters<Store["write"]>; plain?: boolean} {
  try {
    const hash = input.sha256 ?? sha256(input.bytes);
    if (options.store.has(hash) || seen.has(hash)) {
      const stored = options.store.has(hash) ? options.store.read(hash) : null;
      const given = options.tags ?? {};
      // Re-importing stored bytes adds nothing, tags included: say so rather than drop them silently.
      const differs = stored !== null && Object.entries(given).some(([k, v]) => stored.source.tags[k] !== v);
      return {
        outcome: {
          name: input.name,
          status: "unchanged",
          sha256: hash,
          runs: stored?.runs.length ?? 0,
          ...(differs ? {tags_not_applied: {given, stored: stored.source.tags}} : {})
        }
      };
    }
    const {stored, raw, attachments, reading, plain} = readInput({...input, sha256: hash}, options);
    // A redacted input is stored under the hash of its redacted bytes: that copy may be in the store already.
    const stored_hash = stored.source.sha256;
    if (stored_hash !== hash && (options.store.has(stored_hash) || seen.has(stored_hash))) {
      return {
        outcome: {
          name: input.name,
          status: "unchanged",
          sha256: stored_hash,
          runs: options.store.has(stored_hash) ? options.store.read(stored_hash).runs.length : 0
        }
      };
    }
    const warnings = reading.warnings.map((w) => `${input.name}: ${w.message}`);
    return {
      outcome: {
        name: input.name,
        status: "imported",
        sha256: stored_hash,
        runs: stored.runs,
        ...(warnings.length ? {warnings} : {})
      },
      write: [raw, stored, attachments],
      plain
    };
  } catch (error) {
    return {outcome: {name: input.name, status: "failed", error: error as Error}};
  }
}
