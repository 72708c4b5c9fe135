/**
 * `python -m sglang.bench_serving … --output-file F`: the JSONL line it
 * appends is the run's source (format sglang-bench-serving-jsonl); the
 * printed result block on stdout is kept beside it, and read instead when
 * the tool failed before writing.
 */
import {join} from "node:path";
import {wrapperRunner} from "./wrapper.js";

export const sglangBenchServingRunner = wrapperRunner({
  kind: "sglang-bench-serving",
  resultArgs: (dir, cell) => ({
    args: ["--output-file", join(dir, `${cell.id}.jsonl`)],
    path: join(dir, `${cell.id}.jsonl`),
    name: `${cell.id}.sglang.jsonl`
  }),
  resultFormat: "sglang-bench-serving-jsonl",
  stdoutFormat: "sglang-bench-serving-text"
});
