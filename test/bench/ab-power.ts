/**
 * The power of an A/B run (docs/bench.md, "A/B runs"), by simulation: how
 * often `benchbook bench`'s A/B test (testSides) detects a change of B
 * against A, with `rounds` invocations per side whose values scatter by
 * `cv` around their level; and what drift does to interleaved and blocked
 * orders. Prints the docs' table:
 *   node --import tsx test/bench/ab-power.ts [draws]
 */
import {testSides} from "../../scripts/bench/ab-compare.js";
import {normal} from "../history/llama-bench-builds.js";

export interface Case {
  /** B's level over A's (0.97: a 3% drop). */
  ratio: number;
  /** Coefficient of variation of one invocation's value. */
  cv: number;
  rounds: number;
  /** Linear drift over the whole run, as a fraction of the level (0.03: the last invocation 3% above the first). */
  drift?: number;
  /** "interleaved": A B A B …; "blocked": A A … B B …. */
  order?: "interleaved" | "blocked";
}

/** How many of `draws` simulated runs detect a change, and the median detectable change. */
export function simulate(
  c: Case,
  draws: number,
  seed = 1
): {detected: number; draws: number; medianDetectable: number} {
  const draw = normal(seed);
  const total = 2 * c.rounds;
  let detected = 0;
  const detectable: number[] = [];
  for (let d = 0; d < draws; d++) {
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < total; i++) {
      const isB = c.order === "blocked" ? i >= c.rounds : i % 2 === 1;
      const level = 100 * (isB ? c.ratio : 1) * (1 + ((c.drift ?? 0) * i) / (total - 1));
      (isB ? b : a).push(level * (1 + c.cv * draw()));
    }
    const test = testSides(a, b);
    if (test.detected) detected++;
    detectable.push(test.detectable!);
  }
  detectable.sort((x, y) => x - y);
  return {detected, draws, medianDetectable: detectable[Math.floor(draws / 2)]};
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const draws = Number(process.argv[2] ?? 2000);
  const pct = (x: number) => `${+(x * 100).toFixed(2)}%`;
  console.log(
    "| invocation sd | rounds | 3% drop detected | no change flagged | median detectable change (95% power) |\n|---|---|---|---|---|"
  );
  for (const rounds of [5, 3]) {
    for (const cv of [0.003, 0.005, 0.01, 0.015]) {
      const change = simulate({ratio: 0.97, cv, rounds}, draws, 1);
      const none = simulate({ratio: 1, cv, rounds}, draws, 2);
      console.log(
        `| ${pct(cv)} | ${rounds} | ${change.detected} / ${draws} | ${none.detected} / ${draws} | ±${pct(change.medianDetectable)} |`
      );
    }
  }
  console.log("\n| 1% sd, no change, 3% linear drift over the run | flagged |\n|---|---|");
  for (const order of ["interleaved", "blocked"] as const)
    console.log(
      `| ${order} | ${simulate({ratio: 1, cv: 0.01, rounds: 5, drift: 0.03, order}, draws, 3).detected} / ${draws} |`
    );
}
