/**
 * `vllm bench serve … --save-result --result-dir DIR --result-filename F`:
 * the saved JSON is the run's source (format vllm-serve-json); the printed
 * `Serving Benchmark Result` block on stdout is kept beside it, and read
 * instead when the tool failed before saving.
 */
import {join} from "node:path";
import {wrapperRunner} from "./wrapper.js";

export const vllmBenchServeRunner = wrapperRunner({
  kind: "vllm-bench-serve",
  resultArgs: (dir, cell) => ({
    args: ["--save-result", "--result-dir", dir, "--result-filename", `${cell.id}.json`],
    path: join(dir, `${cell.id}.json`),
    name: `${cell.id}.vllm.json`
  }),
  resultFormat: "vllm-serve-json",
  stdoutFormat: "vllm-serve-text"
});
