import assert from "node:assert/strict";
import {describe, it} from "node:test";
import jstatModule from "jstat";
import {compareMeans, formatRatio, sampleSd} from "../../scripts/statistics/uncertainty.js";

const jstat = jstatModule as unknown as {studentt: {inv(p: number, df: number): number}};

const m = (value: number, stddev: number | null, repetitions: number | null, stddev_kind = "sample") => ({
  value,
  stddev,
  stddev_kind,
  repetitions
});

describe("compareMeans", () => {
  // Reference p-values from scipy.stats.ttest_ind_from_stats(..., equal_var=False).
  it("matches scipy's Welch test on seed 000's layer vs tensor numbers (n=5 assumed)", () => {
    const qwenPp = compareMeans(m(1216.15, 16.63, 5), m(1087.44, 6.95, 5));
    assert.ok(Math.abs(qwenPp.p! - 1.0087115050304653e-5) / 1.0087115050304653e-5 < 1e-3, `p ${qwenPp.p}`);
    assert.equal(qwenPp.noise, false);
    const qwenTgDeep = compareMeans(m(56.67, 1.39, 5), m(57.78, 0.72, 5));
    assert.ok(Math.abs(qwenTgDeep.p! - 0.16391575557694832) < 1e-6, `p ${qwenTgDeep.p}`);
    assert.equal(qwenTgDeep.noise, true);
    assert.equal(qwenTgDeep.method, "welch");
  });

  it("gives a ratio interval that contains the ratio and narrows with more repetitions", () => {
    const few = compareMeans(m(100, 5, 3), m(120, 5, 3));
    const many = compareMeans(m(100, 5, 30), m(120, 5, 30));
    for (const c of [few, many]) assert.ok(c.low! < c.ratio && c.ratio < c.high!);
    assert.equal(few.ratio, 1.2);
    assert.ok(many.high! - many.low! < few.high! - few.low!);
  });

  it("gives a 95% interval that contains 1 exactly when the t-test says within noise (Fieller's)", () => {
    const q = (df: number) => jstat.studentt.inv(0.975, df);
    let logRatioDisagrees = 0;
    for (const a of [100, 250])
      for (const gap of [0.5, 1, 2, 3, 4, 5, 6, 8, 12])
        for (const [sa, sb] of [
          [2, 2],
          [1, 5],
          [6, 1],
          [4, 4]
        ])
          for (const n of [2, 3, 5, 10]) {
            const b = a + gap;
            const c = compareMeans(m(a, sa, n), m(b, sb, n));
            assert.equal(
              c.low! <= 1 && 1 <= c.high!,
              c.noise,
              `a=${a} b=${b} sd ${sa}/${sb} n=${n}: [${c.low}, ${c.high}] p=${c.p}`
            );
            // The endpoints are where the test of b − ρa is exactly at its critical value.
            const va = (sa * sa) / n;
            const vb = (sb * sb) / n;
            const df = (va + vb) ** 2 / ((va * va) / (n - 1) + (vb * vb) / (n - 1));
            for (const rho of [c.low!, c.high!])
              assert.ok(Math.abs(Math.abs(b - rho * a) / Math.sqrt(vb + rho * rho * va) - q(df)) < 1e-9);
            // What a log-ratio interval would have said.
            const rel = Math.sqrt(va / (a * a) + vb / (b * b));
            const logRatioHasOne = (b / a) * Math.exp(-q(df) * rel) <= 1 && 1 <= (b / a) * Math.exp(q(df) * rel);
            if (logRatioHasOne !== c.noise) logRatioDisagrees++;
          }
    assert.ok(logRatioDisagrees > 0, "the grid holds cases where a log-ratio interval and the test disagree");
  });

  it("converts a population sd to a sample sd before testing", () => {
    assert.equal(sampleSd(m(10, 2, 5, "population")), 2 * Math.sqrt(5 / 4));
    assert.equal(sampleSd(m(10, 2, 5, "sample")), 2);
    assert.equal(sampleSd(m(10, 2, null, "population")), 2, "without n it cannot be converted and is used as printed");
  });

  it("without repetitions falls back to ±1 sd overlap and says so", () => {
    const c = compareMeans(m(10.37, 0, null), m(21.59, 0.05, null));
    assert.equal(c.method, "sd-overlap");
    assert.equal(c.noise, false);
    assert.match(c.note, /repetitions unknown/);
    assert.equal(formatRatio(c), "2.08× [2.08–2.09]");
  });

  it("without any dispersion gives the ratio alone", () => {
    const c = compareMeans(m(10, null, null), m(20, null, null));
    assert.deepEqual([c.ratio, c.low, c.noise, c.method], [2, null, null, "none"]);
    assert.equal(formatRatio(c), "2.00×");
  });
});
