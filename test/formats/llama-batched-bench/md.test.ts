import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {InputError} from "../../../scripts/document/read.js";
import type {ReadInput} from "../../../scripts/import/import.js";
import type {Result} from "../../../scripts/schema/schema.js";
import {fixtureText, read, readFixture} from "../../helpers/fixtures.js";

const COLUMNS = ["PP", "TG", "B", "N_KV", "T_PP s", "S_PP t/s", "T_TG s", "S_TG t/s", "T s", "S t/s"] as const;

/** Oracle independent of the parser: the numeric rows of every 10-column batched-bench table, by column name. */
function printedRows(text: string): {line: number; cells: Record<string, string>}[] {
  return text
    .split(/\r?\n/)
    .map((row, i) => ({
      line: i + 1,
      cells: row
        .split("|")
        .slice(1, -1)
        .map((c) => c.trim())
    }))
    .filter((r) => r.cells.length === COLUMNS.length && r.cells.every((c) => /^\d+(?:\.\d+)?$/.test(c)))
    .map((r) => ({line: r.line, cells: Object.fromEntries(COLUMNS.map((name, i) => [name, r.cells[i]]))}));
}

function resultsOf(reading: ReadInput): Result[] {
  return reading.stored.runs.filter((r) => r.tool === "llama-batched-bench").flatMap((run) => run.results);
}

function find(results: Result[], line: number, kind: string, metric: string): Result {
  const found = results.filter((r) => r.line === line && r.kind === kind && r.metric === metric);
  assert.equal(found.length, 1, `one ${kind} ${metric} on line ${line}`);
  return found[0];
}

describe("llama-batched-bench md: our CPU capture (llama_batched_bench: prefix)", () => {
  const name = "captured/cpu/llama-batched-bench-md.stdout";
  const text = fixtureText(name);
  const reading = readFixture(name);
  const results = resultsOf(reading);
  const [run] = reading.stored.runs;

  it("reads every printed cell of every row, as printed", () => {
    const printed = printedRows(text);
    assert.equal(printed.length, 4);
    assert.equal(results.length, printed.length * 6);
    for (const {line, cells} of printed) {
      const pairs: [string, string, string][] = [
        ["pp", "throughput", "S_PP t/s"],
        ["tg", "throughput", "S_TG t/s"],
        ["pp+tg", "throughput", "S t/s"],
        ["pp", "duration", "T_PP s"],
        ["tg", "duration", "T_TG s"],
        ["pp+tg", "duration", "T s"]
      ];
      for (const [kind, metric, column] of pairs) {
        const r = find(results, line, kind, metric);
        assert.equal(r.value, Number(cells[column]), `${column} on line ${line}`);
        assert.equal(r.text, cells[column]);
        assert.equal(r.concurrency, Number(cells.B));
        assert.equal(r.extra?.n_kv, Number(cells.N_KV));
        assert.equal(r.extra?.field, column);
      }
    }
  });

  it("names each phase in llama-bench's terms: generation runs at depth PP", () => {
    const line = printedRows(text)[1].line; // PP 32, TG 16, B 2
    assert.deepEqual(
      ["pp", "tg", "pp+tg"].map((kind) => {
        const r = find(results, line, kind, "throughput");
        return [r.test, r.n_prompt, r.n_gen, r.n_depth, r.unit, r.stat];
      }),
      [
        ["pp32 B2", 32, 0, 0, "tok/s", "value"],
        ["tg16 @ d32 B2", 0, 16, 32, "tok/s", "value"],
        ["pp32+tg16 B2", 32, 16, 0, "tok/s", "value"]
      ]
    );
    assert.equal(find(results, line, "tg", "duration").unit, "s");
    assert.ok(results.every((r) => r.stddev === null && r.repetitions === null && r.status === "ok"));
  });

  it("keeps every key of the settings line, including ones older builds lacked", () => {
    assert.deepEqual(run.settings, {
      n_kv_max: 2048,
      n_batch: 2048,
      n_ubatch: 512,
      flash_attn: -1,
      is_pp_shared: 0,
      is_tg_separate: 0,
      n_gpu_layers: -1,
      n_threads: 2,
      n_threads_batch: 2
    });
    assert.equal(run.tool, "llama-batched-bench");
    assert.equal(run.runtime, "llama.cpp");
    assert.equal(run.format, "llama-batched-bench-md");
    assert.deepEqual([run.source.line_start, run.source.line_end], [2, 9]);
    assert.deepEqual(
      reading.reading.blocks.map((b) => b.confidence),
      [1]
    );
  });
});

