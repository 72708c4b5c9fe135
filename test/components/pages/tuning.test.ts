import assert from "node:assert/strict";
import {describe, it} from "node:test";
import type {ResultRow} from "../../../src/components/shared/data.js";
import {
  betterDirection,
  configurations,
  differenceInterval,
  diffConfigs,
  metricKey,
  orderPair,
  orderValues,
  suggestPairs,
  sweepLeftOut,
  sweepMetrics,
  sweepPoints,
  sweepSettings
} from "../../../src/components/pages/tuning.js";
import {compareMeans} from "../../../scripts/statistics/uncertainty.js";
import {fixtureText, readFixture, rowsOf} from "../../helpers/fixtures.js";

const sweepMd = rowsOf(readFixture("captured/cpu/llama-bench-sweep-md.stdout")) as unknown as ResultRow[];
const retune = rowsOf(readFixture("seeds/002-dual-3060-retune.yaml")) as unknown as ResultRow[];

/** The captured table's rows: threads, n_ubatch, test, value (read from the text, not through the parser). */
const table = fixtureText("captured/cpu/llama-bench-sweep-md.stdout")
  .split("\n")
  .filter((l) => /±/.test(l))
  .map((l) => l.split("|").map((c) => c.trim()))
  .map((c) => ({threads: c[5], ubatch: c[6], test: c[7], value: Number(c[8].split(" ± ")[0])}));

describe("sweepSettings and sweepMetrics", () => {
  it("finds llama-bench's -ub 32,64 -t 1,2 sweep", () => {
    assert.deepEqual(
      sweepSettings(sweepMd).map((c) => c.key),
      ["n_ubatch", "n_threads"]
    );
    assert.deepEqual(sweepMetrics(sweepMd, "n_ubatch"), ["throughput"]);
  });

  it("finds the hand-entered -ub and -ts sweeps of the retuning log, with the -ts failures", () => {
    const candidates = sweepSettings(retune);
    assert.deepEqual(
      candidates.slice(0, 2).map((c) => c.key),
      ["n_ubatch", "tensor_split"]
    );
    assert.ok(candidates.find((c) => c.key === "tensor_split")!.failures > 0);
    assert.ok(sweepMetrics(retune, "tensor_split").includes("model_buffer"));
    assert.equal(sweepMetrics(retune, "n_ubatch")[0], "throughput");
  });
});

