import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {InputError} from "../../../scripts/document/read.js";
import {fixtureText, read, readFixture, rowsOf} from "../../helpers/fixtures.js";

/** Oracle independent of the parser: every `value ± sd` cell of the text's table rows, row by row, left to right. */
function printedCells(text: string): {value: number; stddev: number; line: number}[] {
  return text.split(/\r?\n/).flatMap((row, i) =>
    row.trimStart().startsWith("|")
      ? row
          .split("|")
          .map((cell) => /^\s*(-?\d+(?:\.\d+)?)\s*±\s*(\d+(?:\.\d+)?)\s*$/.exec(cell))
          .filter((m): m is RegExpExecArray => m !== null)
          .map((m) => ({value: Number(m[1]), stddev: Number(m[2]), line: i + 1}))
      : []
  );
}

describe("llama-benchy md: seed 001 (llama-server, SGLang and vLLM behind the endpoint)", () => {
  const name = "llama-benchy/seed-001-servers.txt";
  const text = fixtureText(name);
  const reading = readFixture(name);
  const runs = reading.stored.runs;
  const rows = rowsOf(reading);

  it("reads all four tables, every value and deviation exactly as printed, on its own line", () => {
    assert.deepEqual(
      runs.map((r) => r.format),
      ["llama-benchy-md", "llama-benchy-md", "llama-benchy-md", "llama-benchy-md"]
    );
    assert.deepEqual(
      rows.map((r) => ({value: r.value, stddev: r.stddev, line: r.line})),
      printedCells(text)
    );
    assert.equal(rows.length, 4 * 24);
    assert.ok(rows.every((r) => r.stddev_kind === "population"));
  });

  it("maps each column to its metric, unit and statistic", () => {
    const first = rows.filter((r) => r.run_id === runs[0].id);
    const pp = first.filter((r) => r.test === "pp2048");
    assert.deepEqual(
      pp.map((r) => [r.metric, r.unit, r.stat, r.value, r.stddev, r.text]),
      [
        ["throughput", "tok/s", "mean", 3171.6, 1283.2, "3171.60 ± 1283.20"],
        ["ttfr", "ms", "mean", 805.91, 400.47, "805.91 ± 400.47"],
        ["est_ppt", "ms", "mean", 804.21, 400.47, "804.21 ± 400.47"],
        ["e2e_ttft", "ms", "mean", 806.03, 400.48, "806.03 ± 400.48"]
      ]
    );
    const tg = first.filter((r) => r.test === "tg32");
    assert.deepEqual(
      tg.map((r) => [r.metric, r.stat, r.value, r.stddev]),
      [
        ["throughput", "mean", 109.62, 12.48],
        ["throughput", "peak", 113.47, 12.96]
      ]
    );
  });

  it("reads test names into kind, prompt, generation, depth and concurrency", () => {
    const shapes = new Map(
      rows
        .filter((r) => r.run_id === runs[3].id)
        .map((r) => [r.test, [r.kind, r.n_prompt, r.n_gen, r.n_depth, r.concurrency]])
    );
    assert.deepEqual(shapes.get("pp2048 @ d32768"), ["pp", 2048, null, 32768, 1]);
    assert.deepEqual(shapes.get("tg32 @ d8192"), ["tg", null, 32, 8192, 1]);
    assert.deepEqual(shapes.get("pp2048"), ["pp", 2048, null, 0, 1]);
  });

  it("takes the runtime from the server command before each table", () => {
    assert.deepEqual(
      runs.map((r) => r.runtime),
      ["llama.cpp", "llama.cpp", "sglang", "vllm"]
    );
  });

  it("reads the runtime's version from the comment line above its command", () => {
    assert.equal(runs[0].build_number, 8396);
    assert.equal(runs[0].build_commit, "054d8b0f2");
    assert.equal(runs[1].build_commit, null, "no version comment above the second llama-server command");
    assert.equal(runs[2].build_commit, "7f99319c");
    assert.equal(runs[3].extra.runtime_version, "0.17.2rc1.dev13+gf34032433");
  });

  it("takes llama-benchy's version from the uvx pin, and repetitions from --runs", () => {
    assert.deepEqual(
      runs.map((r) => r.tool_version),
      ["0.3.4", "0.3.5", "0.3.5", "0.3.5"]
    );
    assert.match(runs[0].command!, /^uvx llama-benchy@v0\.3\.4 --base-url http:\/\/127\.0\.0\.1:8080/);
    assert.ok(rows.every((r) => r.repetitions === 5));
  });

  it("fills the model file and quantization from the server command, the model name from the table", () => {
    assert.equal(runs[0].model.name, "Qwen/Qwen3.5-35B-A3B");
    assert.equal(runs[0].model.file, "unsloth/Qwen3.5-35B-A3B-GGUF/Qwen3.5-35B-A3B-UD-Q3_K_XL.gguf");
    assert.equal(runs[0].model.quant, "UD-Q3_K_XL");
    assert.equal(runs[1].model.quant, "Q8_0");
    assert.equal(runs[3].model.file, "Qwen/Qwen3.5-4B");
  });

  it("keeps the server's options under its own names", () => {
    assert.equal(runs[0].settings["ctx-size"], 262144);
    assert.equal(runs[0].settings.jinja, true);
    assert.equal(runs[2].settings["speculative-algorithm"], "EAGLE");
    assert.equal(runs[2].settings["speculative-num-draft-tokens"], 4);
    assert.equal(runs[2].settings["mamba-scheduler-strategy"], "extra_buffer");
    assert.equal(runs[3].settings["speculative-config"], '{"method": "mtp", "num_speculative_tokens": 1}');
    assert.ok(runs[2].settings_from_command.includes("speculative-num-steps"));
    assert.deepEqual(runs[2].extra.env, {SGLANG_ENABLE_SPEC_V2: "1"});
    assert.match(String(runs[2].extra.server_command), /python -m sglang\.launch_server/);
  });

  it("spans each run from its server command to the end of its table", () => {
    const lines = text.split("\n");
    assert.match(lines[runs[0].source.line_start - 1], /^\$ llama-server/);
    assert.match(lines[runs[2].source.line_start - 1], /sglang\.launch_server/);
    assert.match(lines[runs[3].source.line_end - 1], /tg32 @ d32768/);
  });
});

