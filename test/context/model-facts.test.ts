/**
 * llama.cpp's model-load facts (`print_info: arch = llama`, `file size =
 * 4.05 MiB (16.00 BPW)`…) and the trimmed, reworded block seed 002 quotes:
 * model metadata for the llama.cpp server runs below, kept as printed.
 */
import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {modelFromFacts, readModelFacts} from "../../scripts/context/model-facts.js";
import {fixtureText, read} from "../helpers/fixtures.js";

const lines = (text: string) => text.split("\n").map((t, i) => ({text: t, line: i + 1}));

describe("llama.cpp model-load facts", () => {
  it("reads seed 002's quoted load log as printed: architecture, size and unit, parameters and unit, never converted", () => {
    const text = fixtureText("seeds/002-load-log.txt");
    const found = readModelFacts(lines(text), 0, text.split("\n").length)!;
    assert.equal(found.end, 8, "all nine lines");
    // Oracle: the lines themselves.
    const printed = Object.fromEntries(
      text
        .trim()
        .split("\n")
        .map((l) => l.split(" = ").map((p) => p.trim()))
    );
    assert.deepEqual(found.facts.facts, printed);
    assert.deepEqual(found.facts.lines, ["1-9"]);
    const size = /file size = ([\d.]+) (\w+)/.exec(text)!;
    const params = /n_params = ([\d.]+) (\w+)/.exec(text)!;
    assert.deepEqual(modelFromFacts(found.facts.facts), {
      architecture: /architecture = (\S+)/.exec(text)![1],
      size_value: Number(size[1]),
      size_unit: size[2],
      params_value: Number(params[1]),
      params_unit: params[2]
    });
  });

  it("reads llama.cpp's own print_info lines (prefixed, padded, a trailing space) from a real verbose log", () => {
    const log = fixtureText("captured/cpu/llama-bench-overctx-verbose-md.stderr").split("\n");
    const start = log.findIndex((l) => l.startsWith("print_info: file format"));
    const found = readModelFacts(lines(log.join("\n")), start, log.length)!;
    assert.deepEqual(found.facts.facts, {
      "file format": "GGUF V3 (latest)",
      "file type": "F16",
      "file size": "4.05 MiB (16.00 BPW)"
    });
    assert.deepEqual(modelFromFacts(found.facts.facts), {ftype: "F16", size_value: 4.05, size_unit: "MiB"});
  });

  it("does not take other key = value lines for a load log", () => {
    for (const text of [
      "patch_size = 16\nn_merge = 2\n→ tokens = (width/32) × (height/32)",
      "full_layer_tokens=69757\nswa_layer_tokens=55805\nmax_total_num_tokens=69757",
      "a = 1\nb = 2\nc = 3"
    ]) {
      assert.equal(readModelFacts(lines(text), 0, 3), null, text);
    }
  });
});

describe("model facts handed to llama.cpp server runs", () => {
  // Composed from two real captures of the same llama.cpp build (test/fixtures/captured/cpu): the
  // print_info lines of a verbose run on the tiny model, then llama-server's timing lines for one request.
  const verbose = fixtureText("captured/cpu/llama-bench-overctx-verbose-md.stderr").split("\n");
  const info = verbose.filter(
    (l, i) =>
      l.startsWith("print_info:") ||
      (i > 0 && /^load:|^init_tokenizer:/.test(l) && verbose.slice(0, i).some((p) => p.startsWith("print_info:")))
  );
  const server = fixtureText("captured/cpu/llama-server.stderr")
    .split("\n")
    .filter((l) => / task 0 \| /.test(l));
  const text = [...info, ...server].join("\n");
  const reading = read(text, "server.log");
  const run = reading.stored.runs.find((r) => r.format === "llama-server-log")!;

  it("fills the model's architecture, file type, size and parameters from the two print_info pieces, as printed", () => {
    const printed = (key: string) =>
      info
        .find((l) => new RegExp(`^print_info: ${key}\\s+=`).test(l))!
        .replace(/^[^=]*=\s*/, "")
        .trim();
    assert.equal(run.model.architecture, printed("arch"));
    assert.equal(run.model.ftype, printed("file type"));
    assert.deepEqual(
      [run.model.size_value, run.model.size_unit],
      [Number(printed("file size").split(" ")[0]), printed("file size").split(" ")[1]]
    );
    assert.deepEqual(
      [run.model.params_value, run.model.params_unit],
      [Number(printed("model params").split(" ")[0]), printed("model params").split(" ")[1]]
    );
    assert.equal((run.extra.model_metadata as Record<string, string>)["n_layer"], printed("n_layer"));
    assert.match(String(run.extra.model_metadata_lines), /^\d+-\d+, \d+-\d+$/, "two pieces, one load");
    assert.ok(run.results.length > 0);
  });

  it("explains the facts as context, and a new server command ends them", () => {
    assert.ok(reading.reading.context.some((c) => c.kind === "model"));
    const seed = fixtureText("seeds/002-load-log.txt");
    const after = read([seed, "$ llama-server -m other.gguf", ...server].join("\n"), "post.md").stored.runs[0];
    assert.equal(after.model.architecture, null, "the facts were printed before another server started");
    const before = read(["$ llama-server -m models/Qwen3.5-35B-A3B-Q4_K_M.gguf", seed, ...server].join("\n"), "post.md")
      .stored.runs[0];
    assert.equal(before.model.architecture, "qwen35moe");
    assert.equal(before.model.file, "models/Qwen3.5-35B-A3B-Q4_K_M.gguf");
  });

  it("leaves llama-bench runs alone: their table prints the model", () => {
    const bench = fixtureText("seeds/001-rtx4090-m4.txt").split("\n");
    const start = bench.findIndex((l) => l.startsWith("| model"));
    const [run] = read([fixtureText("seeds/002-load-log.txt"), ...bench.slice(start, start + 5)].join("\n"), "post.md")
      .stored.runs;
    assert.equal(run.tool, "llama-bench");
    assert.equal(run.extra.model_metadata, undefined);
  });
});