describe("sweepPoints", () => {
  it("draws one line per test and thread count across -ub, with the values as printed and the best cell of each", () => {
    const points = sweepPoints(sweepMd, {x: "n_ubatch", metric: "throughput"});
    assert.equal(points.better, "higher");
    assert.equal(points.length, table.length);
    assert.ok(points.every((p) => !p.failed));
    const series = new Set(points.map((p) => p.series));
    assert.deepEqual([...series].sort(), [
      "pp64 throughput · n_threads 1",
      "pp64 throughput · n_threads 2",
      "tg16 throughput · n_threads 1",
      "tg16 throughput · n_threads 2"
    ]);
    for (const row of table) {
      const p = points.find(
        (q) => q.series === `${row.test} throughput · n_threads ${row.threads}` && q.x === row.ubatch
      )!;
      assert.equal(p.value, row.value, `${row.test} t=${row.threads} ub=${row.ubatch}`);
      const others = table.filter((r) => r.test === row.test && r.threads === row.threads);
      assert.equal(p.best, row.value === Math.max(...others.map((r) => r.value)));
    }
  });

  it("-ub 128/256/384 on the 2× RTX 3060: prefill 649 → 1,157 → 1,275 t/s, n_batch 768 noted on the last", () => {
    const points = sweepPoints(retune, {x: "n_ubatch", metric: "throughput"});
    const pp = points.filter((p) => p.series.startsWith("pp3100"));
    assert.deepEqual(orderValues(pp.map((p) => p.x)), ["128", "256", "384"]);
    assert.deepEqual([...new Set(pp.map((p) => `${p.x}:${p.value}`))], ["128:649", "256:1157", "384:1275"]);
    assert.equal(pp.find((p) => p.x === "384")!.also, "n_batch 768");
    assert.deepEqual(
      pp.filter((p) => p.best).map((p) => p.value),
      [1275]
    );
    assert.ok(
      points.every((p) => !p.failed),
      "the -ts failures are not about -ub"
    );
  });

  it("marks the -ts splits that could not start, with what the log said, and leaves out a failure at a split that did start", () => {
    const points = sweepPoints(retune, {x: "tensor_split", metric: "model_buffer"});
    const failed = points.filter((p) => p.failed);
    const okSplits = new Set(points.filter((p) => !p.failed).map((p) => p.x));
    assert.deepEqual([...okSplits].sort(), ["0.47,0.53", "0.48,0.52", "0.5,0.5"]);
    assert.deepEqual(
      orderValues(points.map((p) => p.x)),
      ["0.40,0.60", "0.43,0.57", "0.45,0.55", "0.47,0.53", "0.48,0.52", "0.5,0.5"],
      "GPU 0's share, ascending"
    );
    const expected = retune.filter(
      (r) =>
        r.status !== "ok" && r.settings?.tensor_split !== undefined && !okSplits.has(String(r.settings.tensor_split))
    );
    assert.deepEqual(failed.map((p) => p.x).sort(), expected.map((r) => String(r.settings.tensor_split)).sort());
    assert.deepEqual(failed.map((p) => p.x).sort(), ["0.40,0.60", "0.43,0.57", "0.45,0.55"]);
    for (const f of failed) {
      assert.equal(f.status, "error");
      assert.match(f.status_detail!, /CUDA1 running out of memory/);
      assert.equal(f.value, null);
    }
    // The OOM at 0.5,0.5 (a drifted config with --mlock etc.) is not drawn where 0.5,0.5 loaded fine.
    assert.ok(!failed.some((p) => p.x === "0.5,0.5"));
    // Per-GPU buffers are separate lines; memory sizes have no "best".
    assert.deepEqual([...new Set(points.filter((p) => !p.failed).map((p) => p.series))].sort(), [
      "model_buffer · GPU 0",
      "model_buffer · GPU 1"
    ]);
    assert.equal(points.better, "none");
    assert.ok(!points.some((p) => p.best));
  });

  it("puts a failed llama-bench test of the same metric on its sweep", () => {
    const failedRow = {
      ...sweepMd[0],
      status: "oom",
      status_detail: "cudaMalloc failed: out of memory",
      value: null,
      settings: {...sweepMd[0].settings, n_ubatch: 128}
    } as ResultRow;
    const points = sweepPoints([...sweepMd, failedRow], {x: "n_ubatch", metric: "throughput"});
    const failed = points.filter((p) => p.failed);
    assert.equal(failed.length, 1);
    assert.equal(failed[0].x, "128");
    assert.equal(failed[0].status_detail, "cudaMalloc failed: out of memory");
    assert.deepEqual(orderValues(points.map((p) => p.x)), ["32", "64", "128"], "numeric order, not text order");
  });
});

describe("betterDirection", () => {
  it("throughput up, time down, sizes undefined", () => {
    assert.equal(betterDirection("throughput", "tok/s"), "higher");
    assert.equal(betterDirection("duration", "s"), "lower");
    assert.equal(betterDirection("ttft", "ms"), "lower");
    assert.equal(betterDirection("model_buffer", "MiB"), "none");
  });
});

const seed000 = rowsOf(readFixture("seeds/000-4x3080-split.txt")) as unknown as ResultRow[];

describe("configurations", () => {
  it("splits a run by the settings its results override, labelled by what tells them apart", () => {
    const configs = configurations(retune);
    const ub128 = configs.filter((c) => c.settings.n_ubatch === 128);
    assert.equal(ub128.length, 1);
    assert.match(ub128[0].label, /^balanced \(v3 retune\) · 2× RTX 3060 12GB · n_ubatch 128$/);
    assert.equal(new Set(configs.map((c) => c.id)).size, configs.length);
    assert.equal(new Set(configs.map((c) => c.label)).size, configs.length, "labels are unique");
    // Every row is in exactly one configuration.
    assert.equal(
      configs.reduce((n, c) => n + c.rows.length, 0),
      retune.length
    );
  });

  it("gives the same ids on a second read (links with ?before=… stay valid across builds)", () => {
    assert.deepEqual(
      configurations(retune).map((c) => c.id),
      configurations(rowsOf(readFixture("seeds/002-dual-3060-retune.yaml")) as unknown as ResultRow[]).map((c) => c.id)
    );
  });
});

