import assert from "node:assert/strict";
import {describe, it} from "node:test";
import type {Result, Run} from "../../../scripts/schema/schema.js";
import {fixtureText, read, readFixture} from "../../helpers/fixtures.js";

/** Independent oracle: every `Label: <number>` printed after `label` on lines containing `marker`, in order. */
function printed(text: string, marker: string, label: string): number[] {
  const re = new RegExp(`${label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\s*(-?[\\d,]*\\d(?:\\.\\d+)?)`);
  return text
    .split("\n")
    .filter((l) => l.includes(marker))
    .map((l) => re.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1].replace(/,/g, "")));
}

const series = (run: Run, test: string, scope = "interval"): Result[] =>
  run.results.filter((r) => r.test === test && (r.scope ?? "run") === scope);

describe("vllm-log: V1 periodic stats and SpecDecoding lines (club-3090 #986)", () => {
  const name = "logs/vllm-v1-spec-club3090-986.log";
  const text = fixtureText(name);
  const {stored, reading} = readFixture(name);
  const [run] = stored.runs;

  it("reads one run of tool vllm-server, runtime vllm, from the whole log", () => {
    assert.equal(stored.runs.length, 1);
    assert.equal(run.tool, "vllm-server");
    assert.equal(run.runtime, "vllm");
    assert.equal(run.format, "vllm-log");
    assert.deepEqual([reading.blocks[0].line_start, reading.blocks[0].line_end], [1, 4]);
  });

  it("stores every throughput as printed, as interval means in tok/s, numbered per series", () => {
    const gen = series(run, "Avg generation throughput");
    assert.deepEqual(
      gen.map((r) => r.value),
      printed(text, "Engine 000", "Avg generation throughput")
    );
    assert.deepEqual(
      gen.map((r) => r.value),
      [249.5, 249.7]
    );
    assert.deepEqual(
      gen.map((r) => r.seq),
      [0, 1]
    );
    assert.deepEqual(
      gen.map((r) => r.line),
      [1, 3]
    );
    for (const r of gen) {
      assert.equal(r.metric, "throughput");
      assert.equal(r.unit, "tok/s");
      assert.equal(r.stat, "interval_mean");
      assert.equal(r.kind, "tg");
      assert.equal(r.time, null, "vLLM prints no year: no time is invented");
      assert.equal(r.extra?.engine, "000");
    }
    assert.equal(gen[0].text, "Avg generation throughput: 249.5 tokens/s");
    assert.equal(gen[0].extra?.log_time, "08-14 11:31:25");
  });

  it("keeps scheduler state as values, not averages", () => {
    const kv = series(run, "GPU KV cache usage");
    assert.deepEqual(
      kv.map((r) => [r.value, r.unit, r.stat, r.metric]),
      [
        [6.5, "%", "value", "kv_cache_usage"],
        [6.8, "%", "value", "kv_cache_usage"]
      ]
    );
    assert.deepEqual(
      series(run, "Running").map((r) => [r.value, r.unit]),
      [
        [1, "requests"],
        [1, "requests"]
      ]
    );
  });

  it("reads the SpecDecoding line by label: acceptance length, counts, per-position rates, acceptance %", () => {
    assert.deepEqual(
      series(run, "Mean acceptance length").map((r) => [r.value, r.unit, r.stat]),
      [
        [4, "tokens", "interval_mean"],
        [4, "tokens", "interval_mean"]
      ]
    );
    assert.deepEqual(
      series(run, "Accepted").map((r) => [r.value, r.stat, r.metric]),
      [
        [1871, "total", "accepted_tokens"],
        [1872, "total", "accepted_tokens"]
      ]
    );
    assert.deepEqual(
      series(run, "Drafted").map((r) => r.value),
      printed(text, "SpecDecoding", "Drafted")
    );
    assert.deepEqual(
      series(run, "Avg Draft acceptance rate").map((r) => [r.value, r.unit]),
      [
        [99.9, "%"],
        [99.8, "%"]
      ]
    );
    const perPos = series(run, "Per-position acceptance rate");
    assert.deepEqual(
      perPos.map((r) => [r.line, r.extra?.position, r.value, r.unit]),
      [
        [2, 1, 1, "ratio"],
        [2, 2, 1, "ratio"],
        [2, 3, 0.998, "ratio"],
        [4, 1, 1, "ratio"],
        [4, 2, 1, "ratio"],
        [4, 3, 0.995, "ratio"]
      ]
    );
  });

  it("adds derived summaries marked as derived, each one of the printed values", () => {
    const derived = run.results.filter((r) => r.extra?.derived_from);
    assert.ok(derived.length > 0);
    for (const d of derived) {
      assert.equal(d.scope, "run");
      assert.ok(["median", "max", "range_low", "range_high"].includes(d.stat));
      assert.equal(d.extra?.derived_from, "interval");
      assert.match(String(d.extra?.method), /nearest-rank|largest/);
      const printedValues = series(run, d.test)
        .filter((r) => JSON.stringify(r.extra?.position) === JSON.stringify(d.extra?.position))
        .map((r) => r.value);
      assert.ok(printedValues.includes(d.value), `${d.stat} ${d.test} ${d.value} is a printed value`);
      assert.ok(
        run.results.some((r) => r.line === d.line && r.value === d.value && r.test === d.test),
        "its line is where that value was printed"
      );
    }
    const genMax = derived.find((d) => d.test === "Avg generation throughput" && d.stat === "max")!;
    assert.equal(genMax.value, 249.7);
    assert.equal(genMax.line, 3);
    const genMedian = derived.find((d) => d.test === "Avg generation throughput" && d.stat === "median")!;
    assert.equal(genMedian.value, 249.5, "lower middle of two values: no averaging");
    // Prompt throughput was 0.0 (idle) in both intervals: no summary of idle intervals.
    assert.ok(!derived.some((d) => d.test === "Avg prompt throughput"));
  });
});

