import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {InputError} from "../../../scripts/document/read.js";
import {fixtureText, printedPlusMinus, read, readFixture, rowsOf} from "../../helpers/fixtures.js";

describe("llama-bench md: seed 000 (4×RTX 3080, tables flattened onto single lines)", () => {
  const reading = readFixture("seeds/000-4x3080-split.txt");
  const rows = rowsOf(reading).filter((r) => r.tool === "llama-bench");

  it("reads all four tables, every value exactly as printed", () => {
    assert.equal(reading.stored.runs.filter((r) => r.tool === "llama-bench").length, 4);
    const printed = printedPlusMinus(fixtureText("seeds/000-4x3080-split.txt").replace(/\| \|/g, "|\n|"));
    assert.equal(printed.length, 16);
    assert.deepEqual(
      rows.map((r) => ({value: r.value, stddev: r.stddev})),
      printed
    );
    const first = rows[0];
    assert.equal(first.value, 330.87);
    assert.equal(first.stddev, 0.99);
    assert.equal(first.text, "330.87 ± 0.99");
    assert.equal(first.stddev_kind, "sample");
    assert.equal(first.metric, "throughput");
    assert.equal(first.unit, "tok/s");
  });

  it("keeps each value's physical line (the flattened line of its table)", () => {
    assert.deepEqual([...new Set(rows.map((r) => r.line))], [1, 3, 5]);
    assert.deepEqual(
      rows.filter((r) => r.line === 5).map((r) => r.model_label),
      [...Array(8)].map(() => "Qwen3.5-122B-A10B-UD-IQ4_XS")
    );
  });

  it("fills settings the table omits from the command line before it", () => {
    const [layer, tensor] = reading.stored.runs;
    assert.equal(layer.settings.split_mode, "layer");
    assert.ok(
      layer.settings_from_command.includes("split_mode"),
      "layer table has no sm column: split mode comes from --split-mode"
    );
    assert.equal(tensor.settings.split_mode, "tensor");
    assert.ok(!tensor.settings_from_command.includes("split_mode"), "tensor table prints sm itself");
    assert.equal(layer.settings.n_gpu_layers, 99);
    assert.equal(layer.settings.flash_attn, 1);
    assert.equal(layer.settings.n_threads, 64);
    assert.match(
      layer.command!,
      /^CUDA_VISIBLE_DEVICES=0,1,2,3 \.\/build\/bin\/llama-bench --model .* --split-mode layer$/
    );
    assert.equal(
      layer.model.file,
      "/data/huggingface/Mistral-Medium-3.5-GGUF/Mistral-Medium-3.5-128B-IQ4_XS-00001-of-00003.gguf"
    );
    assert.ok(layer.notes.some((n) => n.includes("space had been inserted")));
  });

  it("turns the translated ggml_cuda_init lines into hardware of the runs that follow", () => {
    for (const run of reading.stored.runs.filter((r) => r.tool === "llama-bench")) {
      assert.equal(run.hardware.gpus.length, 4);
      assert.deepEqual(
        run.hardware.gpus.map((g) => g.index),
        [0, 1, 2, 3]
      );
      assert.ok(
        run.hardware.gpus.every(
          (g) => g.name === "NVIDIA GeForce RTX 3080" && g.vram_mib === 20052 && g.compute_capability === "8.6"
        )
      );
      assert.equal(run.hardware.vram_total_mib, 80211);
      assert.equal(run.hardware.backend, "CUDA,BLAS");
      assert.equal(run.build_commit, "d05fe1d");
      assert.equal(run.build_number, 275);
    }
    assert.equal(rows[0].hardware, "4× NVIDIA GeForce RTX 3080");
  });

  it("parses test names into kind, prompt, generation and depth", () => {
    assert.deepEqual(
      rows.slice(0, 4).map((r) => [r.test, r.kind, r.n_prompt, r.n_gen, r.n_depth]),
      [
        ["pp512", "pp", 512, 0, 0],
        ["tg128", "tg", 0, 128, 0],
        ["pp512 @ d16384", "pp", 512, 0, 16384],
        ["tg128 @ d16384", "tg", 0, 128, 16384]
      ]
    );
  });
});

