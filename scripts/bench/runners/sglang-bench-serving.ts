/**
 * `python -m sglang.bench_serving … --output-file F`: the JSONL line it appends is the run's source; the printed
 * result block on stdout is kept beside it, and read instead when the tool failed before writing.
 */
import {join} from "node:path";
import {SERVING_RESULT_OPTIONS, servingTest} from "../cells.js";
import {wrapperRunner} from "./wrapper.js";

export const sglangBenchServingRunner = wrapperRunner({
  id: "sglang-bench-serving",
  tool: "sglang-bench-serving",
  runtime: "sglang",
  binary: ["python3", "-m", "sglang.bench_serving"],
  // `python3 -m sglang.bench_serving`: ask the same interpreter.
  version: (binary) => (binary.includes("-m") ? [binary[0], "-c", "import sglang; print(sglang.__version__)"] : null),
  reserved: {"--output-file": SERVING_RESULT_OPTIONS},
  modelOption: "--model",
  repetitionOption: null,
  expected: (o) => [
    servingTest(
      o,
      ["--random-input-len", "--random-input"],
      ["--random-output-len", "--random-output", "--sharegpt-output-len"]
    )
  ],
  resultArgs: (dir, cell) => ({
    args: ["--output-file", join(dir, `${cell.id}.jsonl`)],
    path: join(dir, `${cell.id}.jsonl`),
    name: `${cell.id}.sglang.jsonl`
  }),
  formats: {result: "sglang-bench-serving-jsonl", stdout: "sglang-bench-serving-text"}
});
