import assert from "node:assert/strict";
import {describe, it} from "node:test";
import type {ResultRow} from "../../../src/components/shared/data.js";
import {splitLeftOut, splitPoints} from "../../../src/components/pages/multi-gpu.js";
import {fixtureText, printedPlusMinus, readFixture, rowsOf} from "../../helpers/fixtures.js";

const seed000 = rowsOf(readFixture("seeds/000-4x3080-split.txt")) as unknown as ResultRow[];
const MISTRAL = "Mistral-Medium-3.5-128B-IQ4_XS";
const QWEN = "Qwen3.5-122B-A10B-UD-IQ4_XS";

/** The seed's tables in print order: per model layer (pp512, tg128, pp512 @ d16384, tg128 @ d16384), then tensor. */
const printed = printedPlusMinus(fixtureText("seeds/000-4x3080-split.txt"));
const TESTS = ["pp512", "tg128", "pp512 @ d16384", "tg128 @ d16384"];
const table = (model: 0 | 1, mode: 0 | 1) =>
  Object.fromEntries(TESTS.map((t, i) => [t, printed[model * 8 + mode * 4 + i]]));

describe("splitPoints on seed 000 (4× RTX 3080, layer vs tensor)", () => {
  const points = splitPoints(seed000);

  it("reads the sixteen means the seed printed, in two comparable groups", () => {
    assert.equal(printed.length, 16);
    assert.equal(points.length, 16);
    assert.deepEqual([...new Set(points.map((p) => p.group))].sort(), [
      `${MISTRAL} · 4× NVIDIA GeForce RTX 3080`,
      `${QWEN} · 4× NVIDIA GeForce RTX 3080`
    ]);
    assert.deepEqual(
      points.map((p) => p.value).sort((a, b) => a - b),
      printed.map((p) => p.value).sort((a, b) => a - b)
    );
  });

  it("gives tensor split's speedup over layer for every test, layer being the reference", () => {
    for (const [m, model] of [MISTRAL, QWEN].entries()) {
      for (const test of TESTS) {
        const layer = points.find((p) => p.model_label === model && p.test === test && p.mode === "layer")!;
        const tensor = points.find((p) => p.model_label === model && p.test === test && p.mode === "tensor")!;
        assert.equal(layer.comparison, null);
        assert.equal(layer.reference, "layer");
        assert.equal(
          tensor.comparison!.ratio,
          table(m as 0 | 1, 1)[test].value / table(m as 0 | 1, 0)[test].value,
          `${model} ${test}`
        );
        assert.equal(tensor.comparison!.method, "sd-overlap", "the Markdown table states no repetition count");
      }
    }
  });

  it("tensor split roughly doubles tg for the dense model, not for the MoE", () => {
    const speedup = (model: string, test: string) =>
      points.find((p) => p.model_label === model && p.test === test && p.mode === "tensor")!.comparison!;
    for (const test of ["tg128", "tg128 @ d16384"]) {
      const dense = speedup(MISTRAL, test);
      assert.ok(dense.ratio > 1.9 && dense.ratio < 2.3, `${test} ${dense.ratio}`);
      assert.equal(dense.noise, false);
      assert.ok(speedup(QWEN, test).ratio < 1);
    }
    // Qwen tg128 @ d16384: 56.67 ± 1.39 (tensor) vs 57.78 ± 0.72 (layer): the ±1 sd ranges overlap.
    assert.equal(speedup(QWEN, "tg128 @ d16384").noise, true);
    // Mistral's deep-context tg: 10.37 ± 0.00 and 9.30 ± 0.00 print a zero sd, which still gives an interval.
    assert.ok(speedup(MISTRAL, "tg128").low !== null);
  });

  it("leaves out runs whose split mode is unknown, and never compares runs that differ in another setting", () => {
    const unknown = seed000.map((r) => ({...r, split_mode: r.split_mode === "tensor" ? null : r.split_mode}));
    assert.deepEqual(splitPoints(unknown), [], "layer alone is no comparison");
    const otherFa = seed000.map((r) =>
      r.split_mode === "tensor" ? {...r, settings: {...r.settings, flash_attn: 0}} : r
    );
    assert.deepEqual(
      splitPoints(otherFa),
      [],
      "tensor runs with flash attention off are not comparable with layer runs with it on"
    );
  });

  it("has no reference (and no speedups) where no layer split was run", () => {
    const rowAndTensor = seed000.map((r) =>
      r.split_mode === "layer" ? {...r, split_mode: "row", settings: {...r.settings, split_mode: "row"}} : r
    );
    const pts = splitPoints(rowAndTensor);
    assert.equal(pts.length, 16);
    assert.ok(pts.every((p) => p.reference === null && p.comparison === null));
    const vsRow = splitPoints(rowAndTensor, {reference: "row"});
    assert.equal(vsRow.filter((p) => p.comparison).length, 8);
  });
});

describe("splitLeftOut", () => {
  it("counts every row that no split-mode chart draws, by reason (seed 000 plus seed 001, which states no split mode)", () => {
    const rows = [...seed000, ...(rowsOf(readFixture("seeds/001-rtx4090-m4.txt")) as unknown as ResultRow[])];
    const points = splitPoints(rows);
    const left = splitLeftOut(rows, points);
    assert.equal(points.length + left.reduce((n, c) => n + c.n, 0), rows.length);
    assert.equal(
      left.find((c) => c.reason === "they do not state a split mode")?.n,
      rows.filter((r) => r.metric === "throughput" && r.status === "ok" && r.value !== null && !r.split_mode).length
    );
  });
});
