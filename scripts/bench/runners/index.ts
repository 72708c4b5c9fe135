/** Every runner, by the plan's `runner:` name. */
import type {Runner} from "../types.js";
import {endpointRunner} from "./endpoint.js";
import {llamaBenchRunner} from "./llama-bench.js";
import {mlxBenchmarkRunner} from "./mlx-benchmark.js";
import {sglangBenchServingRunner} from "./sglang-bench-serving.js";
import {vllmBenchServeRunner} from "./vllm-bench-serve.js";

export const RUNNERS: Record<string, Runner> = {
  "llama-bench": llamaBenchRunner,
  endpoint: endpointRunner,
  "vllm-bench-serve": vllmBenchServeRunner,
  "sglang-bench-serving": sglangBenchServingRunner,
  "mlx-benchmark": mlxBenchmarkRunner
};
