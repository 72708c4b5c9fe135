import assert from "node:assert/strict";
import {describe, it} from "node:test";
import type {Result, Run} from "../../../scripts/schema/schema.js";
import {fixtureText, read, readFixture} from "../../helpers/fixtures.js";

const printed = (text: string, label: string) =>
  [...text.matchAll(new RegExp(`${label.replace(/[()#/]/g, "\\$&")}:\\s*([\\d.]+)`, "g"))].map((m) => Number(m[1]));
const pts = (run: Run, test: string, batch = "decode"): Result[] =>
  run.results.filter((r) => r.test === test && r.scope === "interval" && r.extra?.batch === batch);

describe("sglang-log: Decode batch lines", () => {
  it("reads `Decode batch.` lines with dates: throughput as interval means, state as values", () => {
    const name = "logs/sglang-decode-3909.log";
    const text = fixtureText(name);
    const [run] = readFixture(name).stored.runs;
    assert.equal(run.tool, "sglang-server");
    assert.equal(run.runtime, "sglang");
    const gen = pts(run, "gen throughput (token/s)");
    assert.deepEqual(
      gen.map((r) => r.value),
      printed(text, "gen throughput (token/s)")
    );
    assert.deepEqual(
      [gen[0].metric, gen[0].unit, gen[0].stat, gen[0].kind],
      ["throughput", "tok/s", "interval_mean", "tg"]
    );
    assert.equal(gen[0].time, "2025-02-27T04:46:39", "a full date is printed: local time, no offset added");
    assert.equal(gen[0].extra?.source, "TP0");
    const usage = pts(run, "token usage");
    assert.deepEqual([usage[0].value, usage[0].unit, usage[0].stat], [0.12, "ratio", "value"]);
    assert.deepEqual(
      pts(run, "#token").map((r) => r.value),
      printed(text, "#token")
    );
    assert.equal(run.started_at, "2025-02-27T04:46:39");
  });

  it("reads the comma variant, graph flags, Prefill batch input throughput, and skips access lines", () => {
    const name = "logs/sglang-decode-prefill-pr22166.log";
    const text = fixtureText(name);
    const [run] = readFixture(name).stored.runs;
    assert.deepEqual(
      pts(run, "gen throughput (token/s)").map((r) => r.value),
      [1635.11]
    );
    const input = pts(run, "input throughput (token/s)", "prefill");
    assert.deepEqual(
      input.map((r) => r.value),
      printed(text, "input throughput (token/s)")
    );
    assert.deepEqual([input[0].kind, input[0].metric, input[0].unit], ["pp", "throughput", "tok/s"]);
    assert.equal(input[0].extra?.cuda_graph, true);
    assert.deepEqual(
      pts(run, "#new-token", "prefill").map((r) => r.value),
      [158, 290, 160]
    );
  });

  it("reads a trailing comma and unknown labels (largest-len)", () => {
    const [run] = readFixture("logs/sglang-decode-trailing-4407.log").stored.runs;
    assert.deepEqual(
      pts(run, "#queue-req").map((r) => r.value),
      [0, 0, 0, 0]
    );
    assert.deepEqual(
      pts(run, "largest-len").map((r) => r.metric),
      ["largest_len", "largest_len", "largest_len", "largest_len"]
    );
    assert.deepEqual(
      pts(run, "gen throughput (token/s)").map((r) => r.value),
      [7897.87, 8831.39, 7980.04, 7305.59]
    );
  });

  it("keeps a time-only stamp as text (no date, so no time)", () => {
    const [run] = readFixture("logs/sglang-time-only-1270.log").stored.runs;
    const gen = pts(run, "gen throughput (token/s)");
    assert.equal(gen[0].time, null);
    assert.equal(gen[0].extra?.log_time, "04:40:55");
    assert.equal(gen.length, 5);
  });

  it("reads accept len and accept rate as per-interval means (not cumulative)", () => {
    const name = "logs/sglang-mtp-accept.md";
    const text = fixtureText(name);
    const [run] = readFixture(name).stored.runs;
    const len = pts(run, "accept len");
    assert.deepEqual(
      len.map((r) => r.value),
      printed(text, "accept len")
    );
    assert.deepEqual(
      [len[0].metric, len[0].unit, len[0].stat, len[0].scope],
      ["acceptance_length", "tokens", "interval_mean", "interval"]
    );
    const rate = pts(run, "accept rate");
    assert.deepEqual(
      rate.map((r) => [r.value, r.unit]),
      [
        [0.68, "ratio"],
        [0.67, "ratio"],
        [0.72, "ratio"]
      ]
    );
    assert.deepEqual(
      pts(run, "full token usage").map((r) => r.extra?.pool),
      ["full", "full", "full"]
    );
    const median = run.results.find((r) => r.metric === "acceptance_length" && r.stat === "median")!;
    assert.equal(median.value, 3.05);
  });

  it("reads lines behind Ray's coloured process tag, with SWA pools", () => {
    const [run] = readFixture("logs/sglang-swa-ansi-ray.log").stored.runs;
    const swa = pts(run, "#swa token");
    assert.deepEqual(
      swa.map((r) => [r.value, r.extra?.pool]),
      [
        [14976, "swa"],
        [3712, "swa"]
      ]
    );
    assert.equal(swa[0].extra?.source, "CommandActor pid=105447 TP0 EP0");
    assert.equal(swa[0].time, "2026-10-06T11:00:59");
  });
});

