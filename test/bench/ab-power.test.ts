/**
 * The power claim of A/B runs (docs/bench.md): with 5 rounds (5 invocations
 * per side) and llama-bench's usual tg spread of 0.3–1% per invocation, a 3%
 * change is detected at 95% confidence in at least 95% of runs, while a run
 * with no change is flagged in about 5%; interleaving keeps drift from
 * looking like a change. Simulated with the test `benchbook bench` uses.
 */
import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {testSides} from "../../scripts/bench/ab-compare.js";
import {simulate} from "./ab-power.js";

const DRAWS = 2000;

describe("A/B power", () => {
  for (const cv of [0.003, 0.005, 0.01]) {
    for (const ratio of [0.97, 1.03]) {
      it(`detects a ${ratio < 1 ? "3% drop" : "3% gain"} with 5 rounds at ${cv * 100}% sd per invocation in ≥ 95% of runs`, () => {
        const {detected} = simulate({ratio, cv, rounds: 5}, DRAWS, 11);
        assert.ok(detected / DRAWS >= 0.95, `${detected} / ${DRAWS}`);
      });
    }
  }

  it("flags a run with no change in about 5% of draws (the test's level)", () => {
    const {detected} = simulate({ratio: 1, cv: 0.01, rounds: 5}, DRAWS, 12);
    assert.ok(detected / DRAWS > 0.03 && detected / DRAWS < 0.07, `${detected} / ${DRAWS}`);
  });

  it("states the detectable change as the power calculation gives it: (t.975 + t.95, df 8) · √(2/5) · sd ≈ 2.63 sd", () => {
    const {medianDetectable} = simulate({ratio: 0.97, cv: 0.01, rounds: 5}, DRAWS, 13);
    assert.ok(Math.abs(medianDetectable - 0.0263) < 0.003, String(medianDetectable));
    assert.ok(medianDetectable < 0.03);
  });

  it("is not powerful everywhere: with 3 rounds at 1.5% sd a 3% drop is missed in most runs", () => {
    const {detected} = simulate({ratio: 0.97, cv: 0.015, rounds: 3}, DRAWS, 14);
    assert.ok(detected / DRAWS < 0.5, `${detected} / ${DRAWS}`);
  });

  it("interleaving keeps a slow drift from reading as a change; running A then B does not", () => {
    const interleaved = simulate(
      {ratio: 1, cv: 0.01, rounds: 5, drift: 0.03, order: "interleaved"},
      DRAWS,
      15
    ).detected;
    const blocked = simulate({ratio: 1, cv: 0.01, rounds: 5, drift: 0.03, order: "blocked"}, DRAWS, 15).detected;
    assert.ok(interleaved / DRAWS <= 0.05, `interleaved ${interleaved}`);
    assert.ok(blocked / DRAWS >= 0.3, `blocked ${blocked}`);
  });

  it("reports B/A with compare's Welch test and Fieller interval", () => {
    const a = [100.2, 99.1, 100.5, 99.8, 100.4];
    const b = [97.1, 96.8, 97.6, 96.9, 97.3];
    const t = testSides(a, b);
    assert.ok(t.detected);
    assert.ok(
      t.comparison.method === "welch" &&
        t.comparison.low! < t.comparison.ratio &&
        t.comparison.ratio < t.comparison.high! &&
        t.comparison.high! < 1
    );
    assert.equal(t.comparison.ratio, 97.14 / 100);
  });
});
