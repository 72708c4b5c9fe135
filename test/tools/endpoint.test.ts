/**
 * The endpoint runner against a real CPU llama-server (scripts/llama/build-cpu.sh)
 * serving a tiny random-weight model (scripts/llama/make-tiny-gguf.ts): the
 * runner starts the server from a plan, measures, captures its log and stops
 * it; a depth beyond a slot's context is the forced failure.
 *
 * Binaries: $BENCHBOOK_LLAMA_BIN, else build-cpu.sh's cache (it builds once).
 */
import assert from "node:assert/strict";
import {execFileSync} from "node:child_process";
import {existsSync, mkdtempSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, describe, it} from "node:test";
import {fileURLToPath} from "node:url";
import type {EndpointResultFile} from "../../scripts/bench/endpoint/result-file.js";
import {expandPlan, readPlan} from "../../scripts/bench/plan.js";
import {endpointRunner} from "../../scripts/bench/runners/endpoint.js";
import {readInput} from "../../scripts/import/import.js";
import {freePort} from "../helpers/streaming-server.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));

function llamaBin(): string {
  if (process.env.BENCHBOOK_LLAMA_BIN) return process.env.BENCHBOOK_LLAMA_BIN;
  const out = execFileSync("bash", ["scripts/llama/build-cpu.sh"], {
    cwd: REPO,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"]
  });
  return out.trim().split("\n").at(-1)!;
}

function tinyModel(bin: string, out: string): void {
  const vocab = join(bin, "../../src/models/ggml-vocab-llama-spm.gguf");
  execFileSync(
    process.execPath,
    ["--import", "tsx", "scripts/llama/make-tiny-gguf.ts", "--vocab", vocab, "--out", out],
    {cwd: REPO, stdio: "ignore"}
  );
}

