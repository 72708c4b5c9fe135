import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {looksLikeLogFile} from "../../../scripts/formats/logs/line-log.js";
import {splitLogPrefix} from "../../../scripts/formats/logs/log-prefix.js";
import {summarize} from "../../../scripts/formats/logs/summary.js";
import type {Result} from "../../../scripts/schema/schema.js";
import {fixtureText, read} from "../../helpers/fixtures.js";

const engine = (ts: string, gen: string) =>
  `(APIServer pid=1) INFO 08-14 ${ts} [loggers.py:273] Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: ${gen} tokens/s, Running: 1 reqs, Waiting: 0 reqs, GPU KV cache usage: 6.5%, Prefix cache hit rate: 0.0%`;

describe("log blocks: where one log run ends", () => {
  it("in a post, a prose line between two excerpts makes two runs", () => {
    const text = [
      "Before the change:",
      engine("11:31:25", "249.5"),
      engine("11:31:35", "249.7"),
      "After we raised --max-num-seqs the numbers moved:",
      engine("11:41:25", "310.2")
    ].join("\n");
    const runs = read(text, "post.md").stored.runs;
    assert.deepEqual(
      runs.map((r) => [r.source.line_start, r.source.line_end]),
      [
        [2, 3],
        [5, 5]
      ]
    );
  });

  it("in a log file, stray non-log lines (NCCL banner, a model's echoed text) stay inside one run", () => {
    const lines = [
      engine("11:31:25", "249.5"),
      "NCCL version 2.21.5+cuda12.4",
      "Sure! Here is a haiku about benchmarks",
      engine("11:31:35", "249.7")
    ];
    for (let i = 0; i < 20; i++)
      lines.push(`(APIServer pid=1) INFO:     127.0.0.1:${40000 + i} - "POST /v1/chat/completions HTTP/1.1" 200 OK`);
    lines.push(engine("11:31:45", "250.1"));
    const runs = read(lines.join("\n"), "server.log").stored.runs;
    assert.equal(runs.length, 1);
    assert.deepEqual([runs[0].source.line_start, runs[0].source.line_end], [1, lines.length]);
  });

  it("a code fence or a table row ends a block even in a log file", () => {
    for (const breaker of ["```", "| model | test | t/s |"]) {
      const lines = [
        engine("11:31:25", "249.5"),
        engine("11:31:30", "249.6"),
        breaker,
        engine("11:31:35", "249.7"),
        engine("11:31:40", "249.8")
      ];
      for (let i = 0; i < 30; i++) lines.push(engine(`11:32:${String(i).padStart(2, "0")}`, "250.0"));
      assert.equal(
        read(lines.join("\n"), "server.log").stored.runs.filter((r) => r.format === "vllm-log").length,
        2,
        breaker
      );
    }
  });

  it("a new server command in a log file starts a new run with its own settings", () => {
    const text = [
      "$ vllm serve a/model --max-model-len 4096",
      engine("11:31:25", "249.5"),
      "$ vllm serve b/model --max-model-len 8192",
      engine("11:41:25", "120.0")
    ].join("\n");
    const runs = read(text, "server.log").stored.runs;
    assert.deepEqual(
      runs.map((r) => [r.model.file, r.settings["max-model-len"]]),
      [
        ["a/model", 4096],
        ["b/model", 8192]
      ]
    );
  });

  it("tells a log file from a post by its first lines", () => {
    assert.equal(looksLikeLogFile(fixtureText("logs/vllm-v0-spec-6768.log").split("\n")), true);
    assert.equal(looksLikeLogFile(fixtureText("logs/seed-003-vllm-digest.txt").split("\n")), false);
    assert.equal(looksLikeLogFile(fixtureText("captured/cpu/llama-server.stderr").split("\n")), true);
  });
});

describe("log prefixes", () => {
  it("splits vLLM, SGLang, llama.cpp, compose and Ray prefixes, and keeps the stamp as printed", () => {
    const cases: [string, Partial<ReturnType<typeof splitLogPrefix>>][] = [
      [
        "(APIServer pid=1) INFO 08-14 11:31:25 [loggers.py:273] Engine 000: x",
        {message: "Engine 000: x", log_time: "08-14 11:31:25", time: null, source: "APIServer pid=1"}
      ],
      [
        "INFO 01-09 09:53:39 metrics.py:351] Avg prompt throughput: x",
        {message: "Avg prompt throughput: x", log_time: "01-09 09:53:39"}
      ],
      [
        "[2025-02-27 04:46:39 TP0] Decode batch. x",
        {message: "Decode batch. x", time: "2025-02-27T04:46:39", source: "TP0"}
      ],
      [
        "[2025-11-04 05:27:13 DP0 TP0 EP0] KV Cache is allocated. x",
        {time: "2025-11-04T05:27:13", source: "DP0 TP0 EP0"}
      ],
      ["132.05.318.177 I slot print_timing: x", {message: "slot print_timing: x", log_time: "132.05.318.177"}],
      [
        "vllm-1  | INFO 05-04 12:34:56 [loggers.py:123] Engine 000: x",
        {message: "Engine 000: x", log_time: "05-04 12:34:56"}
      ],
      [
        "\x1b[36m(CommandActor pid=105447)\x1b[0m [2026-10-06 11:00:59 TP0 EP0] Decode batch, x",
        {message: "Decode batch, x", source: "CommandActor pid=105447 TP0 EP0"}
      ],
      ["Generation throughput: 95.9 tok/s", {message: "Generation throughput: 95.9 tok/s", prefixed: false}]
    ];
    for (const [line, expected] of cases) {
      const got = splitLogPrefix(line);
      for (const [k, v] of Object.entries(expected)) assert.deepEqual(got[k as keyof typeof got], v, `${line} → ${k}`);
    }
  });
});

describe("derived summaries", () => {
  const point = (value: number, line: number): Result => ({
    line,
    test: "x",
    kind: "tg",
    n_prompt: null,
    n_gen: null,
    n_depth: null,
    scope: "interval",
    metric: "acceptance_length",
    unit: "tokens",
    stat: "interval_mean",
    value,
    stddev: null,
    stddev_kind: null,
    repetitions: null,
    status: "ok"
  });
  const run = (values: number[]) =>
    summarize({template: point(values[0], 1), values, lines: values.map((_, i) => i + 1)});

  it("picks printed values by nearest rank: odd and even counts, ties cite the earliest line", () => {
    const odd = run([5, 1, 3, 2, 4]);
    assert.deepEqual(
      odd.map((r) => [r.stat, r.value]),
      [
        ["median", 3],
        ["max", 5],
        ["range_low", 2],
        ["range_high", 4]
      ]
    );
    const ties = run([2, 7, 2, 7]);
    assert.deepEqual(
      ties.map((r) => [r.stat, r.value, r.line]),
      [
        ["median", 2, 1],
        ["max", 7, 2],
        ["range_low", 2, 1],
        ["range_high", 7, 2]
      ]
    );
    for (const r of odd) {
      assert.equal(r.scope, "run");
      assert.equal(r.extra?.derived_from, "interval");
      assert.equal(r.extra?.n, 5);
    }
  });

  it("gives no summary for a single value", () => {
    assert.deepEqual(run([4.2]), []);
  });
});
