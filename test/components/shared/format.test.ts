import assert from "node:assert/strict";
import {describe, it} from "node:test";
import type {ResultRow} from "../../../src/components/shared/data.js";
import {leftOutCounts, measuredReason} from "../../../src/components/shared/format.js";
import {rowsOf, readFixture} from "../../helpers/fixtures.js";

const seed001 = rowsOf(readFixture("seeds/001-rtx4090-m4.txt")) as unknown as ResultRow[];
const mean = seed001.find((r) => r.metric === "throughput" && r.stat === "mean" && r.status === "ok")!;

describe("measuredReason", () => {
  it("names the first link of the chain a row fails, in order: metric, kind, value, what the page needs, scope, statistic", () => {
    assert.ok(mean, "seed 001 has a throughput mean");
    const why = (patch: Partial<ResultRow>, options = {}) => measuredReason({...mean, ...patch} as ResultRow, options);
    assert.equal(why({}), null);
    assert.equal(why({metric: "ttft"}), "they are not throughput");
    assert.equal(why({kind: "pp+tg"}, {kinds: ["pp", "tg"]}), "they are neither prompt processing nor generation");
    assert.equal(why({status: "oom", value: null}), "their test did not produce a value");
    assert.equal(why({runtime: null}, {needs: [["runtime", "a runtime"]]}), "they do not state a runtime");
    assert.equal(why({scope: "request"}), "they are per-request values, not a run's");
    assert.equal(why({stat: "peak"}), "they are not means (the charts draw means)");
    assert.equal(
      why({stat: "peak"}, {statChosen: true}),
      "they are other statistics than the means compared (choose the statistic above)"
    );
    // Two failures: the earlier link names it.
    assert.equal(why({metric: "ttft", stat: "p99"}), "they are not throughput");
  });

  it("counts seed 001's rows by reason: every row once, as many means passing as the seed has", () => {
    const left = leftOutCounts(seed001, (r) => measuredReason(r, {kinds: ["pp", "tg"]}));
    const passing = seed001.filter(
      (r) =>
        r.metric === "throughput" &&
        (r.kind === "pp" || r.kind === "tg") &&
        r.status === "ok" &&
        r.value !== null &&
        (r.scope ?? "run") === "run" &&
        r.stat === "mean"
    ).length;
    assert.ok(passing > 0);
    assert.equal(left.reduce((n, c) => n + c.n, 0) + passing, seed001.length);
  });
});