describe("endpoint runner against a real CPU llama-server", async () => {
  const bin = llamaBin();
  assert.ok(existsSync(join(bin, "llama-server")), `no llama-server in ${bin}`);
  const work = mkdtempSync(join(tmpdir(), "benchbook-endpoint-"));
  after(() => rmSync(work, {recursive: true, force: true}));
  const model = join(work, "tiny.gguf");
  tinyModel(bin, model);
  const port = await freePort();
  // Two slots of 1024 tokens: depth 4096 cannot fit.
  const plan = `name: tools endpoint
runner: endpoint
timeout_s: 300
endpoint:
  base_url: http://127.0.0.1:${port}/v1
  model: tiny.gguf
  prompt_tokens: 64
  gen_tokens: 16
  depths: [0, 256, 4096]
  concurrency: [1, 2]
  runs: 2
  server:
    command: ${JSON.stringify([join(bin, "llama-server"), "-m", model, "-c", "2048", "-np", "2", "-t", "2", "--host", "127.0.0.1", "--port", String(port)])}
    health_url: http://127.0.0.1:${port}/health
    startup_timeout_s: 120
`;
  const [cell] = expandPlan(readPlan(plan, "tools-endpoint.yaml"));
  const outcome = await endpointRunner.run(cell, {
    signal: new AbortController().signal,
    progress: () => {},
    now: () => new Date(),
    env: process.env
  });
  const resultFile = outcome.files.find((f) => f.role === "result")!;
  const log = Buffer.from(outcome.files.find((f) => f.role === "server-log")!.bytes).toString("utf8");
  const result = JSON.parse(Buffer.from(resultFile.bytes).toString("utf8")) as EndpointResultFile;
  const ok = result.requests.filter((r) => r.status === "ok");

  it("starts, measures and stops the server (SIGTERM, exit 0)", () => {
    assert.deepEqual([outcome.capture.exit_code, outcome.capture.signal], [0, null]);
    assert.equal(result.endpoint.runtime, "llama.cpp");
    assert.equal(result.endpoint.runtime_source, "server command");
    assert.equal(result.server_info.system_fingerprint?.startsWith("b"), true);
    assert.equal(result.method.token_counting.method, "server-tokenizer");
    assert.equal(result.method.token_counting.detail, "llama-server POST /tokenize, /detokenize");
  });

  it("captures the server's log: startup, one timing block per request, clean exit", () => {
    assert.match(log, /listening on http:\/\/127\.0\.0\.1:\d+/);
    const timings = log.match(/print_timing: .*prompt eval time =/g) ?? [];
    // Every measured request, plus warmup and probes.
    assert.ok(timings.length >= ok.length, `${timings.length} timing blocks for ${ok.length} requests`);
    assert.match(log, /cleaning up before exit/);
  });

  it("depths 0 and 256 at concurrency 1 and 2: every request ok with sane, server-reported values", () => {
    const okTests = result.tests.filter((t) => t.n_depth !== 4096);
    const failed = okTests.filter((t) => t.status !== "ok").map((t) => `${t.pp_test}: ${t.status_detail}`);
    assert.deepEqual(
      okTests.map((t) => [t.pp_test, t.status, t.requests_ok]),
      [
        ["pp64", "ok", 2],
        ["pp64 (c2)", "ok", 4],
        ["pp64 @ d256", "ok", 2],
        ["pp64 @ d256 (c2)", "ok", 4]
      ],
      failed.join("\n")
    );
    assert.equal(ok.length, 12);
    for (const r of ok) {
      const test = result.tests[r.test_id];
      const timings = r.timings as {
        predicted_n: number;
        prompt_n: number;
        cache_n: number;
        predicted_per_second: number;
      };
      const usage = r.usage as {prompt_tokens: number; completion_tokens: number};
      assert.equal(timings.predicted_n, 16, "server generated the requested tokens (ignore_eos)");
      assert.equal(usage.completion_tokens, 16);
      assert.deepEqual([r.completion_tokens, r.completion_tokens_source], [16, "server:usage.completion_tokens"]);
      assert.deepEqual([r.prompt_tokens, r.prompt_tokens_source], [timings.prompt_n, "server:timings.prompt_n"]);
      // With the template adaptation the server sees about pp + depth prompt tokens (± a token at text boundaries).
      assert.ok(
        Math.abs(usage.prompt_tokens - (test.n_prompt + test.n_depth)) <= 3,
        `prompt_tokens ${usage.prompt_tokens} for pp ${test.n_prompt} + d ${test.n_depth}`
      );
      assert.equal(r.finish_reason, "length");
      // llama-server holds back a token that ends inside a UTF-8 character and sends it with the next: up to 16 events.
      assert.ok(r.content_events >= 8 && r.content_events <= 16, `${r.content_events} content events`);
      assert.ok(
        r.ttfr_ms! > 0 &&
          r.e2e_ttft_ms! >= r.ttfr_ms! &&
          r.last_token_ms! >= r.e2e_ttft_ms! &&
          r.end_ms! >= r.last_token_ms!
      );
      assert.equal(r.est_ppt_ms, r.ttfr_ms! - result.method.latency_ms);
      // The tiny model outruns the network: events may share reads, and when all do, no rate is defined.
      assert.ok(
        r.tg_throughput === null ? r.content_reads === 1 : r.tg_throughput > 0 && Number.isFinite(r.tg_throughput)
      );
      assert.ok(r.pp_throughput === null ? r.est_ppt_ms! <= 0 : r.pp_throughput > 0);
    }
    // Each request's context was unseen: the server had at most the template cached.
    assert.ok(
      ok.every((r) => (r.timings as {cache_n: number}).cache_n < 16),
      `cache_n ${ok.map((r) => (r.timings as {cache_n: number}).cache_n)}`
    );
  });

  it("a depth beyond the slot's context: HTTP 400 from the server, the test's results are errors with its message", () => {
    const failed = result.tests.filter((t) => t.n_depth === 4096);
    assert.deepEqual(
      failed.map((t) => t.status),
      ["error", "error"]
    );
    for (const t of failed)
      assert.match(
        t.status_detail!,
        /^HTTP 400: request \(\d+ tokens\) exceeds the available context size \(1024 tokens\), try increasing it$/
      );
    assert.equal(outcome.capture.status, "error");
    const {stored} = readInput({name: resultFile.name, bytes: resultFile.bytes});
    const rows = stored.runs[0].results.filter((r) => r.scope === "run" && r.n_depth === 4096);
    assert.equal(rows.length, 4);
    assert.ok(
      rows.every(
        (r) => r.status === "error" && r.value === null && /exceeds the available context size/.test(r.status_detail!)
      )
    );
    const headline = stored.runs[0].results.filter(
      (r) => r.scope === "run" && r.metric === "throughput" && r.stat === "mean"
    );
    for (const expected of cell.expected) {
      if (headline.some((r) => r.test === expected.test && r.kind === expected.kind)) continue;
      // The tiny model outruns the latency estimate and the network (docs/endpoint-client.md, "Limits"): on a
      // loaded machine every request of a test can have est_ppt ≤ 0 (no pp rate) or all its tokens in one read
      // (no tg rate), and a mean of no values is no result. Any other missing test is a defect.
      const test = result.tests.find((t) => (expected.kind === "pp" ? t.pp_test : t.tg_test) === expected.test)!;
      const requests = ok.filter((r) => r.test_id === test.test_id);
      const figures = requests.map((r) => (expected.kind === "pp" ? r.pp_throughput : r.tg_throughput));
      assert.ok(
        test.concurrency === 1 && requests.length > 0 && figures.every((f) => f === null),
        `no result for ${expected.test}: est_ppt ${requests.map((r) => r.est_ppt_ms)} ms, latency ${result.method.latency_ms} ms, reads ${requests.map((r) => r.content_reads)}`
      );
    }
  });
});