describe("diffConfigs", () => {
  it("ub 128 → 256: one setting changed, prefill 649 → 1,157 t/s, no interval for hand-entered values", () => {
    const configs = configurations(retune);
    const main = configs.find(
      (c) =>
        c.settings.n_ubatch === 256 &&
        c.settings.tensor_split === "0.48,0.52" &&
        c.settings.mlock === undefined &&
        c.settings.ctx_size === 262144
    )!;
    const ub128 = configs.find((c) => c.settings.n_ubatch === 128)!;
    const diff = diffConfigs(ub128, main);
    assert.deepEqual(diff.changes, [{field: "n_ubatch", before: "128", after: "256"}]);
    const pp = diff.metrics.find((m) => m.label === "pp3100 throughput")!;
    assert.equal(pp.before.value, 649);
    assert.equal(pp.after.value, 1157);
    // The writeup states 1,157 on two lines (the -ub table and the final summary): one cell, both lines.
    const lines = retune.filter((r) => r.value === 1157 && r.kind === "pp").map((r) => r.line);
    assert.deepEqual(pp.after.lines, lines);
    assert.equal(pp.comparison!.ratio, 1157 / 649);
    assert.equal(pp.comparison!.method, "none");
    assert.equal(pp.comparison!.low, null);
  });

  it("layer → tensor on the 4× RTX 3080: split_mode changed, four tests compared with ±1 sd intervals", () => {
    const configs = configurations(seed000).filter((c) => c.model_label?.startsWith("Mistral"));
    const [layer, tensor] = ["layer", "tensor"].map((m) => configs.find((c) => c.settings.split_mode === m)!);
    const diff = diffConfigs(layer, tensor);
    assert.deepEqual(diff.changes, [{field: "split_mode", before: "layer", after: "tensor"}]);
    assert.equal(diff.metrics.length, 4);
    const tg = diff.metrics.find((m) => m.label === "tg128 throughput")!;
    assert.equal(tg.comparison!.ratio, 21.59 / 10.37);
    assert.equal(tg.comparison!.method, "sd-overlap");
    assert.equal(tg.comparison!.noise, false);
    // The difference carries its uncertainty too: ±1 sd propagated, √(0.00² + 0.05²).
    assert.equal(tg.comparison!.difference, 21.59 - 10.37);
    assert.ok(Math.abs(tg.difference!.high - tg.comparison!.difference - 0.05) < 1e-12);
    assert.ok(Math.abs(tg.comparison!.difference - tg.difference!.low - 0.05) < 1e-12);
  });

  it("a Welch difference interval excludes zero exactly when the means can be told apart", () => {
    const seed001 = rowsOf(readFixture("seeds/001-rtx4090-m4.txt")) as unknown as ResultRow[];
    const benchy = seed001.filter(
      (r) =>
        r.tool === "llama-benchy" &&
        r.metric === "throughput" &&
        r.stat === "mean" &&
        String(r.model).endsWith("Qwen3.5-4B")
    );
    let checked = 0;
    for (const a of benchy.filter((r) => r.runtime === "llama.cpp")) {
      for (const b of benchy.filter((r) => r.runtime !== "llama.cpp" && r.test === a.test)) {
        const m = (r: ResultRow) => ({
          value: r.value!,
          stddev: r.stddev,
          stddev_kind: r.stddev_kind,
          repetitions: r.repetitions
        });
        const c = compareMeans(m(a), m(b));
        const d = differenceInterval(m(a), m(b), c)!;
        assert.equal(c.method, "welch");
        assert.ok(d.low < c.difference && c.difference < d.high);
        assert.equal(d.low <= 0 && 0 <= d.high, c.noise, `${b.runtime} ${b.test}: [${d.low}, ${d.high}] p=${c.p}`);
        checked++;
      }
    }
    assert.equal(checked, 16);
  });

  it("phase 01 → v3: 61.62 → 64.16 t/s, with the machine and every setting the baseline did not state listed as changed", () => {
    const configs = configurations(retune);
    const phase01 = configs.find((c) => c.label.startsWith("balanced (phase 01 baseline)"))!;
    const v3 = configs.find((c) => c.label === "balanced (v3 retune) · 2× RTX 3060 12GB")!;
    const diff = diffConfigs(phase01, v3);
    assert.ok(diff.changes.some((c) => c.field === "machine" && c.after === "2× RTX 3060 12GB"));
    assert.ok(diff.changes.some((c) => c.field === "n_ubatch" && c.before === "—" && c.after === "256"));
    const tg = diff.metrics.filter((m) => m.label === "tg throughput");
    assert.ok(
      tg.some((m) => m.before.value === 61.62 && m.after.value === 64.16),
      tg.map((m) => `${m.before.value}→${m.after.value}`).join(", ")
    );
  });

  it("matches metrics by what they measured, not by the test's name", () => {
    const a = retune.find((r) => r.test === "ub 128" && r.kind === "pp" && r.metric === "throughput")!;
    const b = retune.find((r) => r.test === "long prompt (3,100 tok)" && r.kind === "pp")!;
    assert.equal(metricKey(a), metricKey(b));
    const gpu0 = retune.find((r) => r.metric === "model_buffer" && r.result_extra?.gpu === 0)!;
    const gpu1 = retune.find((r) => r.metric === "model_buffer" && r.result_extra?.gpu === 1)!;
    assert.notEqual(metricKey(gpu0), metricKey(gpu1));
  });
});