describe("vllm-log: excerpts inside a post become separate runs (CML write-up)", () => {
  const name = "logs/vllm-v1-cml-benchmarking.md";
  const text = fixtureText(name);
  const {stored} = readFixture(name);
  const logs = stored.runs.filter((r) => r.format === "vllm-log");

  it("reads each fenced excerpt as its own run, next to the vllm bench serve block", () => {
    assert.equal(logs.length, 2);
    assert.deepEqual(
      logs.map((r) => [r.source.line_start, r.source.line_end]),
      [
        [24, 26],
        [30, 38]
      ]
    );
  });

  it("keeps every printed throughput and KV usage, in order", () => {
    const all = logs.flatMap((r) => series(r, "Avg prompt throughput"));
    assert.deepEqual(
      all.map((r) => r.value),
      printed(text, "Engine 000", "Avg prompt throughput")
    );
    const kv = logs.flatMap((r) => series(r, "GPU KV cache usage"));
    assert.deepEqual(
      kv.map((r) => r.value),
      printed(text, "Engine 000", "GPU KV cache usage")
    );
    assert.equal(kv.at(-1)!.value, 90.6);
  });

  it("summarizes only active intervals of a throughput, and says how many were idle", () => {
    const second = logs[1];
    const median = second.results.find((r) => r.test === "Avg prompt throughput" && r.stat === "median")!;
    // Printed: 408.8, 818.0, 1225.9, then six 0.0 → active sorted 408.8, 818.0, 1225.9; rank ⌈1.5⌉ = 2.
    assert.equal(median.value, 818);
    assert.equal(median.extra?.n, 3);
    assert.equal(median.extra?.idle_excluded, 6);
    const low = second.results.find((r) => r.test === "Avg prompt throughput" && r.stat === "range_low")!;
    const high = second.results.find((r) => r.test === "Avg prompt throughput" && r.stat === "range_high")!;
    assert.deepEqual([low.value, high.value], [408.8, 1225.9]);
  });
});

