import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {compareMeans, formatRatio, sampleSd} from "../../src/components/uncertainty.js";

const m = (value: number, stddev: number | null, repetitions: number | null, stddev_kind = "sample") => ({value, stddev, stddev_kind, repetitions});

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