describe("llama-bench md: seed 001 (RTX 4090 depth sweeps, Apple M4)", () => {
  const text = fixtureText("seeds/001-rtx4090-m4.txt");
  const reading = readFixture("seeds/001-rtx4090-m4.txt");
  const runs = reading.stored.runs.filter((r) => r.tool === "llama-bench");
  const rows = rowsOf(reading).filter((r) => r.tool === "llama-bench");

  it("reads nine tables with every value as printed", () => {
    assert.equal(runs.length, 9);
    const llamaBenchRows = text
      .split("\n")
      .filter((l) => /\| (?:CUDA|MTL,BLAS) /.test(l))
      .join("\n");
    assert.deepEqual(
      rows.map((r) => ({value: r.value, stddev: r.stddev})),
      printedPlusMinus(llamaBenchRows)
    );
    assert.equal(rows.length, 7 * 8 + 2 * 2);
  });

  it("points every value at its own line", () => {
    const lines = text.split("\n");
    for (const row of rows)
      assert.ok(lines[(row.line as number) - 1].includes(String(row.text)), `line ${row.line} holds ${row.text}`);
  });

  it("gives the RTX 4090 runs the device line and the M4 runs the M4 heading, not the 4090", () => {
    for (const run of runs.slice(0, 7)) {
      assert.equal(run.hardware.gpus[0].name, "NVIDIA GeForce RTX 4090");
      assert.equal(run.hardware.backend, "CUDA");
    }
    for (const run of runs.slice(7)) {
      assert.deepEqual(run.hardware.gpus, []);
      assert.equal(run.hardware.stated, "Apple M4");
      assert.equal(run.hardware.backend, "MTL,BLAS");
      assert.equal(run.settings.n_threads, 4);
    }
  });

  it("reads quantization from the file name, and keeps llama.cpp's own type label", () => {
    const mxfp4 = runs.find((r) => r.model.file?.includes("MXFP4"))!;
    assert.equal(mxfp4.model.quant, "MXFP4_MOE");
    assert.equal(mxfp4.model.ftype, "Q4_K - Medium");
    assert.equal(mxfp4.model.name, "qwen35moe 35B.A3B Q4_K - Medium");
    assert.equal(mxfp4.model.architecture, "qwen35moe");
    assert.equal(mxfp4.model.size_value, 20.09);
    assert.equal(mxfp4.model.size_unit, "GiB");
    assert.equal(mxfp4.model.params_value, 34.66);
    assert.equal(mxfp4.model.params_unit, "B");
  });
});

describe("llama-bench md: variants", () => {
  const table = (
    rows: string[],
    header = "| model | size | params | backend | ngl | test | t/s |",
    sep = "| --- | ---: | ---: | --- | --: | ---: | ---: |"
  ) => [header, sep, ...rows].join("\n");

  it("reads compact tables without padding", () => {
    const text =
      "|model|size|params|backend|ngl|test|t/s|\n|-|-:|-:|-|-:|-:|-:|\n|llama 7B Q4_0|3.56 GiB|6.74 B|CUDA|99|pp512|4506.82 ± 12.25|\n";
    const [row] = rowsOf(read(text));
    assert.equal(row.value, 4506.82);
    assert.equal(row.n_gpu_layers, "99");
  });

  it("reads old builds' `pp 512` test names", () => {
    const rows = rowsOf(
      read(
        table([
          "| llama 7B Q4_0 | 3.56 GiB | 6.74 B | Metal | 99 | pp 512 | 478.42 ± 0.30 |",
          "| llama 7B Q4_0 | 3.56 GiB | 6.74 B | Metal | 99 | tg 128 | 32.13 ± 0.01 |"
        ])
      )
    );
    assert.deepEqual(
      rows.map((r) => [r.kind, r.n_prompt, r.n_gen, r.n_depth]),
      [
        ["pp", 512, 0, 0],
        ["tg", 0, 128, 0]
      ]
    );
    // One spelling, so they pair with today's pp512/tg128; the printed one is kept beside it.
    assert.deepEqual(
      rows.map((r) => [r.test, r.test_printed]),
      [
        ["pp512", "pp 512"],
        ["tg128", "tg 128"]
      ]
    );
  });

  it("reads CPU tables without ngl, and pp+tg tests", () => {
    const text = table(
      ["| qwen2 1.5B Q8_0 | 1.76 GiB | 1.78 B | CPU | 8 | pp512+tg128 | 61.34 ± 0.12 |"],
      "| model | size | params | backend | threads | test | t/s |",
      "| --- | ---: | ---: | --- | ---: | ---: | ---: |"
    );
    const [row] = rowsOf(read(text));
    assert.deepEqual(
      [row.kind, row.n_prompt, row.n_gen, row.n_threads, row.backend, row.n_gpu_layers],
      ["pp+tg", 512, 128, "8", "CPU", null]
    );
  });

  it("keeps unknown columns as settings under their printed name", () => {
    const text = table(
      ["| llama 7B Q4_0 | 3.56 GiB | 6.74 B | CUDA | 99 | on | pp512 | 100.00 ± 1.00 |"],
      "| model | size | params | backend | ngl | moe_cache | test | t/s |",
      "|-|-|-|-|-|-|-|-|"
    );
    const [run] = read(text).stored.runs;
    assert.equal(run.settings.moe_cache, "on");
  });

  it("splits a sweep into per-result settings (columns that vary), and hoists the rest", () => {
    const text = table(
      [
        "| m 1B Q8_0 | 1.00 GiB | 1.00 B | CUDA | 99 | 128 | pp512 | 649.00 ± 1.00 |",
        "| m 1B Q8_0 | 1.00 GiB | 1.00 B | CUDA | 99 | 256 | pp512 | 1157.00 ± 2.00 |"
      ],
      "| model | size | params | backend | ngl | n_ubatch | test | t/s |",
      "|-|-|-|-|-|-|-|-|"
    );
    const [run] = read(text).stored.runs;
    assert.equal(run.settings.n_gpu_layers, 99);
    assert.equal(run.settings.n_ubatch, undefined);
    assert.deepEqual(
      run.results.map((r) => r.settings),
      [{n_ubatch: 128}, {n_ubatch: 256}]
    );
    assert.deepEqual(
      rowsOf(read(text)).map((r) => r.n_ubatch),
      ["128", "256"]
    );
  });

  it("reads CRLF line endings and a byte-order mark", () => {
    const text =
      "\uFEFF" +
      table(["| llama 7B Q4_0 | 3.56 GiB | 6.74 B | CUDA | 99 | tg128 | 150.10 ± 0.20 |"]).replace(/\n/g, "\r\n") +
      "\r\n\r\nbuild: 1a2b3c4 (5163)\r\n";
    const [run] = read(text).stored.runs;
    assert.equal(run.results[0].value, 150.1);
    assert.equal(run.build_commit, "1a2b3c4");
    assert.equal(run.results[0].line, 3);
  });

  it("accepts +/- where a site replaced ±", () => {
    const [row] = rowsOf(read(table(["| llama 7B Q4_0 | 3.56 GiB | 6.74 B | CUDA | 99 | tg128 | 150.10 +/- 0.20 |"])));
    assert.deepEqual([row.value, row.stddev], [150.1, 0.2]);
  });

  it("names the line of a truncated last row: a warning, or the error under --strict", () => {
    const text = table([
      "| llama 7B Q4_0 | 3.56 GiB | 6.74 B | CUDA | 99 | pp512 | 4506.82 ± 12.25 |",
      "| llama 7B Q4_0 | 3.56 GiB | 6.74 B | CUDA | 99 | tg12"
    ]);
    const reading = read(text, "cut.md");
    assert.deepEqual(
      rowsOf(reading).map((r) => r.value),
      [4506.82]
    );
    assert.deepEqual(
      reading.reading.warnings.map((w) => w.line_start),
      [4]
    );
    assert.throws(
      () => read(text, "cut.md", {strict: true}),
      (e: unknown) =>
        e instanceof InputError &&
        e.file === "cut.md" &&
        e.line === 4 &&
        /7 cells ending in "\|" expected/.test(e.message)
    );
  });

  it("names the line of a cell that is not a number", () => {
    const text = table(["| llama 7B Q4_0 | 3.56 GiB | 6.74 B | CUDA | 99 | pp512 | fast ± 1 |"]);
    assert.throws(
      () => read(text, "bad.md"),
      (e: unknown) => e instanceof InputError && e.line === 3 && /expected a t\/s cell/.test(e.message)
    );
  });

  it("refuses text with no benchmark output, naming the file", () => {
    assert.throws(
      () => read("just some prose\nabout GPUs\n", "notes.txt"),
      (e: unknown) =>
        e instanceof InputError &&
        e.file === "notes.txt" &&
        e.line === 1 &&
        /no benchmark output recognized/.test(e.message)
    );
    assert.throws(() => read("", "empty.txt"), /input is empty/);
  });
});