describe("vllm-log: V0 and older spec-decode lines", () => {
  it("reads V0 stats with Swapped/Pending and CPU KV cache usage, trailing period", () => {
    const name = "logs/vllm-v0-metrics-11871.log";
    const [run] = readFixture(name).stored.runs;
    assert.deepEqual(
      series(run, "Avg generation throughput").map((r) => r.value),
      printed(fixtureText(name), "metrics.py", "Avg generation throughput")
    );
    assert.deepEqual(
      series(run, "CPU KV cache usage").map((r) => [r.value, r.unit, r.metric]),
      [
        [0, "%", "cpu_kv_cache_usage"],
        [0, "%", "cpu_kv_cache_usage"],
        [0, "%", "cpu_kv_cache_usage"]
      ]
    );
    assert.deepEqual(
      series(run, "Pending").map((r) => r.metric),
      ["pending_requests", "pending_requests", "pending_requests"]
    );
    assert.equal(series(run, "GPU KV cache usage")[0].value, 20);
  });

  it("reads V0 Speculative metrics as totals since the server started (scope cumulative)", () => {
    const name = "logs/vllm-v0-spec-6768.log";
    const [run] = readFixture(name).stored.runs;
    const drafted = series(run, "Number of draft tokens tokens", "cumulative");
    assert.deepEqual(
      drafted.map((r) => r.value),
      [42272, 51056]
    );
    assert.deepEqual(
      drafted.map((r) => r.metric),
      ["drafted_tokens", "drafted_tokens"]
    );
    const rate = series(run, "Draft acceptance rate", "cumulative");
    assert.deepEqual(
      rate.map((r) => [r.value, r.unit]),
      [
        [0, "ratio"],
        [0, "ratio"]
      ]
    );
    assert.deepEqual(
      series(run, "System efficiency", "cumulative").map((r) => r.value),
      [0.059, 0.059]
    );
    assert.ok(
      !run.results.some((r) => r.extra?.derived_from && r.metric === "acceptance_rate"),
      "cumulative figures get no interval summary"
    );
  });

  it("reads V0's Prefix cache hit rate split by GPU and CPU", () => {
    const [run] = readFixture("logs/vllm-v0-spec-9539.log").stored.runs;
    assert.deepEqual(
      run.results.filter((r) => r.metric === "prefix_cache_hit_rate").map((r) => [r.extra?.pool, r.value]),
      [
        ["GPU", 94.35],
        ["CPU", 0]
      ]
    );
    assert.equal(series(run, "Number of accepted tokens", "cumulative")[0].value, 8547);
  });

  it("reads the renamed spec line and its predecessor, and a reordered one", () => {
    const [old] = readFixture("logs/vllm-spec-pr15902.txt").stored.runs;
    assert.deepEqual(
      series(old, "Draft acceptance rate", "cumulative").map((r) => [r.value, r.unit]),
      [[1, "ratio"]]
    );
    assert.deepEqual(
      series(old, "Draft acceptance rate").map((r) => [r.value, r.unit]),
      [[100, "%"]]
    );
    assert.equal(series(old, "Avg generation throughput")[0].value, 10);

    const [reordered] = readFixture("logs/vllm-spec-reordered-pr24127.log").stored.runs;
    assert.deepEqual(
      series(reordered, "Per-position acceptance rate").map((r) => r.value),
      [0.983, 0.949, 0.915, 0.881, 0.712]
    );
    assert.equal(series(reordered, "Mean acceptance length")[0].value, 5.44);
    assert.equal(series(reordered, "Draft acceptance rate")[0].value, 88.8);
  });
});

