/**
 * One import worker of the pool (pool.ts): imports the inputs it is sent,
 * one at a time, through the same importInputs a sequential import uses,
 * and answers each with its outcome (runs without their results).
 */
import {parentPort} from "node:worker_threads";
import {Store} from "../store/store.js";
import {importInputs} from "./import.js";
import type {PoolTask} from "./pool.js";
import {replyOf} from "./pool.js";

const port = parentPort;
if (!port) throw new Error("scripts/import/worker.ts runs as a worker thread of pool.ts");
port.on("message", (task: PoolTask) => {
  const [outcome] = importInputs([{name: task.name, bytes: task.bytes, sha256: task.sha256, ...(task.path ? {path: task.path} : {})}], {
    store: new Store(task.root),
    tags: task.tags,
    format: task.format,
    runtime: task.runtime,
    dryRun: task.dryRun,
    now: () => new Date(task.imported_at)
  });
  port.postMessage(replyOf(task.index, outcome));
});
