import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {InputError} from "../../../scripts/document/read.js";
import type {ReadInput} from "../../../scripts/import/import.js";
import type {Result} from "../../../scripts/schema/schema.js";
import {fixtureText, read, readFixture} from "../../helpers/fixtures.js";

/** The stored results of a reading, in order (they carry their own `extra`). */
function resultsOf(reading: ReadInput): Result[] {
  return reading.stored.runs.flatMap((run) => run.results);
}

/** Oracle independent of the parser: `key=value` numbers printed on lines starting with `prefix`. */
function printed(text: string, prefix: RegExp, key: string): {line: number; value: number}[] {
  return text
    .split(/\r?\n/)
    .map((line, i) => ({line: i + 1, text: line}))
    .filter((l) => prefix.test(l.text))
    .flatMap((l) =>
      [...l.text.matchAll(new RegExp(`\\b${key}=(-?\\d+(?:\\.\\d+)?)`, "g"))].map((m) => ({
        line: l.line,
        value: Number(m[1])
      }))
    );
}

describe("mlx_lm.benchmark: seed 001 (Apple M4, mlx-lm 0.31.1)", () => {
  const name = "mlx/seed-001-m4.txt";
  const text = fixtureText(name);
  const reading = readFixture(name);
  const [run] = reading.stored.runs;
  const rows = resultsOf(reading);

  it("reads one run with a mean per printed key, the trials as samples", () => {
    assert.equal(reading.stored.runs.length, 1);
    for (const [key, metric, kind] of [
      ["prompt_tps", "throughput", "pp"],
      ["generation_tps", "throughput", "tg"],
      ["peak_memory", "peak_memory", "pp+tg"]
    ]) {
      const row = rows.find((r) => r.metric === metric && r.kind === kind)!;
      const [average] = printed(text, /^Averages:/, key);
      const trials = printed(text, /^Trial \d+:/, key);
      assert.equal(row.value, average.value, key);
      assert.equal(row.line, average.line);
      assert.deepEqual(
        row.samples,
        trials.map((t) => t.value)
      );
      assert.deepEqual(
        (row.extra as {sample_lines: number[]}).sample_lines,
        trials.map((t) => t.line)
      );
      assert.equal(row.repetitions, 5);
      assert.equal(row.stat, "mean");
      assert.equal(row.stddev, null, "the tool prints no deviation; none is computed");
      assert.equal(row.stddev_kind, null);
    }
    assert.equal(rows.length, 3);
  });

  it("spot-checks printed values and units", () => {
    const pp = rows.find((r) => r.kind === "pp")!;
    assert.deepEqual([pp.value, pp.unit, pp.text, pp.test], [359.188, "tok/s", "prompt_tps=359.188", "pp1024"]);
    const tg = rows.find((r) => r.kind === "tg")!;
    assert.deepEqual([tg.value, tg.test, (tg.samples as number[])[0]], [39.023, "tg64 @ d1024", 39.657]);
    const mem = rows.find((r) => r.metric === "peak_memory")!;
    assert.deepEqual([mem.value, mem.unit, mem.samples], [3.503, "GB", [3.502, 3.503, 3.503, 3.504, 3.504]]);
    assert.ok(run.notes.some((n) => n.includes("10^9 bytes")));
  });

  it("takes shape from the Timing line, model from --model, version from the comment, hardware from the label", () => {
    assert.equal(run.tool, "mlx_lm.benchmark");
    assert.equal(run.tool_version, "0.31.1");
    assert.equal(run.runtime, "mlx");
    assert.equal(run.format, "mlx-lm-benchmark");
    assert.deepEqual(run.settings, {prompt_tokens: 1024, generation_tokens: 64, batch_size: 1});
    assert.deepEqual(run.settings_from_command, []);
    assert.equal(run.model.file, "./mlx-community/Qwen3.5-4B-MLX-4bit");
    assert.equal(run.model.quant, "4bit");
    assert.equal(run.hardware.stated, "Apple M4");
    assert.equal(
      run.command,
      "uv run python3 -m mlx_lm.benchmark --model ./mlx-community/Qwen3.5-4B-MLX-4bit -p 1024 -g 64"
    );
    assert.deepEqual([run.source.line_start, run.source.line_end], [4, 12]);
    // Generation follows the 1024-token prompt: tg64 at depth 1024, as llama-bench would name it.
    assert.deepEqual(
      rows.map((r) => [r.test, r.n_prompt, r.n_gen, r.n_depth, r.concurrency]),
      [
        ["pp1024", 1024, 0, 0, 1],
        ["tg64 @ d1024", 0, 64, 1024, 1],
        ["pp1024+tg64", 1024, 64, 0, 1]
      ]
    );
  });

  it("accounts for every line in --explain terms", () => {
    assert.deepEqual(
      reading.reading.blocks.map((b) => [b.format, b.line_start, b.line_end, b.confidence]),
      [["mlx-lm-benchmark", 5, 12, 1]]
    );
    assert.deepEqual(
      reading.reading.context.map((c) => c.kind),
      ["heading", "comment", "command"]
    );
    assert.deepEqual(
      reading.reading.ignored.map((r) => [r.line_start, r.reason]),
      [[2, "blank"]]
    );
  });
});

