import assert from "node:assert/strict";
import {describe, it} from "node:test";
import type {ResultRow} from "../../../src/components/shared/data.js";
import {decayLeftOut, decayPoints, decaySeries} from "../../../src/components/pages/context-decay.js";
import {readFixture, rowsOf} from "../../helpers/fixtures.js";

const seed001 = rowsOf(readFixture("seeds/001-rtx4090-m4.txt")) as unknown as ResultRow[];
const retune = rowsOf(readFixture("seeds/002-dual-3060-retune.yaml")) as unknown as ResultRow[];

describe("context decay", () => {
  it("draws every throughput mean with a depth, and counts every other row as left out with its reason", () => {
    const rows = [...seed001, ...retune];
    const drawn = decayPoints(rows, "pp").length + decayPoints(rows, "tg").length;
    const leftOut = decayLeftOut(rows);
    assert.equal(drawn + leftOut.reduce((n, c) => n + c.n, 0), rows.length);
    // Oracles counted directly: seed 001's peaks (not means), and the retune log's rows that are not throughput.
    const peaks = seed001.filter((r) => r.metric === "throughput" && r.stat === "peak").length;
    assert.ok(peaks > 0);
    assert.equal(leftOut.find((c) => c.reason.startsWith("they are not means"))?.n, peaks + retune.filter((r) => r.metric === "throughput" && r.stat !== "mean").length);
    assert.equal(leftOut.find((c) => c.reason === "they are not throughput")?.n, rows.filter((r) => r.metric !== "throughput").length);
    assert.deepEqual([...leftOut].sort((a, b) => b.n - a.n), leftOut);
  });

  it("offers the longest curves first to the series picker", () => {
    const points = decayPoints(seed001, "tg");
    const series = decaySeries(points);
    const count = (s: string) => points.filter((p) => p.series === s).length;
    assert.equal(new Set(series).size, series.length);
    for (let i = 1; i < series.length; i++) assert.ok(count(series[i - 1]) >= count(series[i]));
  });
});