describe("llama-benchy md: concurrency and prefix caching (eugr/llama-benchy README)", () => {
  const concurrency = rowsOf(readFixture("llama-benchy/readme-concurrency.md"));
  const caching = readFixture("llama-benchy/readme-prefix-caching.md");

  it("reads t/s (total) and t/s (req) as two metrics, and the (cN) suffix as concurrency", () => {
    assert.deepEqual(
      concurrency.map((r) => ({value: r.value, stddev: r.stddev, line: r.line})),
      printedCells(fixtureText("llama-benchy/readme-concurrency.md"))
    );
    const c2 = concurrency.filter((r) => r.test === "pp2048 (c2)");
    assert.deepEqual(
      c2.map((r) => [r.metric, r.stat, r.value, r.stddev, r.concurrency]),
      [
        ["throughput", "mean", 7198.2, 541.69, 2],
        ["throughput_per_request", "mean", 4872.8, 1298.05, 2],
        ["ttfr", "mean", 473.18, 85.71, 2],
        ["est_ppt", "mean", 442.77, 85.71, 2],
        ["e2e_ttft", "mean", 568.97, 40.44, 2]
      ]
    );
  });

  it("reads the context-loading rows of --enable-prefix-caching as ctx_pp/ctx_tg at their depth", () => {
    const rows = rowsOf(caching);
    const ctx = rows.filter((r) => r.test === "ctx_pp @ d8192");
    assert.deepEqual([ctx[0].kind, ctx[0].n_depth, ctx[0].n_prompt, ctx[0].value], ["ctx_pp", 8192, null, 9177.24]);
    assert.equal(rows.find((r) => r.test === "ctx_tg @ d32768" && r.stat === "peak")?.value, 72.29);
  });

  it("reads the footer: version, latency mode, date", () => {
    const [run] = caching.stored.runs;
    assert.equal(run.tool_version, "0.2.2.dev1+g52d2b0d55.d20260206");
    assert.equal(run.settings.latency_mode, "generation");
    assert.equal(run.extra.date, "2026-02-06 16:15:38");
    assert.equal(run.started_at, null, "the footer's date has no time zone");
    assert.equal(run.source.line_end, 23);
  });
});