describe("mlx_lm.benchmark: goniz/mlx-vulkan README (total_time, fence glued to Averages)", () => {
  const name = "mlx/mlx-vulkan-readme.md";
  const text = fixtureText(name);
  const reading = readFixture(name);
  const rows = resultsOf(reading);

  it("reads both outputs, every printed Averages value", () => {
    assert.equal(reading.stored.runs.length, 2);
    for (const key of ["prompt_tps", "generation_tps", "peak_memory"]) {
      const means = rows.filter((r) => (r.extra as {field: string}).field === key);
      assert.deepEqual(
        means.map((r) => [r.line, r.value]),
        printed(text, /^Averages:/, key).map((p) => [p.line, p.value])
      );
    }
    const glued = rows.find((r) => r.metric === "peak_memory")!;
    assert.equal(glued.value, 2.825);
    assert.equal(glued.text, "peak_memory=2.825");
  });

  it("keeps total_time (no average printed) as one duration per trial, in seconds", () => {
    const durations = rows.filter((r) => r.metric === "duration");
    assert.deepEqual(
      durations.map((r) => [r.line, r.value]),
      printed(text, /^Trial \d+:/, "total_time").map((p) => [p.line, p.value])
    );
    assert.equal(durations.length, 10);
    assert.ok(
      durations.every((r) => r.unit === "s" && r.stat === "value" && r.kind === "pp+tg" && (r.samples ?? null) === null)
    );
    assert.deepEqual(
      durations.slice(0, 5).map((r) => (r.extra as {trial: number}).trial),
      [1, 2, 3, 4, 5]
    );
  });

  it("takes the hardware from the label line, and shape 4096/128", () => {
    for (const run of reading.stored.runs) {
      assert.equal(run.hardware.stated, "AMD Radeon 8060S");
      assert.equal(run.tool_version, null);
      assert.equal(run.model.file, null);
      assert.equal(run.settings.prompt_tokens, 4096);
    }
    assert.deepEqual(
      [...new Set(rows.filter((r) => r.metric === "throughput").map((r) => r.test))],
      ["pp4096", "tg128 @ d4096"]
    );
  });
});

describe("mlx_lm.benchmark: variants and damage", () => {
  const seed = fixtureText("mlx/seed-001-m4.txt");
  const output = seed.split("\n").slice(4).join("\n");

  it("reads a Markdown paste with blank lines between output lines", () => {
    const spaced = output.split("\n").join("\n\n");
    const rows = resultsOf(read(spaced));
    assert.deepEqual(
      rows.map((r) => r.value),
      [359.188, 39.023, 3.503]
    );
    assert.equal(rows[0].line, 15);
    assert.deepEqual((rows[0].extra as {sample_lines: number[]}).sample_lines, [5, 7, 9, 11, 13]);
  });

  it("reads CRLF line endings", () => {
    const rows = resultsOf(read(output.replace(/\n/g, "\r\n")));
    assert.deepEqual(
      rows.map((r) => r.value),
      [359.188, 39.023, 3.503]
    );
  });

  it("splits an output flattened onto one line, every value on that line", () => {
    const reading = read(`Here it is: ${output.replace(/\n/g, " ")}`);
    const rows = resultsOf(reading);
    assert.deepEqual(
      rows.map((r) => [r.line, r.value]),
      [
        [1, 359.188],
        [1, 39.023],
        [1, 3.503]
      ]
    );
    assert.deepEqual(rows[0].samples, [361.322, 358.414, 356.888, 359.941, 359.376]);
  });

  it("keeps each trial of a truncated output (no Averages) as its own value, never a computed mean", () => {
    const truncated = output.split("\n").slice(0, 5).join("\n");
    const reading = read(truncated);
    const rows = resultsOf(reading);
    assert.equal(reading.reading.blocks[0].confidence, 0.9);
    assert.deepEqual(
      rows.filter((r) => r.kind === "pp").map((r) => [r.line, r.value, r.stat]),
      [
        [3, 361.322, "value"],
        [4, 358.414, "value"],
        [5, 356.888, "value"]
      ]
    );
    assert.deepEqual(
      rows.filter((r) => r.metric === "peak_memory").map((r) => r.stat),
      ["peak", "peak", "peak"]
    );
    assert.ok(reading.stored.runs[0].notes.some((n) => n.includes("no Averages line")));
  });

  it("fills settings from the command when the Timing line is missing, and maps batch size to concurrency", () => {
    const text = [
      "$ mlx_lm.benchmark --model mlx-community/Qwen3-0.6B-8bit -p 512 -g 128 -b 4 -n 2",
      "Trial 1:  prompt_tps=100.000, generation_tps=50.000, peak_memory=1.000",
      "Trial 2:  prompt_tps=101.000, generation_tps=51.000, peak_memory=1.000",
      "Averages: prompt_tps=100.500, generation_tps=50.500, peak_memory=1.000"
    ].join("\n");
    const [run] = read(text).stored.runs;
    assert.deepEqual(run.settings, {prompt_tokens: 512, generation_tokens: 128, batch_size: 4, num_trials: 2});
    assert.deepEqual(run.settings_from_command, ["prompt_tokens", "generation_tokens", "batch_size", "num_trials"]);
    assert.equal(run.results[0].concurrency, 4);
    assert.equal(run.model.quant, "8bit");
  });

  it("refuses a trial value that is not a number, naming its line", () => {
    const broken = output.replace("generation_tps=38.724", "generation_tps=3x.724");
    assert.throws(
      () => read(broken),
      (e: unknown) => e instanceof InputError && e.line === 4 && /a number for generation_tps/.test(e.message)
    );
  });

  it("is chosen by --format even when forced", () => {
    const [run] = read(output, "x.txt", {format: "mlx-lm-benchmark"}).stored.runs;
    assert.equal(run.results.length, 3);
  });
});
