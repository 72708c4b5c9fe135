import assert from "node:assert/strict";
import {describe, it} from "node:test";
import type {ResultRow} from "../../../src/components/shared/data.js";
import {
  markFrontier,
  modelSize,
  quantLadders,
  quantLeftOut,
  quantPoints,
  type QuantPoint
} from "../../../src/components/pages/quantizations.js";
import {fixturePath, fixtureText, readFixture, rowsOf} from "../../helpers/fixtures.js";

const seed001 = rowsOf(readFixture("seeds/001-rtx4090-m4.txt")) as unknown as ResultRow[];
const seed000 = rowsOf(readFixture("seeds/000-4x3080-split.txt")) as unknown as ResultRow[];
const RTX4090 = "NVIDIA GeForce RTX 4090";

/** Brute force: a point is dominated when another of its machine, test and setup is at most as big and at least as fast, one strictly. */
function dominated(p: QuantPoint, all: QuantPoint[]): boolean {
  return all.some(
    (q) =>
      q !== p &&
      q.hardware === p.hardware &&
      q.test === p.test &&
      q.setup === p.setup &&
      q.size_gib <= p.size_gib &&
      q.value >= p.value &&
      (q.size_gib < p.size_gib || q.value > p.value)
  );
}

describe("modelSize", () => {
  it("keeps the size as printed and converts only for plotting", () => {
    assert.deepEqual(modelSize({size_value: 8.86, size_unit: "GiB"}), {text: "8.86 GiB", gib: 8.86, converted: false});
    const gb = modelSize({size_value: 3.5, size_unit: "GB"})!;
    assert.equal(gb.text, "3.5 GB");
    assert.equal(gb.gib, 3.5e9 / 2 ** 30);
    assert.equal(gb.converted, true);
    assert.equal(modelSize({size_value: 4.05, size_unit: "MiB"})!.gib, 4.05 / 1024);
  });

  it("prefers the exact byte count where the tool printed one", () => {
    const s = modelSize({size_bytes: 4248160, size_value: 4.05, size_unit: "MiB"})!;
    assert.equal(s.text, "4248160 B");
    assert.equal(s.gib, 4248160 / 2 ** 30);
  });

  it("knows no size without a unit it understands", () => {
    assert.equal(modelSize({size_value: null, size_unit: null}), null);
    assert.equal(modelSize({size_value: 3, size_unit: "parsecs"}), null);
  });
});

describe("quantPoints and the Pareto frontier", () => {
  it("puts every llama-bench mean of a test with a size on the chart, and counts what has none", () => {
    const tg = quantPoints(seed001, {kind: "tg", depth: 0});
    const withSize = seed001.filter(
      (r) =>
        r.kind === "tg" &&
        r.metric === "throughput" &&
        r.stat === "mean" &&
        (r.n_depth ?? 0) === 0 &&
        r.size_value !== null
    );
    const without = seed001.filter(
      (r) =>
        r.kind === "tg" &&
        r.metric === "throughput" &&
        r.stat === "mean" &&
        (r.n_depth ?? 0) === 0 &&
        r.size_value === null &&
        r.size_bytes === null
    );
    assert.equal(tg.length, withSize.length);
    assert.equal(tg.left_out, without.length);
    assert.ok(without.length > 0, "llama-benchy and MLX print no model size");
    assert.deepEqual(tg.map((p) => p.value).sort(), withSize.map((r) => r.value).sort());
  });

  it("marks exactly the points that no other point dominates", () => {
    for (const kind of ["pp", "tg"]) {
      for (const depth of [0, 16384]) {
        const points = quantPoints([...seed001, ...seed000], {kind, depth});
        for (const p of points)
          assert.equal(p.frontier, !dominated(p, points), `${p.model_label} ${p.test} ${p.setup}`);
      }
    }
  });

  it("on the RTX 4090 at depth 0, GLM-4.7-Flash Q2 (11.06 GiB, 137.03 t/s) is on the tg frontier and the 20.70 GiB Q4 MoE is not", () => {
    const tg = quantPoints(seed001, {kind: "tg", depth: 0}).filter((p) => p.hardware === RTX4090);
    assert.equal(tg.find((p) => p.model_label === "GLM-4.7-Flash-UD-Q2_K_XL")!.frontier, true);
    assert.equal(tg.find((p) => p.model_label === "Qwen3.5-35B-A3B-UD-Q4_K_XL")!.frontier, false);
  });

  it("compares setups apart: layer and tensor split runs of one file are two frontiers", () => {
    const tg = quantPoints(seed000, {kind: "tg", depth: 0});
    assert.deepEqual([...new Set(tg.map((p) => p.setup))].sort(), ["sm layer", "sm tensor"]);
    // Mistral's tensor split (21.59) would dominate nothing of the layer setup.
    const mistralTensor = tg.find((p) => p.model_label.startsWith("Mistral") && p.setup === "sm tensor")!;
    assert.equal(mistralTensor.frontier, false, "the smaller Qwen file is faster in the same setup");
    assert.equal(tg.filter((p) => p.frontier).length, 2, "one frontier point per setup");
  });

  it("markFrontier keeps the first of equal points and drops bigger-and-slower ones", () => {
    const p = (size_gib: number, value: number) =>
      ({hardware: "h", test: "t", setup: "", size_gib, value, frontier: false}) as QuantPoint;
    const points = [p(1, 10), p(2, 20), p(2, 15), p(3, 20), p(4, 30)];
    markFrontier(points);
    assert.deepEqual(
      points.map((x) => x.frontier),
      [true, true, false, false, true]
    );
  });
});

