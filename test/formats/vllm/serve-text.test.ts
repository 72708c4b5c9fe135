import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {InputError} from "../../../scripts/document/read.js";
import {fixtureText, read, readFixture, rowsOf} from "../../helpers/fixtures.js";

/** Oracle: every `label: number` the text prints inside banner…closing blocks, in order, split at labels even when flattened. */
function printedNumbers(text: string): number[] {
  const blocks =
    text.match(/={3,}\s*(?:Serving Benchmark Result|サービングベンチマーク結果)\s*={3,}[\s\S]*?={40,}/g) ?? [];
  return blocks.flatMap((b) => [...b.matchAll(/:\s*(-?\d+(?:\.\d+)?)(?=\s|$)/g)].map((m) => Number(m[1])));
}

describe("vllm serve text: seed 000 (two blocks, flattened onto lines 1-2 and translated into Japanese)", () => {
  const name = "vllm/seed-000-ja-flattened.txt";
  const reading = readFixture(name);
  const runs = reading.stored.runs;
  const rows = rowsOf(reading);

  it("finds both blocks, the second split across the physical line break", () => {
    assert.deepEqual(
      reading.reading.blocks.map((b) => [b.format, b.line_start, b.line_end]),
      [
        ["vllm-serve-text", 1, 1],
        ["vllm-serve-text", 1, 2]
      ]
    );
  });

  it("reads every printed number of both blocks (Maximum request concurrency as a setting)", () => {
    const printed = printedNumbers(fixtureText(name).replace(/\n/, " "));
    // "最大リクエスト同時実行数" (Maximum request concurrency) is a setting, not a result: the 3rd of each block's 20 numbers.
    assert.equal(printed.length, 40);
    const expected = printed.filter((_, i) => i !== 2 && i !== 22);
    assert.deepEqual(
      rows.map((r) => r.value),
      expected
    );
    assert.deepEqual(
      runs.map((r) => r.settings.max_concurrency),
      [8, 1]
    );
  });

  it("maps translated labels to metrics, units and statistics", () => {
    const first = rows.filter((r) => r.run_id === runs[0].id);
    const get = (metric: string, stat: string) => first.find((r) => r.metric === metric && r.stat === stat);
    assert.deepEqual(
      [get("requests_completed", "total")?.value, get("requests_completed", "total")?.unit],
      [8, "requests"]
    );
    assert.deepEqual([get("duration", "value")?.value, get("duration", "value")?.unit], [10.95, "s"]);
    assert.equal(get("output_throughput", "peak")?.value, 416);
    assert.equal(get("ttft", "mean")?.text, "平均TTFT (ms): 3541.17");
    assert.equal(get("ttft", "median")?.value, 3572.61);
    assert.equal(get("itl", "p99")?.value, 327.19);
    assert.equal(get("total_throughput", "value")?.value, 1683.4);
  });

  it("reads the label cut by the line break, joined, with the value's own line", () => {
    const second = rows.filter((r) => r.run_id === runs[1].id);
    const peak = second.find((r) => r.metric === "output_throughput" && r.stat === "peak")!;
    assert.deepEqual([peak.value, peak.line, peak.text], [131, 2, "最大出力トークンスループット (tok/s): 131.00"]);
    assert.equal(
      second.find((r) => r.metric === "ttft" && r.stat === "median")?.value,
      651.94,
      "中央TTFT is the median too"
    );
  });

  it("takes concurrency, lengths and model from each block's bench command, runtime and settings from vllm serve", () => {
    assert.deepEqual(
      runs.map((r) => r.results[0].concurrency),
      [8, 1]
    );
    assert.deepEqual([rows[0].n_prompt, rows[0].n_gen, rows[0].test], [2048, 256, "random in2048 out256 c8"]);
    for (const run of runs) {
      assert.equal(run.runtime, "vllm");
      assert.equal(run.model.name, "Qwen3.5-122B-A10B-GPTQ-Int4");
      assert.equal(run.model.quant, "GPTQ-Int4");
      assert.equal(run.settings.tp, 4);
      assert.equal(run.settings["max-model-len"], 65536);
      assert.equal(run.settings["enable-expert-parallel"], true);
      assert.equal((run.extra.client_options as Record<string, string>).tokenizer, "Qwen3.5-4B");
    }
    assert.match(runs[1].command!, /--num-prompts 16 .*--max-concurrency 1/);
  });
});

