import assert from "node:assert/strict";
import {describe, it} from "node:test";
import type {Result, Run} from "../../../scripts/schema/schema.js";
import {fixtureText, read, readFixture} from "../../helpers/fixtures.js";

/** Oracle: (ms, tokens, ms per token, tokens per second) of every `<label> = …` timing line, in order. */
function timings(text: string, label: "prompt eval time" | "eval time"): number[][] {
  const re =
    label === "eval time"
      ? /(?<!prompt )eval time\s*=\s*([\d.]+) ms\s*\/\s*(\d+) (?:tokens|runs)\s*\(\s*([\d.]+) ms per token,\s*([\d.]+) tokens per second\)/g
      : /prompt eval time\s*=\s*([\d.]+) ms\s*\/\s*(\d+) tokens\s*\(\s*([\d.]+) ms per token,\s*([\d.]+) tokens per second\)/g;
  return [...text.matchAll(re)].map((m) => m.slice(1).map(Number));
}

const of = (run: Run, test: string, metric: string): Result[] =>
  run.results.filter((r) => r.test === test && r.metric === metric && r.scope === "request");

describe("llama-server-log: our CPU build's log (captured)", () => {
  const name = "captured/cpu/llama-server.stderr";
  const text = fixtureText(name);
  const [run] = readFixture(name).stored.runs;

  it("reads each request's prompt and eval timings as printed, request index in order", () => {
    assert.equal(run.tool, "llama-server");
    assert.equal(run.runtime, "llama.cpp");
    assert.equal(run.format, "llama-server-log");
    const prompt = timings(text, "prompt eval time");
    assert.equal(prompt.length, 4);
    assert.deepEqual(
      of(run, "prompt eval time", "duration").map((r) => [r.request, r.value, r.n_prompt]),
      prompt.map((p, i) => [i, p[0], p[1]])
    );
    assert.deepEqual(
      of(run, "prompt eval time", "throughput").map((r) => r.value),
      prompt.map((p) => p[3])
    );
    assert.deepEqual(
      of(run, "eval time", "throughput").map((r) => [r.value, r.n_gen]),
      timings(text, "eval time").map((p) => [p[3], p[1]])
    );
    const first = of(run, "prompt eval time", "throughput")[0];
    assert.deepEqual(
      [first.unit, first.stat, first.kind, first.extra?.task, first.extra?.log_time],
      ["tok/s", "value", "pp", 0, "0.00.276.005"]
    );
    assert.equal(of(run, "eval time", "time_per_token")[0].value, 0.54);
  });

  it("reads total time with the request's prompt and generation sizes", () => {
    const totals = of(run, "total time", "duration");
    assert.deepEqual(
      totals.map((r) => [r.value, r.n_prompt, r.n_gen, r.extra?.tokens]),
      [
        [15.16, 35, 16, 51],
        [5.76, 23, 16, 39],
        [4.4, 5, 16, 21],
        [5.35, 4, 16, 20]
      ]
    );
  });

  it("takes the model from the server's own load_model line", () => {
    assert.equal(run.model.file, "tiny.gguf");
  });

  it("summarizes per-request throughput (derived from requests, no single prompt size)", () => {
    const median = run.results.find((r) => r.test === "eval time" && r.stat === "median")!;
    // Printed eval rates: 1835.76, 3083.25, 3986.18, 3241.14 → sorted; rank 2 = 3083.25.
    assert.equal(median.value, 3083.25);
    assert.equal(median.extra?.derived_from, "request");
    assert.equal(median.n_gen, null);
    assert.equal(run.results.find((r) => r.test === "eval time" && r.stat === "max")!.value, 3986.18);
  });
});

