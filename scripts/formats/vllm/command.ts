import type {BenchProgram} from "../serving/bench-command.js";

/** `vllm bench serve` (argv `bench serve …`). */
export const VLLM_BENCH: BenchProgram = {
  parsed: (c) => (c.program === "vllm" && c.argv[0] === "bench" && c.argv[1] === "serve" ? 2 : null),
  inline: /\b(?:vllm\s+bench\s+serve|benchmark_serving\.py)\b/
};

/** The options that set the prompt and output lengths. */
export const VLLM_LENGTHS = {
  input: ["--random-input-len", "--input-len"],
  output: ["--random-output-len", "--output-len"]
};
