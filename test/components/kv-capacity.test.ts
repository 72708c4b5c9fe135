/**
 * KV capacity against cache dtype: dtype names grouped into families, SGLang's
 * pools kept apart, and the FP8 ÷ BF16 ratio computed from the printed sizes.
 */
import assert from "node:assert/strict";
import {describe, it} from "node:test";
import type {ResultRow} from "../../src/components/data.js";
import {dtypeFamily, kvPoints, kvRatios, ratioSentence} from "../../src/components/kv-capacity.js";
import {fixtureText, readFixture, rowsOf} from "../helpers/fixtures.js";

const rows = (name: string) => rowsOf(readFixture(name)) as unknown as ResultRow[];
const printed = (name: string, key: string) => Number(new RegExp(`${key}=(\\d+)`).exec(fixtureText(name))![1]);

describe("dtypeFamily", () => {
  it("groups the names runtimes print", () => {
    assert.equal(dtypeFamily("torch.float8_e4m3fn"), "FP8");
    assert.equal(dtypeFamily("fp8_e4m3"), "FP8");
    assert.equal(dtypeFamily("fp8"), "FP8");
    assert.equal(dtypeFamily("torch.bfloat16"), "BF16");
    assert.equal(dtypeFamily("bfloat16"), "BF16");
    assert.equal(dtypeFamily("f16"), "F16");
    assert.equal(dtypeFamily("q8_0"), "Q8_0");
    assert.equal(dtypeFamily("auto"), "auto");
    assert.equal(dtypeFamily(undefined), "not stated");
  });
});

describe("kvPoints and kvRatios", () => {
  const points = kvPoints(rows("site/sglang-kv-dtype.txt"));

  it("reads SGLang's pools with the dtype of the command that launched each server", () => {
    const full = points.filter((p) => p.pool === "full").map((p) => [p.family, p.dtype, p.value]);
    assert.deepEqual(full.sort(), [
      ["BF16", "bfloat16", printed("logs/seed-003-sglang-bf16-kv.txt", "full_layer_tokens")],
      ["FP8", "fp8_e4m3", printed("logs/seed-003-sglang-fp8-kv.txt", "full_layer_tokens")]
    ]);
    assert.deepEqual([...new Set(points.map((p) => p.pool))].sort(), ["full", "swa", "total"]);
  });

  it("computes FP8 ÷ BF16 per pool from the printed capacities, with no interval (one number each)", () => {
    const ratios = kvRatios(points);
    const full = ratios.find((r) => r.pool === "full")!;
    const expected = printed("logs/seed-003-sglang-fp8-kv.txt", "full_layer_tokens") / printed("logs/seed-003-sglang-bf16-kv.txt", "full_layer_tokens");
    assert.equal(full.comparison.ratio, expected);
    assert.equal(full.a.family, "BF16");
    assert.equal(full.b.family, "FP8");
    assert.equal(full.comparison.method, "none");
    assert.equal(full.comparison.low, null);
    assert.match(ratioSentence(full), /FP8 KV holds 2\.00× the full-layer tokens of BF16 KV \(139515 vs 69757/);
    assert.match(ratioSentence(full), /no dispersion reported/);
    assert.equal(ratios.length, 3, "one ratio per pool");
  });

  it("never compares hand-entered capacities, and keeps the 'K tokens' ones off the token axis", () => {
    const hand = kvPoints(rows("seeds/003-rtx-pro-6000-vllm-sglang.yaml"));
    assert.ok(hand.length > 0 && hand.every((p) => p.origin === "hand-entered" && p.unit === "tokens"));
    assert.deepEqual(hand.map((p) => p.value), [876006, 876006]);
    assert.deepEqual(kvRatios(hand), []);
  });
});
