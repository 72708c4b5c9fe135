import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {
  colorDistance,
  colorOf,
  colorsFor,
  MIN_COLOR_DISTANCE,
  endLabels,
  valueTitle,
  integerTicks,
  linearTickLabels,
  logTicks,
  quantBits,
  registerDomains,
  seriesColors,
  shade,
  shortLabels,
  yMargin
} from "../../../src/components/shared/chart.js";

describe("palette", () => {
  it("gives a runtime the same colour whatever else is on the chart", () => {
    const a = seriesColors([
      {series: "vllm", runtime: "vllm"},
      {series: "llama.cpp", runtime: "llama.cpp"}
    ]);
    const b = seriesColors([
      {series: "sglang", runtime: "sglang"},
      {series: "vllm", runtime: "vllm"},
      {series: "mlx", runtime: "mlx"}
    ]);
    assert.equal(a.range[a.domain.indexOf("vllm")], b.range[b.domain.indexOf("vllm")]);
    assert.equal(a.dimension, "runtime");
    assert.equal(new Set(b.range).size, 3);
  });

  it("shades variants of one runtime and keeps the runtime's colour for the first", () => {
    const c = seriesColors([
      {series: "vllm · a", runtime: "vllm"},
      {series: "vllm · b", runtime: "vllm"},
      {series: "llama.cpp", runtime: "llama.cpp"}
    ]);
    assert.equal(c.range[0], colorOf("runtime", "vllm"));
    assert.notEqual(c.range[1], c.range[0]);
    assert.equal(c.range[1], shade(colorOf("runtime", "vllm"), 1));
  });

  it("colours machines by their place in the notebook, so a machine keeps its colour on every page", () => {
    registerDomains({machine: ["Apple M4", "RTX 4090", "4× RTX 3080"]});
    const one = seriesColors([
      {series: "x", hardware: "RTX 4090"},
      {series: "y", hardware: "Apple M4"}
    ]);
    const two = seriesColors([
      {series: "z", hardware: "4× RTX 3080"},
      {series: "w", hardware: "RTX 4090"}
    ]);
    assert.equal(one.dimension, "machine");
    assert.equal(one.range[0], two.range[1]);
  });

  it("falls back to one colour per series where shades of one value would be more than three", () => {
    const many = seriesColors(["a", "b", "c", "d"].map((s) => ({series: s, runtime: "llama.cpp", quant: s})));
    assert.equal(many.dimension, "quant");
    const same = seriesColors(["a", "b", "c", "d", "e"].map((s) => ({series: s, runtime: "llama.cpp", hardware: "m"})));
    assert.equal(same.dimension, null);
    assert.equal(new Set(same.range).size, 5);
  });

  it("keeps every series of a chart distinguishable: shades a step apart, no grey among colours, no two colours too close", () => {
    const far = (range: string[]) =>
      range.every((a, i) => range.slice(i + 1).every((b) => colorDistance(a, b) >= MIN_COLOR_DISTANCE));
    // A colour and its two shades, for every runtime and bits-per-weight colour (teal's light shade was 12 apart).
    for (const base of [
      ...["llama.cpp", "vllm", "sglang", "mlx", "lmstudio"].map((r) => colorOf("runtime", r)),
      ...["Q2_K", "Q3_K", "Q4_K_M", "Q5_K", "Q6_K", "Q8_0", "BF16", "F32"].map((q) => colorOf("quant", q))
    ])
      assert.ok(far([0, 1, 2].map((k) => shade(base, k))), base);
    // The RTX 4090 context-decay curves: two 4-bit quants of one family, and SGLang's run that states no quant.
    const decay = seriesColors([
      {series: "27B Q4_K_XL", runtime: "llama.cpp", quant: "UD-Q4_K_XL"},
      {series: "35B Q4_K_XL", runtime: "llama.cpp", quant: "UD-Q4_K_XL"},
      {series: "35B IQ4_XS", runtime: "llama.cpp", quant: "IQ4_XS"},
      {series: "35B Q3_K_XL", runtime: "llama.cpp", quant: "UD-Q3_K_XL"},
      {series: "4B sglang", runtime: "sglang", quant: null}
    ]);
    assert.notEqual(decay.dimension, "quant", "a series without a quant would be grey among coloured ones");
    assert.ok(!decay.range.includes(colorOf("quant", null)), "no grey");
    assert.ok(far(decay.range), decay.range.join(" "));
  });

  it("reads bits per weight from quantization labels", () => {
    assert.deepEqual(
      [
        "Q4_K_M",
        "UD-Q4_K_XL",
        "IQ3_XXS",
        "Q8_0",
        "BF16",
        "F16",
        "MXFP4_MOE",
        "NVFP4",
        "4bit",
        "GPTQ-Int4",
        "FP8",
        "mystery"
      ].map(quantBits),
      [4, 4, 3, 8, 16, 16, 4, 4, 4, 4, 8, null]
    );
    assert.equal(colorOf("quant", "Q4_K_M"), colorOf("quant", "IQ4_XS"));
    assert.notEqual(colorOf("quant", "Q4_K_M"), colorOf("quant", "Q8_0"));
  });
});