describe("endpoint runner against a real CPU llama-server: Ctrl-C", async () => {
  const bin = llamaBin();
  const work = mkdtempSync(join(tmpdir(), "benchbook-endpoint-"));
  after(() => rmSync(work, {recursive: true, force: true}));
  const model = join(work, "tiny.gguf");
  tinyModel(bin, model);
  const port = await freePort();
  const plan = `name: tools endpoint interrupt
runner: endpoint
endpoint:
  base_url: http://127.0.0.1:${port}/v1
  model: tiny.gguf
  prompt_tokens: 32
  gen_tokens: 8
  depths: [0, 128]
  runs: 50
  server:
    command: ${JSON.stringify([join(bin, "llama-server"), "-m", model, "-c", "1024", "-t", "2", "--host", "127.0.0.1", "--port", String(port)])}
    health_url: http://127.0.0.1:${port}/health
`;
  const [cell] = expandPlan(readPlan(plan, "tools-endpoint-interrupt.yaml"));
  const controller = new AbortController();
  const outcome = await endpointRunner.run(cell, {
    signal: controller.signal,
    progress: (e) => {
      if (e.message.endsWith("run 3/50")) controller.abort();
    },
    now: () => new Date(),
    env: process.env
  });
  const result = JSON.parse(
    Buffer.from(outcome.files.find((f) => f.role === "result")!.bytes).toString("utf8")
  ) as EndpointResultFile;

  it("stops sending, stops the server, and says what was left undone", () => {
    assert.equal(outcome.capture.status, "error");
    assert.equal(outcome.capture.status_detail, "interrupted");
    assert.deepEqual([outcome.capture.exit_code, outcome.capture.signal], [0, null]);
    assert.match(
      Buffer.from(outcome.files.find((f) => f.role === "server-log")!.bytes).toString(),
      /cleaning up before exit/
    );
    assert.equal(result.tests[0].status_detail, "interrupted after 2 of 50 repetitions");
    assert.deepEqual([result.tests[1].status, result.tests[1].status_detail], ["error", "interrupted"]);
    assert.ok(result.requests.length <= 3);
  });
});
