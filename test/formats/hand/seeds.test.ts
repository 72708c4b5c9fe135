import assert from "node:assert/strict";
import {describe, it} from "node:test";
import type {Result, Run} from "../../../scripts/schema/schema.js";
import {fixtureText, readFixture} from "../../helpers/fixtures.js";

const results = (runs: Run[]) => runs.flatMap((run) => run.results.map((result) => ({run, result})));

/** Oracle: a written figure is approximate when it says so (約, around, 前後, a leading ~). */
const saysApproximate = (text: string) => /^~|約|around|前後/.test(text);

/** The numbers written in a text fragment (`1,157` → 1157, `33~42 t/s` → [33, 42]). */
const numbersIn = (text: string) =>
  [...text.replace(/(\d),(\d{3})/g, "$1$2").matchAll(/\d+(?:\.\d+)?/g)].map((m) => Number(m[0]));

/** Every typed value sits on its own YAML line: that line holds the number (or the status of a failed entry). */
function assertLinesHoldValues(yaml: string, runs: Run[]) {
  const lines = yaml.split("\n");
  for (const {result} of results(runs)) {
    const line = lines[result.line - 1];
    if (result.status !== "ok") assert.match(line, /status: (?:oom|error)/, `line ${result.line}`);
    else
      assert.ok(
        numbersIn(line.replace(/text: .*$/, "")).includes(result.value!),
        `line ${result.line} holds ${result.value}: ${line}`
      );
  }
}