describe("llama-server-log: draft acceptance and progress lines (club-3090)", () => {
  it("reads draft acceptance, mean len and a prompt-processing progress line", () => {
    const name = "llama-server/club3090-1106-draft.log";
    const [run] = readFixture(name).stored.runs;
    const rate = of(run, "draft acceptance", "acceptance_rate");
    assert.deepEqual(
      rate.map((r) => [r.request, r.value, r.unit, r.extra?.task]),
      [
        [0, 0.675, "ratio", 9126],
        [1, 0.92727, "ratio", 9161]
      ]
    );
    assert.deepEqual(
      of(run, "draft acceptance", "accepted_tokens").map((r) => r.value),
      [108, 51]
    );
    assert.deepEqual(
      of(run, "draft acceptance", "drafted_tokens").map((r) => r.value),
      [160, 55]
    );
    assert.deepEqual(
      of(run, "draft acceptance", "acceptance_length").map((r) => r.value),
      [4.38, 5.64]
    );
    const pp = run.results.find((r) => r.test === "prompt processing" && r.metric === "throughput")!;
    assert.deepEqual(
      [pp.value, pp.n_prompt, pp.scope, pp.stat, pp.request, pp.extra?.progress],
      [231.47, 1934, "cumulative", "mean", 1, 1]
    );
    assert.equal(
      of(run, "prompt eval time", "throughput")[0].request,
      1,
      "the progress line and the timings of task 9161 are one request"
    );
  });

  it("reads tg (since generation began) and tg_3s (the last window) with n_gen", () => {
    const name = "llama-server/club3090-1124-progress.log";
    const text = fixtureText(name);
    const [run] = readFixture(name).stored.runs;
    const cumulative = run.results.filter((r) => r.test === "tg" && r.scope === "cumulative");
    const windows = run.results.filter((r) => r.test === "tg_3s" && r.scope === "interval");
    const oracle = [...text.matchAll(/n_gen =\s*(\d+), tg =\s*([\d.]+) t\/s, tg_3s =\s*([\d.]+) t\/s/g)].map((m) =>
      m.slice(1).map(Number)
    );
    assert.deepEqual(
      cumulative.map((r) => [r.n_gen, r.value]),
      oracle.map((o) => [o[0], o[1]])
    );
    assert.deepEqual(
      windows.map((r) => [r.n_gen, r.value]),
      oracle.map((o) => [o[0], o[2]])
    );
    assert.deepEqual(
      [cumulative[0].scope, cumulative[0].stat, windows[0].scope, windows[0].stat],
      ["cumulative", "mean", "interval", "interval_mean"]
    );
    assert.deepEqual(
      windows.map((r) => r.seq),
      [0, 1, 2, 3]
    );
    assert.deepEqual(
      windows.map((r) => r.request),
      [1, 1, 1, 1]
    );
    // Printed tg_3s: 19.23, 18.62, 17.10, 15.30 → sorted; p25 = rank ⌈0.25·4⌉ = 1, p75 = rank 3.
    const band = (stat: string) => run.results.find((r) => r.test === "tg_3s" && r.stat === stat)!.value;
    assert.deepEqual([band("range_low"), band("range_high"), band("median"), band("max")], [15.3, 18.62, 17.1, 19.23]);
  });

  it("reads the older n_decoded spelling inside a fenced post", () => {
    const [run] = readFixture("llama-server/club3090-1090-n-decoded.md").stored.runs;
    assert.deepEqual(
      run.results.filter((r) => r.test === "tg (n_decoded)").map((r) => [r.n_gen, r.value]),
      [
        [501, 32.79],
        [603, 32.86],
        [701, 32.83]
      ]
    );
    assert.equal(of(run, "prompt eval time", "throughput")[0].value, 656.48);
    assert.equal(
      of(run, "prompt eval time", "throughput")[0].request,
      0,
      "progress lines and timings of task 409 are one request"
    );
  });
});

describe("llama-server-log: older and other shapes", () => {
  it("reads timings printed bare under a prefix-only line, with `draft acceptance rate`", () => {
    const [run] = readFixture("llama-server/pr12603-bare.txt").stored.runs;
    assert.deepEqual(
      of(run, "prompt eval time", "throughput").map((r) => r.value),
      [33.06]
    );
    assert.deepEqual(
      of(run, "draft acceptance", "acceptance_rate").map((r) => [r.value, r.request]),
      [[0.23026, 0]]
    );
    assert.deepEqual(
      of(run, "draft acceptance", "drafted_tokens").map((r) => r.value),
      [304]
    );
  });

  it("reads llama-swap's [pid] prefix and a prefix-only header line", () => {
    const [run] = readFixture("llama-server/pr23269-pid-prefix.log").stored.runs;
    assert.deepEqual(
      of(run, "eval time", "throughput").map((r) => [r.value, r.n_gen, r.extra?.task]),
      [[13.4, 192, 689]]
    );
    assert.deepEqual(
      of(run, "draft acceptance", "acceptance_rate").map((r) => r.value),
      [0.81944]
    );
    assert.deepEqual(
      run.results.filter((r) => r.test === "tg (n_decoded)").map((r) => r.value),
      [13.64, 13.41]
    );
    assert.ok(!run.results.some((r) => r.test.includes("statistics")));
  });

  it("reads mid-2024 `INFO [ print_timings]` lines with runs and task ids", () => {
    const [run] = readFixture("llama-server/issue9013-json-style.log").stored.runs;
    assert.deepEqual(
      of(run, "prompt eval time", "throughput").map((r) => r.value),
      [768.49]
    );
    const gen = of(run, "eval time", "throughput")[0];
    assert.deepEqual([gen.value, gen.n_gen, gen.extra?.counted, gen.extra?.task], [245.13, 783, "runs", 0]);
    assert.equal(of(run, "total time", "duration")[0].value, 3209.84);
  });

  it("reads mean acceptance length and per-position acceptance", () => {
    const [run] = readFixture("llama-server/pr24536-per-position.log").stored.runs;
    assert.deepEqual(
      of(run, "draft acceptance", "acceptance_length").map((r) => r.value),
      [2.92]
    );
    assert.deepEqual(
      run.results.filter((r) => r.test === "acceptance rate per position").map((r) => [r.extra?.position, r.value]),
      [
        [1, 0.805],
        [2, 0.632],
        [3, 0.483]
      ]
    );
  });

  it("fills model and settings from the llama-server command before the log", () => {
    const text = `llama-server -m /models/Qwen3-8B-Q4_K_M.gguf -c 8192 -ngl 99 --port 8080\n${fixtureText("llama-server/pr24536-per-position.log")}`;
    const [run] = read(text).stored.runs;
    assert.equal(run.model.file, "/models/Qwen3-8B-Q4_K_M.gguf");
    assert.equal(run.model.quant, "Q4_K_M");
    assert.equal(run.settings.c, 8192, "the server's own option names, as the HTTP-benchmark formats keep them");
    assert.equal(run.settings.ngl, 99);
  });

  it("does not read llama-cli's perf lines as a server's", () => {
    assert.throws(
      () =>
        read(
          "llama_perf_context_print: prompt eval time =     191.31 ms /     5 tokens (   38.26 ms per token,    26.14 tokens per second)\n",
          "cli.txt",
          {format: "llama-server-log"}
        ),
      /none found/
    );
  });
});
