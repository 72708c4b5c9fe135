/**
 * Merging stores: files are named by content, so merging copies what is missing, runs files last. The same input
 * imported twice keeps the earlier import (order-independent); any other difference is a conflict, reported.
 */
import {existsSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {writeFileAtomic} from "./atomic.js";
import type {StoredInput} from "./store.js";
import {Store} from "./store.js";

export interface MergeConflict {
  sha256: string;
  /** The file that differs, relative to the store root. */
  path: string;
  reason: string;
}

export interface MergeReport {
  from: string;
  /** Inputs copied in (their runs file was missing here). */
  added: string[];
  /** Inputs both stores had, the other's import being earlier: its runs file replaced ours. */
  earlier: string[];
  /** Inputs both stores had identically (or ours was imported earlier). */
  unchanged: number;
  conflicts: MergeConflict[];
}

export function mergeStore(target: Store, other: Store, options: {dryRun?: boolean} = {}): MergeReport {
  return options.dryRun
    ? mergeLocked(target, other, options)
    : target.withLock(() => mergeLocked(target, other, options));
}

function mergeLocked(target: Store, other: Store, options: {dryRun?: boolean}): MergeReport {
  const report: MergeReport = {from: other.root, added: [], earlier: [], unchanged: 0, conflicts: []};
  for (const sha of other.inputs()) {
    const theirBytes = readFileSync(other.runsPath(sha));
    const theirs = other.parse(sha, theirBytes);
    const files = referencedFiles(theirs);
    const clash = files.find(
      (path) =>
        existsSync(join(target.root, path)) &&
        !readFileSync(join(target.root, path)).equals(readFileSync(join(other.root, path)))
    );
    if (clash) {
      report.conflicts.push({
        sha256: sha,
        path: clash,
        reason: "a content-addressed file has other bytes here (a damaged copy in one of the stores?)"
      });
      continue;
    }
    const missing = files.filter((path) => !existsSync(join(target.root, path)));
    for (const path of missing)
      if (!existsSync(join(other.root, path)))
        report.conflicts.push({
          sha256: sha,
          path,
          reason: `missing from ${other.root} too: the other store is incomplete`
        });
    if (report.conflicts.some((c) => c.sha256 === sha)) continue;

    let replace = false;
    if (target.has(sha)) {
      const ourBytes = readFileSync(target.runsPath(sha));
      if (ourBytes.equals(theirBytes)) {
        report.unchanged++;
        continue;
      }
      const ours = target.parse(sha, ourBytes);
      if (JSON.stringify(withoutImportTimes(ours)) !== JSON.stringify(withoutImportTimes(theirs))) {
        report.conflicts.push({sha256: sha, path: `runs/${sha}.json`, reason: differenceOf(ours, theirs)});
        continue;
      }
      if (ours.source.imported_at <= theirs.source.imported_at) {
        report.unchanged++;
        continue;
      }
      replace = true;
    }
    if (!options.dryRun) {
      for (const path of missing) writeFileAtomic(join(target.root, path), readFileSync(join(other.root, path)));
      writeFileAtomic(target.runsPath(sha), theirBytes);
    }
    (replace ? report.earlier : report.added).push(sha);
  }
  return report;
}

/** The raw input and attachments a runs file names, relative to the store root. */
function referencedFiles(input: StoredInput): string[] {
  return [...new Set([...(input.source.attachments ?? []).map((a) => a.raw), input.source.raw])];
}

function withoutImportTimes(input: StoredInput): unknown {
  const {imported_at: _source, ...source} = input.source;
  return {...input, source, runs: input.runs.map(({imported_at: _run, ...run}) => run)};
}

function differenceOf(ours: StoredInput, theirs: StoredInput): string {
  if (JSON.stringify(ours.source.tags) !== JSON.stringify(theirs.source.tags))
    return `tags differ (here ${JSON.stringify(ours.source.tags)}, there ${JSON.stringify(theirs.source.tags)})`;
  if (ours.runs.length !== theirs.runs.length)
    return `read as ${ours.runs.length} runs here and ${theirs.runs.length} there (another benchbook version? \`benchbook reparse\` both first)`;
  return "the runs read from the same input differ (another benchbook version? `benchbook reparse` both first)";
}

export function openStore(root: string): Store {
  if (!existsSync(join(root, "runs"))) throw new Error(`${root}: not a benchbook store (no runs/ folder)`);
  return new Store(root);
}
