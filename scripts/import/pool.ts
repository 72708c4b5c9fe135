/**
 * `import --jobs N`: inputs read on worker threads exactly as a one-by-one import reads them. What the order of a
 * sequential import decides (duplicates within the batch, import times, streamed huge files, write order) is
 * decided here, in input order, so outcomes never depend on which worker is faster.
 */
import {availableParallelism} from "node:os";
import {Worker} from "node:worker_threads";
import {InputError} from "../document/read.js";
import type {Run} from "../schema/schema.js";
import {writeStoreFiles, type StoreFile} from "../store/store.js";
import type {ImportOptions, ImportOutcome, RawInput, TagsNotApplied} from "./import.js";
import {importInputs, sha256} from "./import.js";
import {shouldStream} from "./stream.js";

/** A task for a worker: one input and how to import it. */
export interface PoolTask {
  index: number;
  name: string;
  bytes: Uint8Array;
  sha256: string;
  /** The file on disk, when there is one: a hand-entered file's writeup is found beside it. */
  path?: string;
  root: string;
  imported_at: string;
  tags?: Record<string, string>;
  format?: string;
  runtime?: string | null;
  strict?: boolean;
  dryRun?: boolean;
}

/** A worker's answer: the outcome with runs stripped of their results, and a new input's files to store (none on a dry run). */
export type PoolReply =
  | {
      index: number;
      status: "imported";
      sha256: string;
      runs: (Omit<Run, "results"> & {results: number})[];
      warnings?: string[];
      files?: StoreFile[];
    }
  | {index: number; status: "unchanged"; sha256: string; runs: number; tags_not_applied?: TagsNotApplied}
  | {
      index: number;
      status: "failed";
      error: {name: string; message: string; file?: string; line?: number; detail?: string};
    };

/** Fewer inputs than this, or fewer bytes, are imported on this thread: starting workers costs more. */
export const POOL_MIN_INPUTS = 8;
export const POOL_MIN_BYTES = 8 * 1024 * 1024;

/** `--jobs` when not given: the cores there are (at most 4) for large batches, else 1. */
export function defaultJobs(inputs: RawInput[]): number {
  const small = inputs.filter((i) => !shouldStream(i));
  const bytes = small.reduce((n, i) => n + (i.size ?? i.bytes.length), 0);
  return small.length >= POOL_MIN_INPUTS && bytes >= POOL_MIN_BYTES ? Math.min(4, availableParallelism()) : 1;
}

function withoutResults(run: Run): Omit<Run, "results"> & {results: number} {
  return {...run, results: run.results.length};
}

/**
 * The buffers of `views` that can move to another thread instead of being
 * copied: those a view covers whole (not a slice of Node's shared pool), each once.
 */
export function movable(views: Uint8Array[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const view of views)
    if (view.byteOffset === 0 && view.byteLength === view.buffer.byteLength && view.buffer instanceof ArrayBuffer)
      buffers.add(view.buffer);
  return [...buffers];
}

/** Strip an outcome for the trip back from a worker. */
export function replyOf(index: number, outcome: ImportOutcome, files?: StoreFile[]): PoolReply {
  if (outcome.status === "imported")
    return {
      index,
      status: "imported",
      sha256: outcome.sha256,
      runs: outcome.runs.map(withoutResults),
      ...(outcome.warnings ? {warnings: outcome.warnings} : {}),
      ...(files ? {files} : {})
    };
  if (outcome.status === "unchanged")
    return {
      index,
      status: "unchanged",
      sha256: outcome.sha256,
      runs: outcome.runs,
      ...(outcome.tags_not_applied ? {tags_not_applied: outcome.tags_not_applied} : {})
    };
  const error = outcome.error;
  return {
    index,
    status: "failed",
    error:
      error instanceof InputError
        ? {name: error.name, message: error.message, file: error.file, line: error.line, detail: error.detail}
        : {name: error.name, message: error.message}
  };
}

/** An answer's outcome once its files are written: a write that fails fails the input, as in a sequential import. */
function stored(name: string, reply: PoolReply): ImportOutcome {
  if (reply.status === "imported" && reply.files) {
    try {
      writeStoreFiles(reply.files);
    } catch (error) {
      return {name, status: "failed", error: error as Error};
    }
  }
  return outcomeOf(name, reply);
}

function outcomeOf(name: string, reply: PoolReply): ImportOutcome {
  if (reply.status === "imported")
    return {
      name,
      status: "imported",
      sha256: reply.sha256,
      runs: reply.runs.map((r) => ({...r, results: new Array(r.results)}) as Run),
      ...(reply.warnings ? {warnings: reply.warnings} : {})
    };
  if (reply.status === "unchanged")
    return {
      name,
      status: "unchanged",
      sha256: reply.sha256,
      runs: reply.runs,
      ...(reply.tags_not_applied ? {tags_not_applied: reply.tags_not_applied} : {})
    };
  const {error} = reply;
  if (error.name === "InputError" && error.file !== undefined && error.line !== undefined && error.detail !== undefined)
    return {name, status: "failed", error: new InputError(error.file, error.line, error.detail)};
  const failure = new Error(error.message);
  failure.name = error.name;
  return {name, status: "failed", error: failure};
}

