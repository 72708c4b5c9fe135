/**
 * Synthetic llama-bench builds for the history tests: `llama-bench -o jsonl`
 * output of one invocation per build, each record shaped exactly like a real
 * one (the fields, their order and the settings of
 * test/fixtures/compare/llama-bench-de3ff81.json, a real CPU run), with
 * repetitions drawn around a level the test chooses.
 */
import {createHash} from "node:crypto";
import {fixtureText} from "../helpers/fixtures.js";

type Record = {[field: string]: unknown};

/** A deterministic generator (LCG) and standard normal draws from it (Box–Muller). */
export function normal(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 1) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

export interface Test {
  n_prompt: number;
  n_gen: number;
  n_depth: number;
  /** Mean tokens/s of build i (0-based). */
  level: (build: number) => number;
}

/** A build's commit: 7 hex digits, as llama-bench prints it. */
export const commitOf = (build: number) => createHash("sha1").update(`build ${build}`).digest("hex").slice(0, 7);

/** The JSONL text build `build` (0-based; its build_number is build + 1000) prints for `tests`, with `reps` repetitions of coefficient of variation `cv` each. */
export function buildOutput(build: number, tests: Test[], {reps = 5, cv = 0.01, seed = 1} = {}): string {
  const template = (JSON.parse(fixtureText("compare/llama-bench-de3ff81.json")) as Record[])[0];
  const draw = normal(seed * 7919 + build);
  return tests
    .map((test, t) => {
      const tokens = test.n_gen === 0 ? test.n_prompt : test.n_gen;
      const samples_ts = Array.from({length: reps}, () => +(test.level(build) * (1 + cv * draw())).toFixed(6));
      const samples_ns = samples_ts.map((ts) => Math.round((tokens * 1e9) / ts));
      const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
      const sd = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
      const record: Record = {
        ...template,
        build_commit: commitOf(build),
        build_number: 1000 + build,
        n_prompt: test.n_prompt,
        n_gen: test.n_gen,
        n_depth: test.n_depth,
        test_time: new Date(Date.UTC(2026, 10, 1 + build, 3, 0, t)).toISOString().replace(".000", ""),
        avg_ns: Math.round(mean(samples_ns)),
        stddev_ns: Math.round(sd(samples_ns)),
        avg_ts: +mean(samples_ts).toFixed(6),
        stddev_ts: +sd(samples_ts).toFixed(6),
        samples_ns,
        samples_ts
      };
      return JSON.stringify(record);
    })
    .join("\n")
    .concat("\n");
}
