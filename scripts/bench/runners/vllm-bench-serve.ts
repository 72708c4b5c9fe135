/**
 * `vllm bench serve … --save-result --result-dir DIR --result-filename F`: the saved JSON is the run's source; the
 * printed `Serving Benchmark Result` block on stdout is kept beside it, and read instead when the tool failed
 * before saving.
 */
import {join} from "node:path";
import {SERVING_RESULT_OPTIONS, servingTest} from "../cells.js";
import {wrapperRunner} from "./wrapper.js";

export const vllmBenchServeRunner = wrapperRunner({
  id: "vllm-bench-serve",
  tool: "vllm-bench-serve",
  runtime: "vllm",
  binary: ["vllm", "bench", "serve"],
  version: (binary) => [binary[0], "--version"],
  reserved: {
    "--save-result": SERVING_RESULT_OPTIONS,
    "--result-dir": SERVING_RESULT_OPTIONS,
    "--result-filename": SERVING_RESULT_OPTIONS,
    "--append-result": SERVING_RESULT_OPTIONS
  },
  modelOption: "--model",
  repetitionOption: null,
  expected: (o) => [servingTest(o, ["--random-input-len", "--input-len"], ["--random-output-len", "--output-len"])],
  resultArgs: (dir, cell) => ({
    args: ["--save-result", "--result-dir", dir, "--result-filename", `${cell.id}.json`],
    path: join(dir, `${cell.id}.json`),
    name: `${cell.id}.vllm.json`
  }),
  formats: {result: "vllm-serve-json", stdout: "vllm-serve-text"}
});