describe("vllm serve text: percentiles, E2EL and speculative decoding (vllm bench serve, 2026)", () => {
  const name = "vllm/spec-decode-percentiles.txt";
  const reading = readFixture(name);
  const [run] = reading.stored.runs;
  const rows = rowsOf(reading);

  it("reads every number as printed, on its line", () => {
    const text = fixtureText(name);
    const expected = printedNumbers(text).filter((_, i) => i !== 2); // Request rate configured (RPS) is a setting
    assert.deepEqual(
      rows.map((r) => r.value),
      expected
    );
    const lines = text.split("\n");
    for (const r of rows)
      assert.ok(lines[(r.line as number) - 1].includes(String(r.text).trim().split(/\s+/).at(-1)!), `line ${r.line}`);
    assert.equal(run.settings.request_rate, 0.3);
  });

  it("keeps P50/P90/P95 and E2EL, and the spec-decode section as per-run figures", () => {
    const stats = rows.filter((r) => r.metric === "e2el").map((r) => [r.stat, r.value]);
    assert.deepEqual(stats, [
      ["mean", 10026.06],
      ["median", 6110.34],
      ["p50", 6110.34],
      ["p90", 25221.25],
      ["p95", 30037.99],
      ["p99", 43119.19]
    ]);
    const spec = rows.filter((r) =>
      ["acceptance_rate", "acceptance_length", "drafts", "draft_tokens", "accepted_tokens"].includes(r.metric as string)
    );
    assert.deepEqual(
      spec.slice(0, 5).map((r) => [r.metric, r.unit, r.stat, r.value, r.scope]),
      [
        ["acceptance_rate", "%", "value", 46.59, "run"],
        ["acceptance_length", "tokens", "mean", 2.86, "run"],
        ["drafts", "drafts", "total", 17958, "run"],
        ["draft_tokens", "tokens", "total", 71832, "run"],
        ["accepted_tokens", "tokens", "total", 33463, "run"]
      ]
    );
    const positions = run.results.filter((r) => r.extra?.position !== undefined);
    assert.deepEqual(
      positions.map((r) => [r.metric, r.value, r.extra?.position]),
      [
        ["acceptance_rate", 72.63, 0],
        ["acceptance_rate", 51.49, 1],
        ["acceptance_rate", 36.13, 2],
        ["acceptance_rate", 26.09, 3]
      ]
    );
  });

  it("reads the bench command from a docker exec line the command reader leaves alone", () => {
    assert.match(run.command!, /^vllm bench serve --backend openai-chat/);
    assert.equal(run.model.name, "google/gemma-4-26B-A4B-it");
    // No --max-concurrency on that command, --request-rate 0.3: requests were not limited in flight.
    assert.equal(rows[0].test, "sharegpt unbounded 0.3 req/s");
    assert.deepEqual(
      [rows[0].concurrency, rows[0].result_extra],
      [null, {concurrency: "unbounded", request_rate: 0.3}]
    );
  });
});

describe("vllm serve text: older benchmark_serving.py (Total Token throughput)", () => {
  const rows = rowsOf(readFixture("vllm/benchmark-serving-old.txt")).filter((r) => r.format === "vllm-serve-text");

  it("matches labels whatever their case", () => {
    assert.equal(rows.find((r) => r.metric === "total_throughput")?.value, 10566.33);
    assert.deepEqual([rows[0].n_prompt, rows[0].n_gen], [1000, 500]);
  });
});

describe("vllm serve text: edge cases", () => {
  const block = [
    "============ Serving Benchmark Result ============",
    "Successful requests:                     8",
    "Benchmark duration (s):                  10.95",
    "---------------Time to First Token----------------",
    "Mean TTFT (ms):                          3541.17",
    "=================================================="
  ];

  it("reads CRLF text", () => {
    assert.deepEqual(
      rowsOf(read(block.join("\r\n"))).map((r) => [r.metric, r.value, r.line]),
      [
        ["requests_completed", 8, 2],
        ["duration", 10.95, 3],
        ["ttft", 3541.17, 5]
      ]
    );
  });

  it("reads a truncated block (no closing rule) as far as it goes", () => {
    assert.equal(rowsOf(read(block.slice(0, 3).join("\n"))).length, 2);
  });

  it("keeps labels it does not know, unconverted", () => {
    const [run] = read(
      [...block.slice(0, 2), "RTFx (Inverse Real-Time Factor):         12.50", ...block.slice(2)].join("\n")
    ).stored.runs;
    assert.deepEqual(run.extra.unrecognized, [{label: "RTFx (Inverse Real-Time Factor)", value: "12.50", line: 3}]);
  });

  it("names the line of a value that is not a number", () => {
    const bad = [...block.slice(0, 2), "Benchmark duration (s):                  soon", ...block.slice(3)].join("\n");
    assert.throws(
      () => read(bad, "b.txt"),
      (e: unknown) =>
        e instanceof InputError && e.line === 3 && /a number after "Benchmark duration \(s\):"/.test(e.message)
    );
  });
});