describe("llama-batched-bench md: llama.cpp's Apple M2 Ultra bench page (main: prefix, 18 rows, then llama-bench)", () => {
  const name = "llama-batched-bench/mac-m2-ultra-gpt-oss-20b.md";
  const text = fixtureText(name);
  const reading = readFixture(name);
  const results = resultsOf(reading);

  it("reads all 18 rows and leaves the llama-bench table to llama-bench", () => {
    const printed = printedRows(text);
    assert.equal(printed.length, 18);
    assert.deepEqual(
      results
        .filter((r) => r.metric === "throughput" && r.kind === "tg")
        .map((r) => [r.line, r.value, r.concurrency, r.n_depth]),
      printed.map((p) => [p.line, Number(p.cells["S_TG t/s"]), Number(p.cells.B), Number(p.cells.PP)])
    );
    assert.deepEqual(
      reading.stored.runs.map((r) => r.tool),
      ["llama-batched-bench", "llama-bench"]
    );
  });

  it("spot-checks printed values", () => {
    const last = printedRows(text).at(-1)!.line;
    assert.equal(find(results, last, "pp", "throughput").value, 2373.3);
    assert.equal(find(results, last, "pp", "throughput").text, "2373.30");
    assert.equal(find(results, last, "pp", "duration").value, 110.455);
    assert.equal(find(results, last, "pp+tg", "throughput").value, 2324.64);
    assert.equal(find(results, last, "tg", "throughput").extra?.n_kv, 263168);
    const [run] = reading.stored.runs;
    assert.equal(run.settings.is_tg_separate, 0);
    assert.equal(run.settings.n_kv_max, 270336);
  });
});

describe("llama-batched-bench md: variants and damage", () => {
  const capture = fixtureText("captured/cpu/llama-batched-bench-md.stdout");

  it("takes the model, KV types and env from the command above it", () => {
    const text = `$ CUDA_VISIBLE_DEVICES=0 llama-batched-bench -m models/Qwen3-8B-Q4_K_M.gguf -c 2048 -ctk q8_0 -ctv q8_0 -npp 32,64 -ntg 16 -npl 1,2\n${capture}`;
    const [run] = read(text).stored.runs;
    assert.equal(run.model.file, "models/Qwen3-8B-Q4_K_M.gguf");
    assert.equal(run.model.quant, "Q4_K_M");
    assert.equal(run.settings.type_k, "q8_0");
    assert.deepEqual(run.settings_from_command, ["type_k", "type_v"]);
    assert.deepEqual(run.extra.env, {CUDA_VISIBLE_DEVICES: "0"});
    assert.equal(run.source.line_start, 1);
  });

  it("reads a table without its settings line (lower confidence, a note), and an older table without T_* columns", () => {
    const table = capture.split("\n").slice(3).join("\n");
    const reading = read(table);
    assert.equal(reading.reading.blocks[0].confidence, 0.9);
    assert.ok(reading.stored.runs[0].notes[0].includes("no n_kv_max settings line"));
    const old =
      "main: n_kv_max = 4096, is_pp_shared = 0, n_gpu_layers = 99, mmq = 1\n\n|    PP |     TG |    B |   N_KV | S_PP t/s | S_TG t/s |    S t/s |\n|-------|--------|------|--------|----------|----------|----------|\n|   128 |    128 |    1 |    256 |  1234.56 |   98.76 |   182.00 |\n";
    const [run] = read(old).stored.runs;
    assert.deepEqual(run.settings, {n_kv_max: 4096, is_pp_shared: 0, n_gpu_layers: 99, mmq: 1});
    assert.deepEqual(
      run.results.map((r) => [r.kind, r.metric, r.value]),
      [
        ["pp", "throughput", 1234.56],
        ["tg", "throughput", 98.76],
        ["pp+tg", "throughput", 182]
      ]
    );
  });

  it("reads a table flattened onto one line", () => {
    const flat = capture
      .split("\n")
      .filter((l) => l.startsWith("|"))
      .join(" ");
    const results = resultsOf(read(`results: ${flat}`));
    assert.equal(results.length, 24);
    assert.ok(results.every((r) => r.line === 1));
  });

  it("reads CRLF", () => {
    assert.equal(resultsOf(read(capture.replace(/\n/g, "\r\n"))).length, 24);
  });

  it("does not claim llama-sweep-bench tables (no B column)", () => {
    const sweep =
      "main: n_kv_max = 8704, n_batch = 2048, n_ubatch = 512, flash_attn = 1, n_gpu_layers = 99, n_threads = 24, n_threads_batch = 24\n\n|    PP |     TG |   N_KV |   T_PP s | S_PP t/s |   T_TG s | S_TG t/s |\n|-------|--------|--------|----------|----------|----------|----------|\n|   512 |    128 |      0 |    6.297 |    81.30 |   12.097 |    10.58 |\n";
    let tools: string[] = [];
    try {
      tools = read(sweep).stored.runs.map((r) => r.tool);
    } catch (error) {
      assert.ok(error instanceof InputError);
    }
    assert.ok(!tools.includes("llama-batched-bench"));
  });

  it("refuses a cell that is not a number, naming its line", () => {
    const broken = capture.replace("5899.71", "58x9.71");
    assert.throws(
      () => read(broken),
      (e: unknown) => e instanceof InputError && e.line === 6 && /a number in column "S_TG t\/s"/.test(e.message)
    );
  });

  it("refuses a row with a cell missing", () => {
    const broken = capture.replace("|    0.003 |  5899.71 |", "|  5899.71 |");
    assert.throws(
      () => read(broken),
      (e: unknown) => e instanceof InputError && e.line === 6 && /10 cells/.test(e.message)
    );
  });
});
