import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {
  expandParamValues,
  llamaBenchParam,
  parseIntRange,
  RangeError
} from "../../scripts/bench/llama-bench-options.js";

// Expected values worked out by hand from llama-bench.cpp's parse_int_range
// (regex ^(\d+)(?:-(\d+)(?:([\+|\*])(\d+))?)?(?:,|$), loop `for (i = first; i <= last;)`,
// "invalid range" when a step does not grow i, "invalid range format" for leftovers).
// test/tools/parse-int-range.test.ts compares against the compiled C++ function itself.
describe("parseIntRange: llama-bench's parse_int_range", () => {
  it("reads single values and comma lists", () => {
    assert.deepEqual(parseIntRange("512"), [512]);
    assert.deepEqual(parseIntRange("0,16384"), [0, 16384]);
    assert.deepEqual(parseIntRange("128,256,128"), [128, 256, 128]);
  });

  it("expands first-last, first-last+step and first-last*mult", () => {
    assert.deepEqual(parseIntRange("1-4"), [1, 2, 3, 4]);
    assert.deepEqual(parseIntRange("1-8+2"), [1, 3, 5, 7]);
    assert.deepEqual(parseIntRange("0-32768+8192"), [0, 8192, 16384, 24576, 32768]);
    assert.deepEqual(parseIntRange("16-512*2"), [16, 32, 64, 128, 256, 512]);
    assert.deepEqual(parseIntRange("100-300*2"), [100, 200]);
    assert.deepEqual(parseIntRange("1-2,8-16*2,100"), [1, 2, 8, 16, 100]);
  });

  it("accepts what llama-bench accepts at the edges", () => {
    assert.deepEqual(parseIntRange("128,"), [128], "a trailing comma is consumed by the item regex");
    assert.deepEqual(parseIntRange(""), [], "an empty value is an empty list");
    assert.deepEqual(parseIntRange("8-1"), [], "last below first yields nothing");
    assert.deepEqual(parseIntRange("007"), [7]);
    assert.deepEqual(parseIntRange("-1", true), [-1], "-ngl allows a negative first value");
    assert.deepEqual(parseIntRange("-1-1", true), [-1, 0, 1]);
  });

  it("refuses what llama-bench refuses", () => {
    for (const bad of ["0-8*2", "1-8*1", "1-8+0", "2147483647-2147483647+1"])
      assert.throws(
        () => parseIntRange(bad),
        (e: Error) => e instanceof RangeError && /invalid range:/.test(e.message),
        bad
      );
    for (const bad of ["1-8|2", ",1", "1,,2", "a", "1 ,2", "1-", "1.5", "-1", "1-8/2"])
      assert.throws(() => parseIntRange(bad), RangeError, bad);
    assert.throws(() => parseIntRange("99999999999"), /out of range/);
  });
});

describe("llama-bench parameter names", () => {
  it("finds a parameter by short option, long option, Markdown column or JSON field", () => {
    for (const name of ["-ub", "ub", "--ubatch-size", "ubatch-size", "ubatch_size", "--ubatch_size", "n_ubatch"])
      assert.equal(llamaBenchParam(name)?.field, "n_ubatch", name);
    for (const name of ["-sm", "sm", "--split-mode", "split_mode"])
      assert.equal(llamaBenchParam(name)?.field, "split_mode", name);
    for (const name of ["-ngl", "ngl", "--n-gpu-layers", "n_gpu_layers"])
      assert.equal(llamaBenchParam(name)?.field, "n_gpu_layers", name);
    assert.equal(llamaBenchParam("threads")?.field, "n_threads");
    assert.equal(llamaBenchParam("-d")?.field, "n_depth");
    assert.equal(llamaBenchParam("frobnicate"), undefined);
  });

  it("splits values as llama-bench does, per kind", () => {
    assert.deepEqual(expandParamValues(llamaBenchParam("-ub")!, "128-512*2"), ["128", "256", "512"]);
    assert.deepEqual(
      expandParamValues(llamaBenchParam("-ub")!, [128, "256,384"]),
      ["128", "256", "384"],
      "a YAML list is the option repeated"
    );
    assert.deepEqual(expandParamValues(llamaBenchParam("-ngl")!, -1), ["-1"]);
    assert.deepEqual(expandParamValues(llamaBenchParam("-sm")!, "layer,tensor"), ["layer", "tensor"]);
    assert.deepEqual(
      expandParamValues(llamaBenchParam("-ts")!, "0.48/0.52,0.5/0.5"),
      ["0.48/0.52", "0.5/0.5"],
      "-ts: `,` separates alternatives, `/` devices"
    );
    assert.deepEqual(
      expandParamValues(llamaBenchParam("-nkvo")!, [true, false]),
      ["1", "0"],
      "booleans become llama-bench's 0/1"
    );
    assert.throws(() => expandParamValues(llamaBenchParam("-nkvo")!, "yes"), /not 0 or 1/);
    assert.throws(() => expandParamValues(llamaBenchParam("-sm")!, "layer,"), /empty item/);
  });
});