describe("scales", () => {
  it("sizes a y margin from its widest tick label (14,000 needs more room than 140)", () => {
    assert.deepEqual(linearTickLabels(0, 13_600, 8).slice(-1), ["14,000"]);
    assert.ok(yMargin(13_600) > yMargin(140));
  });

  it("puts 1-2-5 ticks on a log axis, and every integer multiple over less than a decade", () => {
    assert.deepEqual(logTicks(150, 12_000), [200, 500, 1000, 2000, 5000, 10000]);
    assert.deepEqual(logTicks(20, 90), [20, 30, 40, 50, 60, 70, 80, 90]);
  });

  it("gives an index axis whole-number ticks only", () => {
    assert.deepEqual(integerTicks([0, 1, 2, 3]), [0, 1, 2, 3]);
    assert.ok(integerTicks([0, 57]).every(Number.isInteger));
  });
});

describe("labels", () => {
  it("drops the parts every series shares and gives them back for the subtitle", () => {
    const {labels, common} = shortLabels([
      "GLM · RTX 4090 · pp1024",
      "Qwen · RTX 4090 · pp1024",
      "Qwen · RTX 4090 · pp2048"
    ]);
    assert.equal(common, "RTX 4090");
    assert.deepEqual([...labels.values()], ["GLM · pp1024", "Qwen · pp1024", "Qwen · pp2048"]);
  });

  it("labels each line at its last point, pushed apart so no two overlap", () => {
    const points = [
      {s: "a", x: 0, y: 100},
      {s: "a", x: 10, y: 50},
      {s: "b", x: 0, y: 90},
      {s: "b", x: 10, y: 50.5}
    ];
    const {mark} = endLabels(points, {
      x: (p) => p.x,
      y: (p) => p.y,
      z: (p) => p.s,
      text: (p) => p.s,
      domain: [0, 100],
      height: 300
    });
    const data = (mark as unknown as {data: {p: (typeof points)[number]; at: number}[]}).data;
    assert.deepEqual(
      data.map((e) => e.p.x),
      [10, 10]
    );
    assert.ok(Math.abs(data[1].at - data[0].at) >= (11 * 100) / 250 - 1e-9);
  });
});

describe("tooltips and page colours", () => {
  it("a tooltip says the value as stored, ± sd with its kind, the statistic, the repetitions and the raw line", () => {
    const t = valueTitle("vllm · Qwen3.5-4B", {
      value: 330.87,
      unit: "ms",
      stddev: 12.5,
      stddev_kind: "population",
      stat: "mean",
      metric: "ttft",
      repetitions: 5,
      test: "in 1024 · out 128",
      line: 42
    });
    assert.equal(
      t,
      "vllm · Qwen3.5-4B\nin 1024 · out 128: ttft mean 330.87 ± 12.5 ms\n± is population sd, 5 repetitions\nraw line 42 (click the mark)"
    );
    assert.match(valueTitle(null, {value: 7, stat: "p99"}), /^p99 7\nno sd printed$/);
  });

  it("a chart takes its series' colours from the page's scale, whichever others it shows", () => {
    const page = {domain: ["a", "b", "c"], range: ["#111111", "#222222", "#333333"]};
    assert.deepEqual(colorsFor(page, ["c", "a"]), {domain: ["a", "c"], range: ["#111111", "#333333"]});
  });
});

describe("seriesColors: distinct values never share a colour", () => {
  it("two 4-bit quantizations of two models are not both drawn red (the 4× RTX 3080 speedups)", () => {
    const {range, dimension} = seriesColors([
      {series: "Mistral-Medium-3.5-128B-IQ4_XS · 4× RTX 3080", quant: "IQ4_XS", runtime: "llama.cpp"},
      {series: "Qwen3.5-122B-A10B-UD-IQ4_XS · 4× RTX 3080", quant: "UD-IQ4_XS", runtime: "llama.cpp"}
    ]);
    // Quantization does not tell them apart by colour (both 4-bit red), so neither colours the chart.
    assert.equal(dimension, null);
    assert.notEqual(range[0], range[1]);
  });
});