describe("llama-bench md: a pasted table cut off inside its last row", () => {
  // The captured CPU table, cut in its last row: in a cell, and inside the t/s value (3759.50 ± 32.28 → "3759.5").
  const full = fixtureText("captured/cpu/llama-bench-md.stdout");
  const lines = full.split("\n");
  const last = lines.findIndex((l) => l.includes("tg16 @ d256"));
  const inCell = [...lines.slice(0, last), lines[last].slice(0, lines[last].indexOf("2.12 M") + 8)].join("\n");
  const inValue = [...lines.slice(0, last), lines[last].slice(0, lines[last].indexOf("3759.5") + 6)].join("\n");

  for (const [where, text] of [
    ["in a cell", inCell],
    ["inside the value", inValue]
  ] as const) {
    it(`${where}: the complete rows are imported, the cut row is reported, never read as a value`, () => {
      const reading = read(text, "cut.md");
      const rows = rowsOf(reading);
      assert.deepEqual(
        rows.map((r) => [r.test, r.value, r.stddev]),
        [
          ["pp64", 79562.03, 39215.31],
          ["tg16", 5275.44, 66.06],
          ["pp64 @ d256", 61488.21, 1795.12]
        ]
      );
      assert.deepEqual(
        reading.reading.warnings.map((w) => [w.line_start, w.line_end]),
        [[last + 1, last + 1]]
      );
      assert.match(reading.reading.warnings[0].message, /^llama-bench-md: line \d+ not read: a cut-off last table row/);
      assert.ok(reading.stored.runs[0].notes.some((n) => n.startsWith(`line ${last + 1} not read`)));
    });

    it(`${where}: --strict refuses the input, naming the line`, () => {
      assert.throws(
        () => read(text, "cut.md", {strict: true}),
        (e: unknown) => e instanceof InputError && e.line === last + 1 && /cut-off last table row/.test(e.message)
      );
    });
  }

  it("a short row that is not the last still rejects the input (it is not a cut-off paste)", () => {
    const broken = [...lines.slice(0, 3), lines[3].slice(0, 40), ...lines.slice(4)].join("\n");
    assert.throws(() => read(broken, "broken.md"), InputError);
  });
});