describe("llama-benchy md: console capture with one concurrency level (c4)", () => {
  const reading = readFixture("llama-benchy/console-c4.txt");
  const [run] = reading.stored.runs;
  const rows = rowsOf(reading);

  it("reads peak t/s (req) and leaves the banner line alone", () => {
    assert.deepEqual(
      rows.map((r) => [r.test, r.metric, r.stat, r.value, r.stddev]),
      [
        ["pp2048 (c4)", "throughput", "mean", 2044.73, 34.36],
        ["pp2048 (c4)", "throughput_per_request", "mean", 517.79, 13.5],
        ["pp2048 (c4)", "ttfr", "mean", 3964.96, 101.68],
        ["pp2048 (c4)", "est_ppt", "mean", 3959.56, 101.68],
        ["pp2048 (c4)", "e2e_ttft", "mean", 3964.96, 101.68],
        ["tg32 (c4)", "throughput", "mean", 40.12, 1.03],
        ["tg32 (c4)", "throughput_per_request", "mean", 13.45, 4.23],
        ["tg32 (c4)", "throughput", "peak", 57, 6.16],
        ["tg32 (c4)", "throughput_per_request", "peak", 16, 4.2]
      ]
    );
    assert.equal(run.command, null);
    assert.equal(run.tool_version, "0.3.8.dev2+gff162bcfc");
    assert.equal(run.runtime, null, "nothing says what served the endpoint");
  });

  it("takes the runtime from --runtime when the text does not say", () => {
    const [forced] = readFixture("llama-benchy/console-c4.txt", {runtime: "vllm"}).stored.runs;
    assert.equal(forced.runtime, "vllm");
  });
});

describe("llama-benchy md: edge cases", () => {
  const header =
    "| model | test | t/s | peak t/s | ttfr (ms) | est_ppt (ms) | e2e_ttft (ms) |\n|:--|--:|--:|--:|--:|--:|--:|";

  it("reads CRLF text", () => {
    const text = `${header}\n| m | tg32 | 49.87 ± 0.22 | 55.22 ± 0.68 | | | |\n`.replace(/\n/g, "\r\n");
    assert.deepEqual(
      rowsOf(read(text)).map((r) => [r.value, r.line]),
      [
        [49.87, 3],
        [55.22, 3]
      ]
    );
  });

  it("names the line of a truncated row", () => {
    const text = `${header}\n| m | pp2048 | 8768.36 ± 886.82 | | 239.95 ± 21.02 | 235.78 ± 21.02 | 240.08 ± 21.03 |\n| m | tg32 | 49.87 ± 0.22`;
    assert.throws(
      () => read(text, "cut.md"),
      (e: unknown) =>
        e instanceof InputError && e.file === "cut.md" && e.line === 4 && /expected 7 cells/.test(e.message)
    );
  });

  it("names the line of a cell that is not a number", () => {
    const text = `${header}\n| m | tg32 | fast | | | | |`;
    assert.throws(
      () => read(text, "bad.md"),
      (e: unknown) => e instanceof InputError && e.line === 3 && /"t\/s" cell/.test(e.message)
    );
  });

  it("refuses a test name llama-benchy never prints", () => {
    const text = `${header}\n| m | warmup | 1.00 ± 0.00 | | | | |`;
    assert.throws(
      () => read(text),
      (e: unknown) => e instanceof InputError && e.line === 3 && /test name/.test(e.message)
    );
  });

  it("is not confused with a llama-bench table", () => {
    const text =
      "| model | size | params | backend | ngl | test | t/s |\n| --- | ---: | ---: | --- | --: | ---: | ---: |\n| llama 7B Q4_0 | 3.56 GiB | 6.74 B | CUDA | 99 | tg128 | 150.10 ± 0.20 |";
    assert.equal(read(text).stored.runs[0].tool, "llama-bench");
  });
});
