/** Every runner, listed once: a plan's `runner:` names one of them (docs/architecture.md, "Add a runner"). */
import {z} from "zod";
import type {Runner} from "../types.js";
import {endpointRunner} from "./endpoint.js";
import {llamaBenchRunner} from "./llama-bench.js";
import {mlxBenchmarkRunner} from "./mlx-benchmark.js";
import {sglangBenchServingRunner} from "./sglang-bench-serving.js";
import {vllmBenchServeRunner} from "./vllm-bench-serve.js";

const LIST = [
  llamaBenchRunner,
  endpointRunner,
  vllmBenchServeRunner,
  sglangBenchServingRunner,
  mlxBenchmarkRunner
] as const;

export const RUNNERS: Record<string, Runner> = Object.fromEntries(LIST.map((r) => [r.id, r]));

type PlanOf<R> = R extends Runner<infer P> ? P : never;
/** A validated plan of any runner. */
export type Plan = PlanOf<(typeof LIST)[number]>;

/** Every runner's plan schema, told apart by `runner:`. */
export const Plan = z.discriminatedUnion(
  "runner",
  LIST.map((r) => r.plan) as unknown as [z.ZodObject<{runner: z.ZodLiteral<string>}>],
  {
    error: (issue) =>
      issue.code === "invalid_union" ? `expected runner: one of ${LIST.map((r) => r.id).join(", ")}` : undefined
  }
) as unknown as z.ZodType<Plan>;