describe("suggestPairs", () => {
  it("starts with clean one-setting experiments that share metrics, ordered before → after", () => {
    const configs = configurations([...retune, ...seed000]);
    const pairs = suggestPairs(configs);
    assert.ok(pairs.length > 0);
    assert.ok(
      pairs.every(
        (p, i) =>
          i === 0 ||
          pairs[i - 1].changes < p.changes ||
          (pairs[i - 1].changes === p.changes && pairs[i - 1].shared >= p.shared)
      )
    );
    const byId = new Map(configs.map((c) => [c.id, c]));
    const first = pairs[0];
    assert.equal(first.changes, 1);
    const ub = pairs.find(
      (p) => byId.get(p.before)!.settings.n_ubatch === 128 && byId.get(p.after)!.settings.n_ubatch === 256
    )!;
    assert.ok(ub, "ub 128 → 256 is suggested in ascending order");
    const split = pairs.find(
      (p) => byId.get(p.before)!.settings.split_mode === "layer" && byId.get(p.after)!.settings.split_mode === "tensor"
    );
    assert.ok(split, "layer → tensor is suggested");
    assert.ok(
      !pairs.some((p) => byId.get(p.before)!.hardware !== byId.get(p.after)!.hardware),
      "only the same machine"
    );
  });

  it("orderPair puts the smaller value of a single numeric change first", () => {
    const configs = configurations(retune);
    const ub128 = configs.find((c) => c.settings.n_ubatch === 128)!;
    const main = configs.find((c) => c.label === "balanced (v3 retune) · 2× RTX 3060 12GB")!;
    assert.deepEqual(
      orderPair(main, ub128).map((c) => c.settings.n_ubatch),
      [128, 256],
      "written 256 first (its buffers), ordered 128 → 256"
    );
    const [kv128, kv256] = ["128K", "256K"].map((v) => configs.find((c) => c.settings.ctx_size === v)!);
    assert.deepEqual(
      orderPair(kv256, kv128).map((c) => c.settings.ctx_size),
      ["128K", "256K"],
      "text values: in the order they were written"
    );
  });
});

describe("sweepLeftOut", () => {
  it("counts every row no point of the sweep was drawn from, by reason: drawn + left out = the page's rows", () => {
    for (const rows of [retune, sweepMd]) {
      for (const {key: x} of sweepSettings(rows)) {
        const metric = sweepMetrics(rows, x)[0];
        const points = sweepPoints(rows, {x, metric});
        const left = sweepLeftOut(rows, points, {x, metric});
        assert.equal(points.length + left.reduce((n, c) => n + c.n, 0), rows.length, `${x} ${metric}`);
      }
    }
  });

  it("names the reasons on the retuning log's -ub sweep, and a row that loses its -ub is counted as not stating it", () => {
    const points = sweepPoints(retune, {x: "n_ubatch", metric: "throughput"});
    const left = sweepLeftOut(retune, points, {x: "n_ubatch", metric: "throughput"});
    const other = retune.filter((r) => r.metric !== "throughput").length;
    assert.deepEqual(left[0], {reason: "they measure another metric (choose it above)", n: other});
    const notStated = (l: {reason: string; n: number}[]) =>
      l.find((c) => c.reason === "they do not state n_ubatch")?.n ?? 0;
    const drawn = retune.findIndex((r) =>
      points.some(
        (p) => !p.failed && p.run_id === r.run_id && p.line === r.line && p.metric === r.metric && p.test === r.test
      )
    );
    const stripped = retune.map((r, i) => (i === drawn ? {...r, settings: {}, n_ubatch: null} : r)) as ResultRow[];
    const after = sweepLeftOut(stripped, sweepPoints(stripped, {x: "n_ubatch", metric: "throughput"}), {
      x: "n_ubatch",
      metric: "throughput"
    });
    assert.equal(notStated(after), notStated(left) + 1);
  });
});