describe("hand-entered: seed 002 (dual RTX 3060 retuning log)", () => {
  const name = "seeds/002-dual-3060-retune.yaml";
  const yaml = fixtureText(name);
  const reading = readFixture(name);
  const runs = reading.stored.runs;
  const [balanced, phase01, fast] = runs;

  it("reads three runs, all hand-entered, none mixed with measured values", () => {
    assert.deepEqual(
      runs.map((r) => r.extra.label),
      ["balanced (v3 retune)", "balanced (phase 01 baseline)", "fast (Gemma 4 26B-A4B)"]
    );
    for (const run of runs) {
      assert.equal(run.origin, "hand-entered");
      assert.equal(run.tool, "hand-entered");
      assert.equal(run.format, "hand-observations-yaml");
      assert.equal(run.runtime, "llama.cpp");
    }
    assert.equal(reading.reading.blocks.length, 1);
    assert.equal(results(runs).length, 65 + 2); // 65 entries, two of them ranges
  });

  it("keeps each typed value on its YAML line, the writeup's line in extra, and marks approximations as written", () => {
    assertLinesHoldValues(yaml, runs);
    for (const {result} of results(runs)) {
      assert.equal(typeof result.extra?.source_line, "number");
      assert.equal(Boolean(result.extra?.approximate), saysApproximate(String(result.text)), `${result.text}`);
      if (result.status === "ok")
        assert.ok(numbersIn(String(result.text)).includes(result.value!), `${result.text} holds ${result.value}`);
    }
  });

  it("agrees with the final engine arguments the log prints (independent oracle)", () => {
    const args = (
      JSON.parse(fixtureText("seeds/002-engine-args.txt")) as {
        balanced: {args: string[]; model_path: string; measured_tps: number};
      }
    ).balanced;
    const option = (name: string) => args.args[args.args.indexOf(name) + 1];
    const final = balanced.results.find(
      (r) => r.extra?.label === "short prompt (170 tok)" && r.metric === "throughput"
    )!;
    const settings = {...balanced.settings, ...final.settings};
    assert.equal(final.value, args.measured_tps);
    assert.equal(balanced.model.file, args.model_path);
    assert.deepEqual(
      [
        settings.mmproj,
        settings.n_gpu_layers,
        settings.ctx_size,
        settings.parallel,
        settings.flash_attn,
        settings.type_k,
        settings.type_v,
        settings.n_ubatch,
        settings.n_batch,
        settings.n_threads,
        settings.threads_batch,
        settings.tensor_split
      ],
      [
        option("--mmproj"),
        Number(option("-ngl")),
        Number(option("-c")),
        Number(option("-np")),
        option("-fa"),
        option("--cache-type-k"),
        option("--cache-type-v"),
        Number(option("-ub")),
        Number(option("-b")),
        Number(option("-t")),
        Number(option("-tb")),
        option("-ts")
      ]
    );
    assert.equal(settings.no_mmproj_offload, args.args.includes("--no-mmproj-offload"));
  });

  it("agrees with the load log the writeup quotes (independent oracle)", () => {
    const log = fixtureText("seeds/002-load-log.txt");
    const size = /file size = ([\d.]+) (\w+) \((\w+)/.exec(log)!;
    const params = /n_params = ([\d.]+) (\w+)/.exec(log)!;
    assert.deepEqual(
      [balanced.model.size_value, balanced.model.size_unit, balanced.model.quant],
      [Number(size[1]), size[2], size[3]]
    );
    assert.deepEqual([balanced.model.params_value, balanced.model.params_unit], [Number(params[1]), params[2]]);
    assert.equal(balanced.model.architecture, /architecture = (\S+)/.exec(log)![1]);
  });

  it("turns the -ts sweep into buffers per GPU and error rows into failed results", () => {
    const failed = balanced.results.filter((r) => r.status === "error");
    assert.deepEqual(
      failed.map((r) => r.settings?.tensor_split),
      ["0.45,0.55", "0.43,0.57", "0.40,0.60"]
    );
    assert.ok(failed.every((r) => r.value === null && r.status_detail?.includes("22+ layers")));
    const ok = balanced.results.filter((r) => r.extra?.label === "-ts 0.48,0.52");
    assert.deepEqual(
      ok.map((r) => [r.metric, r.extra?.gpu, r.value, r.unit]),
      [
        ["model_buffer", 0, 10036, "MiB"],
        ["model_buffer", 1, 10434, "MiB"],
        ["compute_buffer", 0, 600, "MiB"],
        ["compute_buffer", 1, 384, "MiB"]
      ]
    );
    const oom = balanced.results.filter((r) => r.status === "oom");
    assert.equal(oom.length, 2);
  });

  it("turns a stated band into two ends and keeps what the band is", () => {
    const band = balanced.results.filter(
      (r) => r.extra?.label === "drifted config before retune" && r.metric === "throughput"
    );
    assert.deepEqual(
      band.map((r) => [r.stat, r.value, r.text, r.extra?.range_of]),
      [
        ["range_low", 33, "33~42 t/s", "typical"],
        ["range_high", 42, "33~42 t/s", "typical"]
      ]
    );
    const merged = {...runs[0].settings, ...band[0].settings};
    for (const [key, value] of Object.entries({
      tensor_split: "0.5,0.5",
      no_mmproj_offload: false,
      mlock: true,
      poll: 50,
      prio: 3
    }))
      assert.equal(merged[key], value, key);
    assert.equal(merged.n_ubatch, 256, "the shared setting still applies");
  });

  it("keeps per-run hardware, model and before/after values", () => {
    assert.equal(balanced.hardware.gpus.length, 2);
    assert.equal(balanced.hardware.gpus[0].extra?.pcie_current, "Gen3 x4");
    assert.equal(phase01.hardware.stated, "1 CUDA device (single-GPU setup of phase 01)");
    assert.deepEqual(
      phase01.results.map((r) => r.value),
      [61.62]
    );
    assert.deepEqual(
      fast.results.filter((r) => r.metric === "throughput").map((r) => [r.value, r.settings?.type_k]),
      [
        [74.65, "f16"],
        [71.89, "q8_0"]
      ]
    );
    assert.equal(fast.model.name, "Gemma 4 26B-A4B");
  });
});

describe("hand-entered: seed 003 (vLLM vs SGLang on RTX PRO 6000)", () => {
  const name = "seeds/003-rtx-pro-6000-vllm-sglang.yaml";
  const yaml = fixtureText(name);
  const reading = readFixture(name);
  const runs = reading.stored.runs;
  const tables = fixtureText("seeds/003-config-tables.txt").split("\n");

  it("reads one run per configuration A–D with its runtime, weights and KV dtype", () => {
    assert.deepEqual(
      runs.map((r) => [r.runtime, r.extra.runtime_version, r.model.quant, r.settings.kv_cache_dtype]),
      [
        ["vllm", "0.21.0", "NVFP4", "fp8"],
        ["vllm", "0.21.0", "FP8 block", "fp8"],
        ["sglang", "gemma4-mtp", "FP8 block", "torch.bfloat16"],
        ["sglang", "gemma4-mtp", "FP8 block", "torch.float8_e4m3fn"]
      ]
    );
    for (const run of runs) {
      assert.equal(run.origin, "hand-entered");
      assert.equal(run.hardware.stated, "NVIDIA RTX PRO 6000 Blackwell 96GB (SM120)");
      assert.equal(run.model.name, "Gemma 4 31B IT");
    }
    assert.match(runs[0].command!, /--kv-cache-dtype fp8/);
  });

  it("keeps each typed value on its YAML line and marks approximations as written", () => {
    assertLinesHoldValues(yaml, runs);
    for (const {result} of results(runs))
      assert.equal(Boolean(result.extra?.approximate), saysApproximate(String(result.text)), String(result.text));
  });

  it("agrees with the comparison table row of each configuration (independent oracle)", () => {
    const rows = Object.fromEntries(
      "ABCD".split("").map((letter) => [letter, tables.find((l) => l.startsWith(letter) && l.includes("tok/s"))!])
    );
    const fromTable = results(runs).filter(
      ({result}) =>
        typeof result.extra?.source_line === "number" &&
        (result.extra.source_line as number) >= 18 &&
        (result.extra.source_line as number) <= 21
    );
    assert.equal(fromTable.length, 4 * 5);
    for (const {run, result} of fromTable) {
      const row = rows[String(run.extra.label)[0]];
      assert.ok(row.includes(String(result.text)), `${row} holds ${result.text}`);
      const [low, high] = numbersIn(String(result.text));
      assert.equal(result.value, result.stat === "range_high" ? high : low);
    }
  });

  it("agrees with each configuration table's settings (independent oracle)", () => {
    const kvDtypes = tables.filter((l) => l.startsWith("KV cache dtype")).map((l) => l.replace("KV cache dtype", ""));
    assert.deepEqual(
      runs.slice(2).map((r) => r.settings.kv_cache_dtype),
      kvDtypes
    );
    const steps = tables.filter((l) => l.startsWith("Speculative steps")).map((l) => Number(/=(\d+)/.exec(l)![1]));
    assert.deepEqual(
      runs.slice(2).map((r) => r.settings.speculative_num_steps),
      steps
    );
    const contexts = tables.filter((l) => l.startsWith("Context length")).map((l) => numbersIn(l)[0]);
    assert.deepEqual(
      runs.map((r) => r.settings.max_model_len ?? r.settings.context_length),
      contexts
    );
    const kvSize = tables.find((l) => l.startsWith("GPU KV cache size"))!;
    assert.equal(
      runs[1].results.find((r) => r.unit === "tokens" && r.metric === "kv_capacity")!.value,
      numbersIn(kvSize)[0]
    );
  });
});