describe("quantLadders", () => {
  it("lines up Qwen3.5-35B-A3B's three quants on the RTX 4090, as ratios to the largest (UD-Q4_K_XL, 20.70 GiB)", () => {
    const ladder = quantLadders(seed001).find((l) => l.family === "Qwen3.5-35B-A3B" && l.hardware === RTX4090)!;
    assert.ok(ladder);
    assert.equal(ladder.reference, "UD-Q4_K_XL");
    assert.deepEqual([...new Set(ladder.rungs.map((r) => r.test))].sort(), ["pp1024", "tg64"]);
    assert.deepEqual([...new Set(ladder.rungs.map((r) => r.quant))].sort(), ["MXFP4_MOE", "UD-Q3_K_XL", "UD-Q4_K_XL"]);
    // The numbers as the seed printed them: Q3_K_XL tg64 127.68 ± 1.68 against Q4_K_XL 124.46 ± 1.71.
    assert.match(fixtureText("seeds/001-rtx4090-m4.txt"), /127\.68 ± 1\.68/);
    const q3 = ladder.rungs.find((r) => r.quant === "UD-Q3_K_XL" && r.test === "tg64")!;
    assert.equal(q3.comparison!.ratio, 127.68 / 124.46);
    assert.equal(q3.comparison!.noise, true, "±1 sd ranges overlap");
    const q4 = ladder.rungs.find((r) => r.quant === "UD-Q4_K_XL" && r.test === "tg64")!;
    assert.equal(q4.is_reference, true);
    assert.equal(q4.comparison, null);
  });

  it("needs two quants of a family on one machine", () => {
    const families = quantLadders(seed001)
      .map((l) => `${l.family} on ${l.hardware}`)
      .sort();
    assert.deepEqual(
      families,
      [`GLM-4.7-Flash on ${RTX4090}`, `Qwen3.5-35B-A3B on ${RTX4090}`],
      "Qwen3.5-9B's two quants ran on different machines"
    );
  });
});

describe("quantLeftOut", () => {
  it("counts every throughput row the size charts do not draw at a depth, by reason (seed 001)", () => {
    for (const depth of [0, 8192]) {
      const drawn = quantPoints(seed001, {kind: "pp", depth}).length + quantPoints(seed001, {kind: "tg", depth}).length;
      const left = quantLeftOut(seed001, {depth});
      assert.equal(drawn + left.reduce((n, c) => n + c.n, 0), seed001.length, `depth ${depth}`);
      assert.equal(
        left.find((c) => c.reason.startsWith("they are at another context depth"))?.n,
        seed001.filter(
          (r) => r.metric === "throughput" && r.stat === "mean" && r.status === "ok" && (r.n_depth ?? 0) !== depth
        ).length
      );
    }
  });
});

describe("quantLadders on a bench plan (H100: Q4_K_M and Q8_0, -fa 0 and -fa 1, one run per cell)", () => {
  it("one ladder per flash-attention setting, one rung per quantization and test, labelled by the setting", async () => {
    const {Store} = await import("../../../scripts/store/store.js");
    const {toRow} = await import("../../../scripts/schema/row.js");
    const store = new Store(fixturePath("captured/h100/run2/store"));
    const rows = [...store.readAll()].flatMap((i) =>
      i.runs
        .filter((r) => r.tool === "llama-bench")
        .flatMap((run) => run.results.map((r) => toRow(run, r, false) as unknown as ResultRow))
    );
    const ladders = quantLadders(rows, {depth: 0});
    assert.equal(ladders.length, 2, ladders.map((l) => l.label).join(" | "));
    for (const ladder of ladders) {
      assert.match(ladder.label, /flash_attn (0|1|true|false)/);
      const cells = ladder.rungs.map((r) => `${r.quant}|${r.test}`);
      assert.equal(new Set(cells).size, cells.length, `${ladder.label}: one rung per quant and test`);
    }
  });
});