describe("vllm-log: startup lines", () => {
  it("stores the KV cache size as a number and keeps the printed text with its separators", () => {
    const [run] = readFixture("logs/vllm-kv-size-pr13596.log").stored.runs;
    const kv = run.results.find((r) => r.metric === "kv_capacity")!;
    assert.equal(kv.value, 2042016);
    assert.equal(kv.unit, "tokens");
    assert.equal(kv.stat, "value");
    assert.equal(kv.text, "GPU KV cache size: 2,042,016 tokens");
    assert.equal(kv.extra?.printed, "2,042,016 tokens");
    const conc = run.results.find((r) => r.metric === "max_concurrency")!;
    assert.deepEqual([conc.value, conc.unit, conc.extra?.tokens_per_request], [997.08, "x", 2048]);
  });

  it("reads model memory, GPU blocks, KV memory and engine init time across versions", () => {
    const [early] = readFixture("logs/vllm-startup-pr12569.log").stored.runs;
    assert.deepEqual(
      early.results.map((r) => [r.metric, r.value, r.unit]),
      [
        ["model_memory", 67.7229, "GB"],
        ["kv_capacity", 1381, "blocks"],
        ["max_concurrency", 10.79, "x"]
      ]
    );
    assert.match(early.command ?? "", /^VLLM_USE_V1=1 vllm serve neuralmagic/);
    assert.equal(early.model.file, "neuralmagic/Meta-Llama-3.1-70B-Instruct-quantized.w8a8");
    assert.equal(early.settings["max-model-len"], 2048);
    assert.ok(early.settings_from_command.includes("gpu-memory-utilization"));

    const [omni] = readFixture("logs/vllm-startup-omni-pr1160.log").stored.runs;
    assert.deepEqual(
      omni.results.map((r) => [r.metric, r.value, r.unit]),
      [
        ["kv_cache_memory", 100.43, "GiB"],
        ["kv_capacity", 2925232, "tokens"],
        ["max_concurrency", 89.27, "x"],
        ["engine_init_time", 2.6, "s"]
      ]
    );

    const [bare] = readFixture("logs/vllm-bare-startup-10517.txt").stored.runs;
    assert.deepEqual(
      bare.results
        .filter((r) =>
          ["model_memory", "kv_capacity", "cpu_kv_capacity", "kv_cache_memory", "max_concurrency"].includes(r.metric)
        )
        .map((r) => [r.metric, r.value, r.unit]),
      [
        ["model_memory", 14.9888, "GB"],
        ["kv_cache_memory", 2.89, "GiB"],
        ["kv_capacity", 1478, "blocks"],
        ["cpu_kv_capacity", 2048, "blocks"],
        ["max_concurrency", 0.82, "x"]
      ]
    );
    assert.equal(bare.settings.gpu_memory_utilization, 0.9);
  });

  it("reads `Model loading took … GiB and … seconds`", () => {
    const {stored} = read(
      "(VllmWorker rank=0 pid=3008574) INFO 05-29 23:37:00 [gpu_model_runner.py:1347] Model loading took 11.4384 GiB and 5.338305 seconds\n"
    );
    assert.deepEqual(
      stored.runs[0].results.map((r) => [r.metric, r.value, r.unit, r.extra?.source]),
      [
        ["model_memory", 11.4384, "GiB", "VllmWorker rank=0 pid=3008574"],
        ["model_load_time", 5.338305, "s", "VllmWorker rank=0 pid=3008574"]
      ]
    );
  });

  it("leaves a lone unprefixed KV-size sentence to other readers (a writer's summary)", () => {
    const text =
      "Observed values\n\nGeneration throughput: up to 115.3 tok/s\nGPU KV cache size: 876,006 tokens\nBest draft acceptance rate: 93.5%\n";
    assert.throws(() => read(text, "summary.txt", {format: "vllm-log"}), /vLLM server log/);
  });
});

