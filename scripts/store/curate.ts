/**
 * Retagging and removing stored inputs (tags belong to an input, so a run stands for its input). remove deletes
 * the runs file first, the commit point, then raw copies and attachments nothing else uses.
 */
import {rmSync} from "node:fs";
import {basename, join} from "node:path";
import {writeFileAtomic} from "./atomic.js";
import type {Store, StoredInput} from "./store.js";
import {serializeInput} from "./store.js";

/** An input named on the command line, and which name matched it. */
export interface Selected {
  input: StoredInput;
  /** What selected it: `run <id>`, `input <sha256 prefix>`, `file <name>`. */
  by: string[];
}

/**
 * Inputs named by run ids, run id prefixes, sha256 prefixes (4 hex or more)
 * or file names as imported (or their base names). A name that matches nothing is an error.
 */
export function selectInputs(store: Store, names: string[]): {selected: Selected[]; unmatched: string[]} {
  const inputs = [...store.readAll()];
  const chosen = new Map<string, Selected>();
  const unmatched: string[] = [];
  for (const name of names) {
    const matches: [StoredInput, string][] = [];
    for (const input of inputs) {
      const run =
        input.runs.find((r) => r.id === name) ??
        (name.includes("-L") ? input.runs.find((r) => r.id.startsWith(name)) : undefined);
      if (run) matches.push([input, `run ${run.id}`]);
      else if (/^[0-9a-f]{4,64}$/.test(name) && input.source.sha256.startsWith(name))
        matches.push([input, `input ${name}`]);
      else if (input.source.name === name || basename(input.source.name) === name)
        matches.push([input, `file ${name}`]);
    }
    if (matches.length === 0) unmatched.push(name);
    for (const [input, by] of matches) {
      const entry = chosen.get(input.source.sha256) ?? {input, by: []};
      entry.by.push(by);
      chosen.set(input.source.sha256, entry);
    }
  }
  return {selected: [...chosen.values()], unmatched};
}

export interface TagChange {
  /** Tags to add or change (key → value). */
  set: Record<string, string>;
  /** Tag keys to remove. */
  remove: string[];
}

export interface RetagOutcome {
  sha256: string;
  name: string;
  runs: string[];
  by: string[];
  before: Record<string, string>;
  after: Record<string, string>;
  changed: boolean;
}

function applyTags(tags: Record<string, string>, change: TagChange): Record<string, string> {
  const out = {...tags};
  for (const key of change.remove) delete out[key];
  Object.assign(out, change.set);
  return out;
}

const sameTags = (a: Record<string, string>, b: Record<string, string>) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/** Change the tags of the selected inputs and all their runs; each changed input's runs file is rewritten atomically. */
export function retag(
  store: Store,
  selected: Selected[],
  change: TagChange,
  options: {dryRun?: boolean} = {}
): RetagOutcome[] {
  // Each input is read again under the store's lock: another writer may have changed it since it was selected.
  return locked(store, options, () =>
    selected.map(({input: named, by}) => {
      const input = options.dryRun ? named : store.read(named.source.sha256);
      const before = input.source.tags;
      const after = applyTags(before, change);
      // Runs could in principle carry other tags than their input (older stores): each is changed the same way.
      const changed =
        !sameTags(before, after) || input.runs.some((run) => !sameTags(run.tags, applyTags(run.tags, change)));
      if (changed && !options.dryRun) {
        const updated: StoredInput = {
          ...input,
          source: {...input.source, tags: after},
          runs: input.runs.map((run) => ({...run, tags: applyTags(run.tags, change)}))
        };
        writeFileAtomic(store.runsPath(input.source.sha256), serializeInput(updated));
      }
      return {
        sha256: input.source.sha256,
        name: input.source.name,
        runs: input.runs.map((r) => r.id),
        by,
        before,
        after,
        changed
      };
    })
  );
}

/** `fn` under the store's write lock, unless nothing is written. */
function locked<T>(store: Store, options: {dryRun?: boolean}, fn: () => T): T {
  return options.dryRun ? fn() : store.withLock(fn);
}

export interface RemoveOutcome {
  sha256: string;
  name: string;
  runs: string[];
  results: number;
  by: string[];
  /** Files deleted (or that would be), relative to the store root: the runs file first. */
  files: string[];
}

/** Remove the selected inputs: runs file first (the commit point), then the raw copy and attachments no remaining input references. */
export function removeInputs(store: Store, selected: Selected[], options: {dryRun?: boolean} = {}): RemoveOutcome[] {
  return locked(store, options, () => removeLocked(store, selected, options));
}

function removeLocked(store: Store, selected: Selected[], options: {dryRun?: boolean}): RemoveOutcome[] {
  const removing = new Set(selected.map((s) => s.input.source.sha256));
  const stillUsed = new Set<string>();
  for (const input of store.readAll()) {
    if (removing.has(input.source.sha256)) continue;
    stillUsed.add(input.source.raw);
    for (const a of input.source.attachments ?? []) stillUsed.add(a.raw);
  }
  const deleted = new Set<string>();
  return selected.map(({input, by}) => {
    const runsFile = join("runs", `${input.source.sha256}.json`);
    const files = [runsFile];
    for (const path of [input.source.raw, ...(input.source.attachments ?? []).map((a) => a.raw)]) {
      if (!stillUsed.has(path) && !deleted.has(path)) {
        files.push(path);
        deleted.add(path);
      }
    }
    if (!options.dryRun) for (const path of files) rmSync(join(store.root, path), {force: true});
    return {
      sha256: input.source.sha256,
      name: input.source.name,
      runs: input.runs.map((r) => r.id),
      results: input.runs.reduce((n, r) => n + r.results.length, 0),
      by,
      files
    };
  });
}
