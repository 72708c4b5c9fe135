/**
 * The pure parts of components/claims.ts (the DOM parts are tested in
 * test/browser/reports.test.ts): picking exactly one row, the text of values
 * and ratios, and which uncertainty method a claim uses.
 */
import assert from "node:assert/strict";
import {join} from "node:path";
import {describe, it} from "node:test";
import {storeRows} from "../../../scripts/compare/rows.js";
import {Store} from "../../../scripts/store/store.js";
import {
  best,
  ClaimError,
  changeText,
  compare,
  measured,
  pick,
  pickAll,
  ratioText,
  shareText,
  valueText
} from "../../../src/components/shared/claims.js";
import {REPO} from "../../helpers/site.js";

const rows = storeRows(new Store(join(REPO, "data"))) as Record<string, any>[];
const tag = (name: string) => rows.filter((r) => r.tags?.writeup === name);

describe("pick", () => {
  it("finds exactly one row by columns, tags and settings, or throws naming the count", () => {
    const split = tag("4x3080-layer-vs-tensor");
    const r = pick(split, {
      model_label: "Mistral-Medium-3.5-128B-IQ4_XS",
      test: "tg128",
      split_mode: "tensor",
      metric: "throughput"
    });
    assert.equal(r.value, 21.59);
    assert.equal(
      pick(rows, {
        "tag:writeup": "4x3080-layer-vs-tensor",
        test: "tg128",
        split_mode: "tensor",
        model_label: /^Mistral/,
        metric: "throughput"
      }),
      r
    );
    assert.throws(
      () => pick(split, {test: "tg128"}),
      (e: Error) => e instanceof ClaimError && /^\d+ rows match test=tg128/.test(e.message)
    );
    assert.throws(() => pick(split, {test: "no such test"}), /0 rows match/);
    assert.ok(pickAll(split, {"setting.n_threads": 64}).length > 0);
    assert.ok(pickAll(split, {value: (v: number) => v > 1000}).every((x) => x.value > 1000));
  });
});

describe("claim text", () => {
  const split = tag("4x3080-layer-vs-tensor");
  const get = (model: string, test: string, mode: string) =>
    pick(split, {model_label: model, test, split_mode: mode, metric: "throughput"});
  const layer = get("Mistral-Medium-3.5-128B-IQ4_XS", "tg128", "layer");
  const tensor = get("Mistral-Medium-3.5-128B-IQ4_XS", "tg128", "tensor");

  it("shows a value as stored, with its sd and unit", () => {
    assert.equal(valueText(tensor), "21.59 ± 0.05 tok/s");
    assert.equal(valueText(tensor, {sd: false, unit: false}), "21.59");
    assert.equal(valueText({value: 99.5, unit: "%", status: "ok", stddev: null}), "99.5%");
    assert.equal(
      valueText({value: 80, unit: "tok/s", status: "ok", stddev: null, result_extra: {approximate: true}}),
      "~80 tok/s"
    );
    assert.equal(valueText({value: null, unit: "", status: "oom", stddev: null}), "oom");
  });

  it("gives b/a with its interval and says how it was computed", () => {
    const c = compare(layer, tensor);
    assert.equal(c.method, "sd-overlap", "llama-bench's table printed no repetition count");
    assert.equal(ratioText(c), `${(21.59 / 10.37).toFixed(2)}× [${c.low!.toFixed(2)}–${c.high!.toFixed(2)}, ±1 sd]`);
    assert.match(changeText(c), /^\+108% \[\+\d+% to \+\d+%, ±1 sd\]$/);
    assert.match(shareText(c), /^208\.2% \[/);
    const none = compare({value: 649, stddev: null, status: "ok"}, {value: 1157, stddev: null, status: "ok"});
    assert.equal(changeText(none), "+78% (no sd printed)");
    assert.throws(() => compare({value: null, status: "oom", line: 3}, tensor), /oom/);
  });

  it("uses the sd of printed samples where a tool printed samples but no sd (mlx_lm)", () => {
    const mlx = pick(tag("rtx4090-qwen35-glm-m4"), {runtime: "mlx", kind: "tg", metric: "throughput"});
    assert.equal(mlx.stddev, null);
    const m = measured(mlx);
    assert.equal(m.repetitions, mlx.samples.length);
    const mean = mlx.samples.reduce((s: number, v: number) => s + v, 0) / mlx.samples.length;
    assert.ok(
      Math.abs(
        m.stddev! -
          Math.sqrt(mlx.samples.reduce((s: number, v: number) => s + (v - mean) ** 2, 0) / (mlx.samples.length - 1))
      ) < 1e-12
    );
    assert.equal(m.value, mlx.value, "the printed mean is kept");
  });

  it("picks the best value of a sweep", () => {
    const tg = split.filter((r) => r.kind === "tg" && r.metric === "throughput");
    assert.equal(best(tg).value, Math.max(...tg.map((r) => r.value)));
    assert.equal(best(tg, {higher: false}).value, Math.min(...tg.map((r) => r.value)));
  });
});
