/** One import worker of pool.ts: reads its inputs as a sequential import does and sends back outcome and files. */
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
