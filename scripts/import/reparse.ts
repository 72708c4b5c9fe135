/**
 * Re-read every stored raw input with the current parsers; ids and provenance stay, and a runs file is
 * rewritten (atomically) only if it changed.
 */
import {existsSync, readFileSync} from "node:fs";
import {join} from "node:path";
import type {WriteupReader} from "../document/writeup.js";
import type {Attachment, Store, StoredInput} from "../store/store.js";
import {serializeInput} from "../store/store.js";
import {writeFileAtomic} from "../store/atomic.js";
import type {Capture, CapturedFile, CellOutcome} from "../schema/capture.js";
import {readCapture} from "./capture.js";
import {readInput, sha256} from "./import.js";

export interface Tally {
  runs: number;
  results: number;
  formats: string[];
}

export type ReparseOutcome =
  | {sha256: string; name: string; status: "changed" | "unchanged"; before: Tally; after: Tally; notes: string[]}
  | {sha256: string; name: string; status: "failed"; before: Tally | null; error: Error};

export interface ReparseOptions {
  /** Read and compare, write nothing. */
  dryRun?: boolean;
}

function tally(input: StoredInput): Tally {
  return {
    runs: input.runs.length,
    results: input.runs.reduce((n, r) => n + r.results.length, 0),
    formats: [...new Set(input.runs.map((r) => r.format))].sort()
  };
}

/** Re-read one stored input; throws InputError (or a plain Error for a damaged store). */
export function reparseInput(store: Store, hash: string): {before: StoredInput; after: StoredInput; notes: string[]} {
  const before = store.read(hash);
  const rawPath = store.rawPath(before.source);
  if (!existsSync(rawPath))
    throw new Error(`${before.source.name}: its raw copy ${before.source.raw} is missing from the store`);
  const bytes = readFileSync(rawPath);
  if (sha256(bytes) !== hash)
    throw new Error(
      `${before.source.name}: its raw copy ${before.source.raw} no longer has sha256 ${hash}; the store is damaged`
    );
  const captured = storedCapture(store, before, bytes);
  // A bench cell is read again as bench read it: with its command, stderr's device lines and capture record.
  if (captured)
    return {
      before,
      after: readCapture(captured.outcome, {
        tags: before.source.tags,
        plan: captured.plan,
        now: () => new Date(before.source.imported_at)
      }).stored,
      notes: []
    };
  const after = readInput(
    {name: before.source.name, bytes},
    {
      tags: before.source.tags,
      ...before.source.read_with,
      redacted: before.source.redactions,
      now: () => new Date(before.source.imported_at),
      readWriteup: storedWriteups(store, before)
    }
  ).stored;
  if (after.source.sha256 !== hash) {
    const found = (after.source.redactions ?? [])
      .slice(before.source.redactions?.length ?? 0)
      .map((r) => `line ${r.line}: ${r.kind}`);
    throw new Error(
      `${before.source.name}: its raw copy holds secrets (${found.join(", ")}), stored before benchbook redacted them; remove ${rawPath} and ${store.runsPath(hash)} and import the file again`
    );
  }
  // Attachments stored at import stay; writeups are as just read.
  const kept = (before.source.attachments ?? []).filter((a) => a.role !== "writeup");
  const attachments = [...kept, ...(after.source.attachments ?? [])];
  if (attachments.length) after.source.attachments = attachments;
  // A store written before `read_with` was recorded does not know a `--runtime` given at import: say where a run lost one.
  const notes: string[] = [];
  for (const run of after.runs) {
    const old = before.runs.find((r) => r.id === run.id);
    if (old?.runtime && !run.runtime)
      notes.push(
        `run ${run.id} had runtime ${old.runtime} and now has none (import it again with --runtime to record it)`
      );
  }
  return {before, after, notes};
}

/**
 * The cell a runner handed to the importer, rebuilt from the store: its
 * capture record (an attachment, or the source itself when the cell printed
 * nothing readable), the captured files and the plan. null: not a bench capture.
 */
function storedCapture(
  store: Store,
  before: StoredInput,
  bytes: Buffer
): {outcome: CellOutcome; plan: {name: string; bytes: Uint8Array} | null} | null {
  if (!before.runs.some((r) => r.extra?.capture)) return null;
  const attachments = before.source.attachments ?? [];
  const read = (a: Attachment) => readFileSync(join(store.root, a.raw));
  const record = attachments.find((a) => a.role === "capture");
  const capture = JSON.parse((record ? read(record) : bytes).toString("utf8")) as Capture;
  if (capture.benchbook_capture !== 1) return null;
  const named = (a: Attachment) => a.name ?? `${capture.cell.id}.${a.role}.${a.raw.split(".").pop()}`;
  const files: CapturedFile[] = attachments
    .filter((a) => a.role !== "capture" && a.role !== "plan")
    .map((a) => ({role: a.role, name: named(a), bytes: read(a)}));
  // The source first: it is the results file the capture names (unless the source is the capture record).
  if (record) files.unshift({role: capture.results_role, name: before.source.name, bytes});
  const plan = attachments.find((a) => a.role === "plan");
  return {outcome: {capture, files}, plan: plan ? {name: named(plan), bytes: read(plan)} : null};
}

/** A hand-entered file's writeup, from the copy the store kept at import (found through the runs that named it). */
function storedWriteups(store: Store, before: StoredInput): WriteupReader {
  return (path) => {
    const named = before.runs
      .map((r) => r.extra.writeup as {path?: string; sha256?: string} | undefined)
      .find((w) => w?.path === path && w.sha256);
    const attachment = (before.source.attachments ?? []).find(
      (a) => a.role === "writeup" && a.sha256 === named?.sha256
    );
    const file = attachment ? join(store.root, attachment.raw) : null;
    return file && existsSync(file) ? readFileSync(file) : null;
  };
}

/** Re-read every input; failures leave that input's runs file as it was and do not stop the others. */
export function reparseStore(store: Store, options: ReparseOptions = {}): ReparseOutcome[] {
  return store.inputs().map((hash): ReparseOutcome => {
    let before = null as StoredInput | null;
    try {
      // Read and rewritten under the store's lock: a retag meanwhile would otherwise be undone.
      return store.withLock((): ReparseOutcome => {
        before = store.read(hash);
        const {after, notes} = reparseInput(store, hash);
        const text = serializeInput(after);
        const changed = text !== readFileSync(store.runsPath(hash), "utf8");
        if (changed && !options.dryRun) writeFileAtomic(store.runsPath(hash), text);
        return {
          sha256: hash,
          name: after.source.name,
          status: changed ? "changed" : "unchanged",
          before: tally(before),
          after: tally(after),
          notes
        };
      });
    } catch (error) {
      return {
        sha256: hash,
        name: before?.source.name ?? hash,
        status: "failed",
        before: before ? tally(before) : null,
        error: error as Error
      };
    }
  });
}
