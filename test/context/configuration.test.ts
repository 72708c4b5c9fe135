/**
 * Configuration rows a writeup states (seed 003's glued tables, Markdown
 * rows, key/value lines) and the settings server, log and serving runs
 * inherit from them.
 */
import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {parseConfigurationRow, sectionHeading} from "../../scripts/context/configuration.js";
import type {ResultRow} from "../../src/components/shared/data.js";
import {kvPoints, kvRatios} from "../../src/components/pages/speculative.js";
import {settingRows, type RunDetail} from "../../src/components/pages/run.js";
import {fixtureText, read, readFixture, rowsOf} from "../helpers/fixtures.js";

describe("configuration rows", () => {
  it("reads seed 003's glued rows: the label from the vocabulary, the value as written", () => {
    const tables = fixtureText("seeds/003-config-tables.txt").split("\n");
    const row = (line: string) => parseConfigurationRow(tables.find((l) => l.startsWith(line))!);
    assert.deepEqual(row("KV cache dtype"), {
      key: "kv_cache_dtype",
      label: "KV cache dtype",
      value: "torch.bfloat16",
      text: "torch.bfloat16"
    });
    assert.deepEqual(row("KV cacheFP8"), {key: "kv_cache_dtype", label: "KV cache", value: "FP8", text: "FP8"});
    assert.deepEqual(row("Context length"), {
      key: "context_length",
      label: "Context length",
      value: "262,144",
      text: "262,144"
    });
    assert.deepEqual(row("Tensor parallel"), {
      key: "tensor_parallel_size",
      label: "Tensor parallel",
      value: 1,
      text: "1"
    });
    assert.deepEqual(row("Speculative steps"), {
      key: "speculative_num_steps",
      label: "Speculative steps",
      value: 5,
      text: "speculative_num_steps=5"
    });
    assert.deepEqual(row("Draft tokens"), {
      key: "speculative_num_draft_tokens",
      label: "Draft tokens",
      value: 6,
      text: "speculative_num_draft_tokens=6"
    });
    assert.deepEqual(row("QuantizationModelOpt"), {
      key: "quantization",
      label: "Quantization",
      value: "ModelOpt NVFP4 weights",
      text: "ModelOpt NVFP4 weights"
    });
    assert.deepEqual(row("Compile backend"), {
      key: "compile_backend",
      label: "Compile backend",
      value: "torch.compile / Inductor",
      text: "torch.compile / Inductor"
    });
    assert.deepEqual(row("RuntimeSGLang"), {
      key: "runtime",
      label: "Runtime",
      value: "SGLang gemma4-mtp",
      text: "SGLang gemma4-mtp"
    });
  });

  it("reads every row of seed 003's configuration tables but the GPU, its KV size figure and the table headers", () => {
    const tables = fixtureText("seeds/003-config-tables.txt").split("\n");
    // Oracle: a configuration table is the lines between a `項目` header and the next blank line.
    const rows: string[] = [];
    tables.forEach((line, i) => {
      if (line !== "項目") return;
      for (let j = i + 1; j < tables.length && tables[j].trim() !== ""; j++) rows.push(tables[j]);
    });
    const unread = rows.filter((r) => parseConfigurationRow(r) === null);
    assert.deepEqual(unread, [
      "GPUNVIDIA RTX PRO 6000 Blackwell 96GB (SM120)",
      "HostAMD EPYC、768GB DDR5 ECC",
      "GPURTX PRO 6000 Blackwell 96GB",
      "GPURTX PRO 6000 Blackwell 96GB",
      "GPU KV cache size876,006 tokens",
      "GPURTX PRO 6000 Blackwell 96GB",
      "GPURTX PRO 6000 Blackwell 96GB"
    ]);
    assert.ok(rows.length - unread.length >= 20);
  });

  it("reads Markdown rows, key/value lines and the writers' own languages", () => {
    assert.deepEqual(parseConfigurationRow("| KV cache dtype | `fp8_e4m3` |"), {
      key: "kv_cache_dtype",
      label: "KV cache dtype",
      value: "fp8_e4m3",
      text: "fp8_e4m3"
    });
    assert.deepEqual(parseConfigurationRow("| **Context length** | 131072 |"), {
      key: "context_length",
      label: "Context length",
      value: 131072,
      text: "131072"
    });
    assert.deepEqual(parseConfigurationRow("KV cache dtype: q8_0"), {
      key: "kv_cache_dtype",
      label: "KV cache dtype",
      value: "q8_0",
      text: "q8_0"
    });
    assert.deepEqual(parseConfigurationRow("Tensor parallel size = 4"), {
      key: "tensor_parallel_size",
      label: "Tensor parallel size",
      value: 4,
      text: "4"
    });
    assert.equal(parseConfigurationRow("KVキャッシュ: FP8")?.key, "kv_cache_dtype");
    assert.equal(parseConfigurationRow("| 上下文长度 | 32768 |")?.value, 32768);
    assert.equal(parseConfigurationRow("컨텍스트 길이: 262144")?.value, 262144);
    assert.equal(parseConfigurationRow("| 量子化 | AWQ 4-bit |")?.value, "AWQ 4-bit");
  });

  it("does not take prose or other tables that start with a label word", () => {
    const prose = [
      // seed 003's own prose, shapes only: a label word followed by a particle or a sentence
      "KV cacheは876K tokens確保されており、262K context windowの約3.3倍ある。",
      "TP4は、従来のレイヤースプリットと比べてtg速度を約2倍にします。",
      "Runtimes differ more than weights do.",
      "Context matters: long prompts change everything. Really.",
      "Weights and KV cache share the same 96 GB.",
      "  • KV cache dtype: FP8BF16",
      "| KV cache dtype | fp8 | bf16 |",
      "| 컨텍스트 | KV 캐시 (q4_0) |",
      "KV cache size876,006 tokens",
      "Engine 000: Avg prompt throughput: 0.0 tokens/s"
    ];
    for (const line of prose) assert.equal(parseConfigurationRow(line), null, line);
  });

  it("knows section headings: Markdown level 2+ and lettered titles", () => {
    assert.equal(
      sectionHeading("C. SGLang gemma4-mtp: FP8 block weights + BF16 KV"),
      "C. SGLang gemma4-mtp: FP8 block weights + BF16 KV"
    );
    assert.equal(sectionHeading("## Config B"), "Config B");
    assert.equal(sectionHeading("# build latest llama.cpp"), null, "one # is also a shell comment");
    assert.equal(sectionHeading("A. This sentence ends like prose."), null);
    assert.equal(sectionHeading("1. a numbered list item"), null);
  });
});