/** Import `inputs` on `jobs` worker threads; outcomes in input order (see the module comment). */
export async function importInputsPooled(
  inputs: RawInput[],
  options: ImportOptions & {jobs: number}
): Promise<ImportOutcome[]> {
  // One writer at a time (Store.lock), as importInputs.
  return options.dryRun ? pooled(inputs, options) : options.store.withLock(() => pooled(inputs, options));
}

async function pooled(inputs: RawInput[], options: ImportOptions & {jobs: number}): Promise<ImportOutcome[]> {
  const outcomes: (ImportOutcome | undefined)[] = new Array(inputs.length);
  const firstOf = new Map<string, number>();
  const duplicates: {index: number; first: number}[] = [];
  const streamed: number[] = [];
  const now = options.now ?? (() => new Date());
  /** An input's final outcome, reported as it is known (in whatever order the workers finish). */
  const settle = (index: number, outcome: ImportOutcome) => {
    outcomes[index] = outcome;
    options.onOutcome?.(outcome);
  };
  /** The options for inputs imported here one by one: their outcomes are reported through settle. */
  const alone = {...options, onOutcome: undefined};
  let cursor = 0;
  /**
   * The next input a worker reads. Inputs are taken in order, each hashed
   * and decided (streamed, a duplicate, already stored, or a task) as a
   * worker asks: the workers start while the first inputs are hashed.
   */
  const nextTask = (): PoolTask | undefined => {
    while (cursor < inputs.length) {
      const index = cursor++;
      const input = inputs[index];
      if (shouldStream(input)) {
        streamed.push(index);
        continue;
      }
      let hash: string;
      try {
        hash = sha256(input.bytes);
      } catch (error) {
        // An input too large to read whole (limits.ts) fails alone.
        settle(index, {name: input.name, status: "failed", error: error as Error});
        continue;
      }
      const first = firstOf.get(hash);
      if (first !== undefined) {
        duplicates.push({index, first});
        continue;
      }
      firstOf.set(hash, index);
      if (options.store.has(hash)) {
        settle(index, {
          name: input.name,
          status: "unchanged",
          sha256: hash,
          runs: options.store.read(hash).runs.length
        });
        continue;
      }
      return {
        index,
        name: input.name,
        bytes: input.bytes,
        sha256: hash,
        ...(input.path ? {path: input.path} : {}),
        root: options.store.root,
        imported_at: now().toISOString(),
        tags: options.tags,
        format: options.format,
        runtime: options.runtime,
        strict: options.strict,
        dryRun: options.dryRun
      };
    }
    return undefined;
  };

  // A worker per input found to need one, up to `jobs`: a batch already in the store starts none.
  const found: PoolTask[] = [];
  while (found.length < Math.max(1, options.jobs)) {
    const task = nextTask();
    if (!task) break;
    found.push(task);
  }
  const take = () => found.shift() ?? nextTask();
  const workers = found.map(() => new Worker(new URL("./worker-entry.mjs", import.meta.url)));
  try {
    const senders: (() => void)[] = [];
    const done = workers.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          /** Inputs sent to this worker and not yet answered, by index: two, so that the next one is waiting while this thread writes. */
          const sent = new Map<number, string>();
          const send = () => {
            const task = take();
            if (!task) return sent.size === 0 && resolve();
            sent.set(task.index, task.name);
            worker.postMessage(task, movable([task.bytes]));
          };
          worker.on("message", (reply: PoolReply) => {
            sent.delete(reply.index);
            send();
            // The worker reads its next input while this thread writes the files of this one.
            settle(reply.index, stored(inputs[reply.index].name, reply));
          });
          worker.on("error", reject);
          worker.on("exit", (code) =>
            sent.size
              ? reject(
                  new Error(
                    `an import worker stopped (exit code ${code}) while reading ${[...sent.values()].join(", ")}`
                  )
                )
              : resolve()
          );
          senders.push(send);
        })
    );
    // Every worker's first input, then every worker's second: none takes the input another was started for.
    for (const send of [...senders, ...senders]) send();
    await Promise.all(done);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }

  for (const {index, first} of duplicates) {
    const earlier = outcomes[first];
    if (earlier === undefined || earlier.status === "failed") {
      // Read again, as a sequential import would (and fails the same way, under this input's name).
      settle(index, importInputs([inputs[index]], {...alone, now: () => now()})[0]);
    } else {
      const hash = earlier.sha256;
      settle(index, {
        name: inputs[index].name,
        status: "unchanged",
        sha256: hash,
        runs: options.store.has(hash) ? options.store.read(hash).runs.length : 0
      });
    }
  }
  if (streamed.length) {
    const results = importInputs(
      streamed.map((i) => inputs[i]),
      alone
    );
    streamed.forEach((index, k) => settle(index, results[k]));
  }
  return outcomes as ImportOutcome[];
}
