/**
 * One export shard on a worker thread (export.ts runShards): runs the task
 * it is given and answers with the shard's result, or with the error.
 */
import {parentPort, workerData} from "node:worker_threads";
import {exportShard, type ShardTask} from "./shard.js";

const port = parentPort;
if (!port) throw new Error("scripts/export/shard-worker.ts runs as a worker thread of export.ts");
try {
  port.postMessage({result: await exportShard(workerData as ShardTask)});
} catch (error) {
  port.postMessage({error: {message: (error as Error).message, stack: (error as Error).stack}});
}
