/**
 * Change detection on synthetic series with known changes: where they are,
 * which way, how sure; lower-is-better metrics; unstable and insufficient
 * series; and the energy statistic against its definition.
 */
import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {analyse} from "../../scripts/history/changes.js";
import type {Better} from "../../scripts/history/direction.js";
import type {Series, SeriesPoint} from "../../scripts/history/series.js";
import {energyStatistics} from "../../scripts/history/statistics.js";
import {normal} from "./llama-bench-builds.js";

/** k builds of n repetitions each around level(i), with coefficient of variation cv per repetition and `between` per build. */
function synthetic(
  level: (i: number) => number,
  {k = 12, n = 5 as number | null, cv = 0.01, between = 0, seed = 1, better = "higher" as Better, sd = true} = {}
): Series {
  const draw = normal(seed);
  const points: SeriesPoint[] = [];
  for (let i = 0; i < k; i++) {
    const centre = level(i) * (1 + between * draw());
    const xs = Array.from({length: n ?? 5}, () => centre * (1 + cv * draw()));
    const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
    const s = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
    points.push({
      build: `b${i}`,
      build_commit: `b${i}`,
      build_number: i,
      tool_version: null,
      time: null,
      rows: 1,
      run_ids: [`r${i}`],
      sources: [],
      mean,
      sd: sd ? s : null,
      n
    });
  }
  return {id: "s", key: {metric: better === "lower" ? "ttft" : "throughput"}, better, order: "build_number", points};
}

describe("energyStatistics", () => {
  it("equals E-Divisive's Q̂ computed from its definition", () => {
    const xs = [3, 1, 4, 1, 5, 9, 2, 6];
    const q = energyStatistics(xs);
    for (let t = 1; t < xs.length; t++) {
      const x = xs.slice(0, t);
      const y = xs.slice(t);
      const mean = (pairs: number[]) => (pairs.length ? pairs.reduce((a, b) => a + b, 0) / pairs.length : 0);
      const within = (zs: number[]) => mean(zs.flatMap((a, i) => zs.slice(i + 1).map((b) => Math.abs(a - b))));
      const cross = mean(x.flatMap((a) => y.map((b) => Math.abs(a - b))));
      const expected = ((x.length * y.length) / xs.length) * (2 * cross - within(x) - within(y));
      assert.ok(Math.abs(q[t] - expected) < 1e-9, `τ=${t}: ${q[t]} vs ${expected}`);
    }
    assert.equal(q[0], -Infinity);
  });

  it("is largest at a step", () => {
    const q = energyStatistics([10, 10.1, 9.9, 10, 12, 12.1, 11.9]);
    assert.equal(q.indexOf(Math.max(...q)), 4);
  });
});

describe("change points", () => {
  it("finds a step where it is, with its ratio and a 95% interval around it (and, in 1 of 20 noise draws, a chance 1.3% dip beside it)", () => {
    let alone = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const a = analyse(synthetic((i) => (i >= 6 ? 96 : 100), {seed}));
      assert.equal(a.status, "changed");
      const c = a.changes.find((x) => x.index === 6);
      assert.equal(c?.direction, "regression", `seed ${seed}`);
      assert.ok(
        c.low! < c.ratio && c.ratio < c.high! && c.high! < 1 && Math.abs(c.ratio - 0.96) < 0.015,
        `seed ${seed}: ${c.ratio}`
      );
      if (a.changes.length === 1) alone++;
    }
    assert.ok(alone >= 19, `the step alone in ${alone} of 20`);
  });

  it("finds a change at the newest build (one build after it), as a nightly job needs", () => {
    const a = analyse(synthetic((i) => (i === 11 ? 96 : 100)));
    assert.deepEqual(
      a.changes.map((c) => [c.index, c.direction]),
      [[11, "regression"]]
    );
  });

  it("finds two changes, and calls an increase of a lower-is-better metric a regression", () => {
    const a = analyse(synthetic((i) => (i < 4 ? 50 : i < 9 ? 60 : 55), {k: 14, better: "lower"}));
    assert.deepEqual(
      a.changes.map((c) => [c.index, c.direction]),
      [
        [4, "regression"],
        [9, "improvement"]
      ]
    );
    assert.deepEqual(
      a.levels.map((l) => [l.from, l.to]),
      [
        [0, 4],
        [4, 9],
        [9, 14]
      ]
    );
  });

  it("flags nothing in noise: 1% per repetition, and with 1% more between builds", () => {
    let flagged = 0;
    for (let seed = 1; seed <= 50; seed++) {
      flagged += analyse(synthetic(() => 100, {seed})).changes.length;
      flagged += analyse(synthetic(() => 100, {seed, between: 0.01})).changes.length;
    }
    assert.equal(flagged, 0);
  });

  it("does not take run-to-run noise the repetitions cannot see for a change: the scatter of build means sets the noise", () => {
    // Each build's repetitions agree to 0.1%, but builds scatter by 2%: a within-run test would flag most builds.
    const a = analyse(synthetic(() => 100, {cv: 0.001, between: 0.02, seed: 3}));
    assert.equal(a.noise?.source, "between");
    assert.deepEqual(a.changes, []);
  });

  it("without repetitions, uses the scatter of the build means alone", () => {
    const a = analyse(synthetic((i) => (i >= 6 ? 90 : 100), {n: null, sd: false, between: 0.01}));
    assert.equal(a.noise?.source, "between");
    assert.deepEqual(
      a.changes.map((c) => c.index),
      [6]
    );
  });

  it("marks a series whose coefficient of variation exceeds 5% unstable, and still reports what it finds", () => {
    const noisy = analyse(synthetic(() => 100, {cv: 0.08}));
    assert.equal(noisy.unstable, true);
    assert.match(noisy.reason!, /coefficient of variation \d+\.\d% > 5%/);
    assert.equal(analyse(synthetic(() => 100, {cv: 0.01})).unstable, false);
  });

  it("says insufficient data for one build, and for two without repetitions", () => {
    assert.equal(analyse(synthetic(() => 100, {k: 1})).status, "insufficient data");
    const two = analyse(synthetic((i) => (i ? 50 : 100), {k: 2, n: null, sd: false}));
    assert.equal(two.status, "insufficient data");
    assert.deepEqual(two.changes, []);
  });

  it("with two builds, tests their repetitions, as compare does", () => {
    const a = analyse(synthetic((i) => (i ? 96 : 100), {k: 2}));
    assert.equal(a.noise?.source, "within");
    assert.deepEqual(
      a.changes.map((c) => [c.index, c.direction]),
      [[1, "regression"]]
    );
  });
});
