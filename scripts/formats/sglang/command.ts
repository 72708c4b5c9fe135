import type {BenchProgram} from "../serving/bench-command.js";

/** `python -m sglang.bench_serving`. */
export const SGLANG_BENCH_SERVING: BenchProgram = {
  parsed: (c) => (c.program === "sglang.bench_serving" ? 0 : null),
  inline: /\bsglang\.bench_serving\b/
};

/** `python -m sglang.bench_one_batch`. */
export const SGLANG_ONE_BATCH: BenchProgram = {
  parsed: (c) => (c.program === "sglang.bench_one_batch" ? 0 : null),
  inline: /\bsglang\.bench_one_batch\b/
};
