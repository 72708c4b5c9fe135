/**
 * One import worker of the pool (pool.ts): reads the inputs it is sent, one
 * at a time, as a sequential import does (prepareImport in import.ts), and
 * answers each with its outcome (runs without their results) and the files
 * to store, encoded and in order (Store.files). The pool's main thread writes
 * them while this worker reads its next input: the workers never wait on the disk.
 */
import {parentPort} from "node:worker_threads";
import {Store, type StoreFile} from "../store/store.js";
import {prepareImport} from "./import.js";
import type {PoolTask} from "./pool.js";
import {movable, replyOf} from "./pool.js";

const port = parentPort;
if (!port) throw new Error("scripts/import/worker.ts runs as a worker thread of pool.ts");
port.on("message", (task: PoolTask) => {
  const store = new Store(task.root);
  const options = {
    store,
    tags: task.tags,
    format: task.format,
    runtime: task.runtime,
    strict: task.strict,
    now: () => new Date(task.imported_at)
  };
  const {outcome, write} = prepareImport(
    {name: task.name, bytes: task.bytes, sha256: task.sha256, ...(task.path ? {path: task.path} : {})},
    options,
    new Set()
  );
  const files =
    write && !task.dryRun
      ? store
          .files(...write)
          .map(([path, data]): StoreFile => [path, typeof data === "string" ? Buffer.from(data, "utf8") : data])
      : undefined;
  port.postMessage(replyOf(task.index, outcome, files), movable((files ?? []).map(([, data]) => data as Uint8Array)));
});