describe("sglang-log: MFU estimates and newer labels", () => {
  it("reads `est. prefill TFLOPS/s (per GPU)`, unknown counters, and a `nan%` occupancy as skipped", () => {
    const [run] = readFixture("logs/sglang-prefill-mfu.log").stored.runs;
    const by = (test: string) => run.results.find((r) => r.test === test)!;
    assert.deepEqual(
      [
        by("est. prefill TFLOPS/s (per GPU)").value,
        by("est. prefill TFLOPS/s (per GPU)").unit,
        by("est. prefill TFLOPS/s (per GPU)").metric
      ],
      [9.9, "TFLOPS/s", "est_tflops_per_gpu"]
    );
    assert.equal(by("input throughput (token/s)").value, 178.18);
    assert.equal(by("#inflight-req").metric, "inflight_req");
    assert.equal(by("#bootstrap-req").value, 0);
    assert.deepEqual([by("fwd occupancy").status, by("fwd occupancy").value], ["skipped", null]);
    assert.equal(by("#cached-token").value, 10048);
    assert.equal(by("#cached-token").extra?.cuda_graph, false);
    assert.equal(by("#cached-token").extra?.source, "TP0 EP0");
  });
});

describe("sglang-log: memory and pool lines", () => {
  it("reads Load weight end and KV Cache is allocated", () => {
    const [run] = readFixture("logs/sglang-startup-npu.log").stored.runs;
    assert.deepEqual(
      run.results.map((r) => [r.metric, r.value, r.unit]),
      [
        ["model_load_time", 23.18, "s"],
        ["available_gpu_memory", 32.02, "GB"],
        ["model_memory", 28.79, "GB"],
        ["kv_capacity", 383872, "tokens"],
        ["kv_cache_memory", 19.36, "GB"]
      ]
    );
    assert.equal(run.model.architecture, "Glm4MoeLiteForCausalLM");
  });

  it("reads K and V sizes and the sliding-window pool line", () => {
    const {stored} = read(
      "[2025-10-01 10:00:00 TP0] KV Cache is allocated. #tokens: 350257, K size: 0.21 GB, V size: 0.21 GB\n[2025-10-01 10:00:00 TP0] Use sliding window memory pool. full_layer_tokens=63987, swa_layer_tokens=51189\n"
    );
    assert.deepEqual(
      stored.runs[0].results.map((r) => [r.metric, r.value, r.unit, r.extra?.part ?? r.extra?.pool ?? null]),
      [
        ["kv_capacity", 350257, "tokens", null],
        ["kv_cache_memory", 0.21, "GB", "K"],
        ["kv_cache_memory", 0.21, "GB", "V"],
        ["kv_capacity", 63987, "tokens", "full"],
        ["kv_capacity", 51189, "tokens", "swa"]
      ]
    );
  });

  it("reads seed 003's SWAKVPool sizes and KV memory (C: BF16 KV, D: FP8 KV)", () => {
    const sizes = (name: string) => readFixture(name).stored.runs[0].results.map((r) => [r.test, r.value]);
    assert.deepEqual(sizes("logs/seed-003-sglang-bf16-kv.txt"), [
      ["full_layer_tokens", 69757],
      ["swa_layer_tokens", 55805],
      ["max_total_num_tokens", 69757]
    ]);
    assert.deepEqual(sizes("logs/seed-003-sglang-fp8-kv.txt"), [
      ["full_layer_tokens", 139515],
      ["swa_layer_tokens", 111612],
      ["max_total_num_tokens", 139515]
    ]);
    const [mem] = readFixture("logs/seed-003-sglang-kv-memory.txt").stored.runs;
    assert.deepEqual(
      mem.results.map((r) => [r.metric, r.extra?.pool, r.extra?.part ?? null, r.value, r.unit, r.text]),
      [
        ["kv_cache_memory", "swa", "K", 21.29, "GB", "21.29 GB K"],
        ["kv_cache_memory", "swa", "V", 21.29, "GB", "21.29 GB V"],
        ["kv_cache_memory", "full", "K", 2.66, "GB", "2.66 GB K"],
        ["kv_cache_memory", "full", "V", 2.66, "GB", "2.66 GB V"],
        ["kv_cache_memory", "total", null, 47.9, "GB", "Total SWAKVPool usage: 47.90 GB"]
      ]
    );
    assert.equal(mem.runtime, "sglang");
  });

  it("takes the model from the launch_server command before the log, and not from a vLLM command", () => {
    const text =
      "vllm serve other/model --port 8000\n\npython3 -m sglang.launch_server --model-path Qwen/Qwen3-32B --tp 2 --mem-fraction-static 0.85\n[2025-02-27 04:46:39 TP0] Decode batch. #running-req: 8, #token: 62531, token usage: 0.12, gen throughput (token/s): 186.64, #queue-req: 0\n";
    const [run] = read(text).stored.runs.filter((r) => r.format === "sglang-log");
    assert.equal(run.model.file, "Qwen/Qwen3-32B");
    assert.equal(run.settings.tp, 2);
    assert.equal(run.settings["mem-fraction-static"], 0.85);
    const noSglang = read(
      "vllm serve other/model --port 8000\n[2025-02-27 04:46:39 TP0] Decode batch. #running-req: 8, #token: 62531, token usage: 0.12, gen throughput (token/s): 186.64, #queue-req: 0\n"
    ).stored.runs[0];
    assert.equal(noSglang.model.file, null);
    assert.equal(noSglang.command, null);
  });
});