describe("settings inherited from a stated configuration", () => {
  // Seed 003's outputs: configuration tables, the vLLM launch command, a writer's digest of vLLM's log, SGLang's pool and KV memory lines.
  const reading = readFixture("seeds/003-outputs.txt");
  const runs = reading.stored.runs;
  const text = fixtureText("seeds/003-outputs.txt");
  const lines = text.split("\n");
  /** Oracle: the value a glued row prints, for the n-th table (0-based) that has it. */
  const stated = (label: string, n: number) => lines.filter((l) => l.startsWith(label))[n].slice(label.length);

  it("gives SGLang's log runs the KV cache dtype their tables state (the log lines name none)", () => {
    const sglang = runs.filter((r) => r.format === "sglang-log");
    assert.equal(sglang.length, 2);
    assert.deepEqual(
      sglang.map((r) => r.settings.kv_cache_dtype),
      [stated("KV cache dtype", 0), stated("KV cache dtype", 1)]
    );
    assert.deepEqual(
      sglang.map((r) => r.settings.speculative_num_steps),
      [
        Number(/=(\d+)/.exec(stated("Speculative steps", 0))![1]),
        Number(/=(\d+)/.exec(stated("Speculative steps", 1))![1])
      ]
    );
    for (const run of sglang) {
      assert.equal(run.settings.context_length, stated("Context length", 2));
      assert.ok((run.extra.settings_from_context as string[]).includes("kv_cache_dtype"));
      const line = (run.extra.settings_context_lines as Record<string, number>).kv_cache_dtype;
      assert.ok(
        lines[line - 1].startsWith("KV cache dtype") && lines[line - 1].endsWith(String(run.settings.kv_cache_dtype)),
        `line ${line} states it`
      );
      assert.deepEqual(run.settings_from_command, [], "nothing came from a command");
    }
  });

  it("keeps what the vLLM command states and adds only what it does not", () => {
    const vllm = runs.find((r) => r.format === "vllm-log-summary")!;
    assert.equal(vllm.settings["kv-cache-dtype"], "fp8", "the command's own spelling and value");
    assert.equal(vllm.settings.kv_cache_dtype, undefined, "the table's `KV cacheFP8` says the same: not added twice");
    assert.equal(vllm.settings.context_length, undefined, "--max-model-len 262144 says what `262,144` says");
    assert.equal(vllm.settings.quantization, stated("Quantization", 0));
    assert.deepEqual(vllm.extra.settings_from_context, [
      "quantization",
      "speculative_decoding",
      "attention_backend",
      "sampling_backend",
      "compile_backend"
    ]);
    assert.ok(
      !vllm.notes.some((n) => n.includes("the run's is kept")),
      "no conflict: FP8 = fp8, 262,144 = 262144, 1 = 1"
    );
  });

  it("says on the run page where each setting came from: the output, the command line or the text's table", () => {
    const sglang = runs.find((r) => r.format === "sglang-log")!;
    const row = settingRows(sglang as unknown as RunDetail["run"]).find((r) => r.name === "kv_cache_dtype")!;
    const line = (sglang.extra.settings_context_lines as Record<string, number>).kv_cache_dtype;
    assert.deepEqual(row, {
      name: "kv_cache_dtype",
      value: String(sglang.settings.kv_cache_dtype),
      from: `the text's configuration table (line ${line})`
    });
    const vllm = runs.find((r) => r.format === "vllm-log-summary")!;
    assert.equal(
      settingRows(vllm as unknown as RunDetail["run"]).find((r) => r.name === "kv-cache-dtype")!.from,
      "command line"
    );
  });

  it("lets the site compute FP8 ÷ BF16 KV capacity from the measured SGLang pools", () => {
    const points = kvPoints(rowsOf(reading) as unknown as ResultRow[]);
    const full = kvRatios(points).find((r) => r.pool === "full")!;
    const printed = [...text.matchAll(/full_layer_tokens=(\d+)/g)].map((m) => Number(m[1]));
    assert.deepEqual(
      [full.a.family, full.a.value, full.b.family, full.b.value],
      ["BF16", printed[0], "FP8", printed[1]]
    );
  });

  it("ends a configuration at the next section heading, and never crosses runtimes", () => {
    const doc = [
      "## Setup A",
      "| KV cache dtype | fp8_e4m3 |",
      "| Runtime | SGLang 0.5.9 |",
      "SWA KV:  21.29 GB K + 21.29 GB V",
      "Total SWAKVPool usage: 47.90 GB",
      "",
      "## Setup B",
      "full_layer_tokens=69757",
      "swa_layer_tokens=55805",
      "",
      "C. A vLLM server",
      "Runtime: vLLM",
      "KV cache dtype: fp8",
      "",
      "full_layer_tokens=139515",
      "swa_layer_tokens=111612"
    ].join("\n");
    const [a, b, c] = read(doc, "post.md").stored.runs;
    assert.equal(a.settings.kv_cache_dtype, "fp8_e4m3");
    assert.equal(b.settings.kv_cache_dtype, undefined, "a new section heading ended Setup A's configuration");
    assert.equal(c.settings.kv_cache_dtype, undefined, "a table for vLLM does not describe an SGLang log");
    assert.ok(c.notes.some((n) => n.includes('is for runtime "vLLM", not sglang')));
    const explained = read(doc, "post.md")
      .reading.context.filter((r) => r.kind === "section")
      .map((r) => r.line_start);
    assert.deepEqual(
      explained,
      [7],
      "a heading that ended a configuration is explained (the first had none to end, nor had C.: B stated none)"
    );
  });

  it("notes a stated value the run's own output contradicts, keeping the output's", () => {
    const doc = [
      "KV cache dtype: bf16",
      "$ python -m sglang.launch_server --model-path m --kv-cache-dtype fp8_e4m3",
      "full_layer_tokens=139515",
      "swa_layer_tokens=111612"
    ].join("\n");
    const [run] = read(doc, "post.md").stored.runs;
    assert.equal(run.settings["kv-cache-dtype"], "fp8_e4m3");
    assert.equal(run.settings.kv_cache_dtype, undefined);
    assert.ok(
      run.notes.some((n) =>
        n.startsWith('kv_cache_dtype: the text states "bf16" (line 1), the run says kv-cache-dtype = "fp8_e4m3"')
      ),
      run.notes.join("\n")
    );
  });

  it("leaves llama-bench runs alone (its table prints what ran; a writer's row may describe another configuration)", () => {
    const bench = fixtureText("seeds/001-rtx4090-m4.txt").split("\n");
    const start = bench.findIndex((l) => l.startsWith("| model"));
    const doc = ["KV cache dtype: q8_0", ...bench.slice(start, start + 5)].join("\n");
    const [run] = read(doc, "post.md").stored.runs;
    assert.equal(run.tool, "llama-bench");
    assert.equal(run.settings.kv_cache_dtype, undefined);
    assert.equal(run.extra.settings_from_context, undefined);
  });
});