describe("vllm-log: edge cases", () => {
  it("keeps `n/a` and `nan%` values as skipped results instead of dropping them", () => {
    const {stored} = read(
      "(APIServer pid=7) INFO 10-01 10:00:00 [loggers.py:200] Engine 000: Avg prompt throughput: 10.0 tokens/s, Avg generation throughput: 20.0 tokens/s, Running: 1 reqs, Waiting: 0 reqs, GPU KV cache usage: n/a, Prefix cache hit rate: n/a\n" +
        "(APIServer pid=7) INFO 10-01 10:00:00 [metrics.py:120] SpecDecoding metrics: Mean acceptance length: 1.00, Accepted throughput: 0.00 tokens/s, Drafted throughput: 0.00 tokens/s, Accepted: 0 tokens, Drafted: 0 tokens, Per-position acceptance rate: nan, Avg Draft acceptance rate: nan%\n"
    );
    const [run] = stored.runs;
    const kv = run.results.find((r) => r.test === "GPU KV cache usage")!;
    assert.equal(kv.status, "skipped");
    assert.equal(kv.value, null);
    assert.equal(kv.status_detail, 'printed "n/a"');
    assert.equal(run.results.find((r) => r.test === "Avg Draft acceptance rate")!.status, "skipped");
  });

  it("keeps an unknown label under its own name, and a compound value as text", () => {
    const {stored} = read(
      "(APIServer pid=7) INFO 10-01 10:00:00 [loggers.py:200] Engine 001: Avg prompt throughput: 1.0 tokens/s, Avg generation throughput: 2.0 tokens/s, Running: 3 reqs, Waiting: 0 reqs, Preemptions: 2, GPU KV cache usage: active 12.0%, cached free 8.0%, Prefix cache hit rate: 50.0%, MM cache hit rate: 10.0%\n"
    );
    const [run] = stored.runs;
    assert.deepEqual(run.results.find((r) => r.test === "Preemptions")!.value, 2);
    assert.equal(run.results.find((r) => r.test === "MM cache hit rate")!.metric, "mm_cache_hit_rate");
    assert.equal(run.results[0].extra?.engine, "001");
    assert.equal(run.results[0].extra?.gpu_kv_cache_usage, "active 12.0%, cached free 8.0%");
  });

  it("matches labels case-insensitively and reads CRLF line endings", () => {
    const {stored} = read(
      "INFO 01-01 00:00:00 metrics.py:1] avg prompt throughput: 3.5 tokens/s, AVG GENERATION THROUGHPUT: 7.25 tokens/s, Running: 1 reqs\r\nINFO 01-01 00:00:10 metrics.py:1] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 8.5 tokens/s, Running: 1 reqs\r\n"
    );
    const gen = stored.runs[0].results.filter(
      (r) => r.metric === "throughput" && r.kind === "tg" && r.scope === "interval"
    );
    assert.deepEqual(
      gen.map((r) => [r.value, r.line]),
      [
        [7.25, 1],
        [8.5, 2]
      ]
    );
  });

  it("fills model and settings from the vllm serve command before the log; the log's own config wins", () => {
    const text = [
      "$ vllm serve Qwen/Qwen3-8B --max-model-len 8192 --kv-cache-dtype fp8 -tp 2",
      "(APIServer pid=1) INFO 08-06 10:19:30 [api_server.py:1] vLLM API server version 0.10.1",
      "(APIServer pid=1) INFO 08-06 10:19:30 [utils.py:326] non-default args: {'model_tag': 'Qwen/Qwen3-8B', 'model': 'Qwen/Qwen3-8B', 'max_model_len': 4096, 'kv_cache_dtype': 'fp8'}",
      "(APIServer pid=1) INFO 08-06 10:19:39 [loggers.py:123] Engine 000: Avg prompt throughput: 138.2 tokens/s, Avg generation throughput: 87.5 tokens/s, Running: 1 reqs, Waiting: 0 reqs, GPU KV cache usage: 0.0%, Prefix cache hit rate: 0.0%"
    ].join("\n");
    const [run] = read(text).stored.runs;
    assert.equal(run.tool_version, "0.10.1");
    assert.equal(run.model.file, "Qwen/Qwen3-8B");
    assert.equal(run.settings.max_model_len, 4096, "the log's non-default args are what the server used");
    assert.ok(run.notes.some((n) => n.startsWith("max_model_len: the command says 8192")));
    assert.equal(run.settings.tp, 2, "the server's own option name, as printed without dashes");
    assert.deepEqual(run.settings_from_command, ["tp"]);
    assert.equal(run.settings["kv-cache-dtype"], undefined, "the log already states kv_cache_dtype: not doubled");
    assert.equal(run.command, "vllm serve Qwen/Qwen3-8B --max-model-len 8192 --kv-cache-dtype fp8 -tp 2");
  });
});
