/**
 * The endpoint runner on cells expanded from a plan (scripts/bench/plan.ts),
 * with the test streaming server started as the plan's server command; its
 * captured result file goes through the import path like any input.
 */
import assert from "node:assert/strict";
import {fileURLToPath} from "node:url";
import {describe, it} from "node:test";
import {expandPlan, readPlan} from "../../../scripts/bench/plan.js";
import {ENDPOINT_RESULT_FORMAT, endpointRunner} from "../../../scripts/bench/runners/endpoint.js";
import type {Cell, RunnerContext} from "../../../scripts/bench/types.js";
import type {CellOutcome} from "../../../scripts/schema/capture.js";
import {readInput} from "../../../scripts/import/import.js";
import {freePort} from "../../helpers/streaming-server.js";

const HELPER = fileURLToPath(new URL("../../helpers/streaming-server.ts", import.meta.url));
const SECRET = "sk-benchbooktestsecret0123456789";

function planText(port: number, command: string[]): string {
  return `name: endpoint runner test
runner: endpoint
timeout_s: 120
endpoint:
  base_url: http://127.0.0.1:${port}/v1
  model: test-model
  runtime: llama.cpp
  prompt_tokens: 16
  gen_tokens: 4
  depths: 0,32
  concurrency: [1, 2]
  runs: 2
  latency_mode: none
  server:
    command: ${JSON.stringify(command)}
    health_url: http://127.0.0.1:${port}/health
    startup_timeout_s: 30
`;
}

function context(progress: string[] = []): RunnerContext {
  return {
    signal: new AbortController().signal,
    progress: (e) => progress.push(e.message),
    now: () => new Date(),
    env: process.env
  };
}

async function runPlan(
  command: (port: number) => string[]
): Promise<{cell: Cell; outcome: CellOutcome; progress: string[]; port: number}> {
  const port = await freePort();
  const [cell] = expandPlan(readPlan(planText(port, command(port)), "plan.yaml"));
  const progress: string[] = [];
  const outcome = await endpointRunner.run(cell, context(progress));
  return {cell, outcome, progress, port};
}

const file = (outcome: CellOutcome, role: string) => outcome.files.find((f) => f.role === role);

describe("endpoint runner: a plan's cell with a server to start", async () => {
  const script = JSON.stringify({
    firstEventAfterMs: 5,
    firstTokenAfterMs: 10,
    tokens: 4,
    tokensPerSecond: 400,
    timings: true
  });
  const {cell, outcome, progress, port} = await runPlan((p) => [
    process.execPath,
    "--import",
    "tsx",
    HELPER,
    script,
    String(p),
    "--api-key",
    SECRET
  ]);

  it("captures the result file and the server's log", () => {
    assert.deepEqual(
      outcome.files.map((f) => [f.role, f.name]),
      [
        ["result", `${cell.id}.endpoint.json`],
        ["server-log", `${cell.id}.server.log`]
      ]
    );
    assert.equal(Buffer.from(file(outcome, "server-log")!.bytes).toString(), `listening ${port}\n`);
    assert.ok(progress.includes(`starting ${process.execPath}`));
    assert.ok(progress.some((m) => /^server ready after \d+ ms$/.test(m)));
  });

  it("describes the run: command with secrets redacted, exit status, which format reads the result", () => {
    const {capture} = outcome;
    assert.equal(capture.runner, "endpoint");
    assert.equal(capture.status, "ok");
    assert.equal(capture.status_detail, null);
    assert.equal(capture.results_role, "result");
    assert.equal(capture.results_format, ENDPOINT_RESULT_FORMAT);
    assert.deepEqual(capture.command.slice(-2), ["--api-key", "[REDACTED]"]);
    assert.deepEqual([capture.exit_code, capture.signal], [0, null]);
    assert.equal(capture.cell.id, cell.id);
    for (const f of outcome.files)
      assert.ok(!Buffer.from(f.bytes).toString().includes(SECRET), `${f.name} holds the secret`);
  });

  it("imports through the import path: one benchbook-endpoint run with every test the plan expects", () => {
    const {stored, reading} = readInput({name: file(outcome, "result")!.name, bytes: file(outcome, "result")!.bytes});
    assert.deepEqual(
      reading.blocks.map((b) => b.format),
      ["benchbook-endpoint-json"]
    );
    const [run] = stored.runs;
    assert.equal(run.tool, "benchbook-endpoint");
    assert.equal(run.runtime, "llama.cpp");
    assert.equal(run.model.name, "test-model");
    assert.ok(run.command!.endsWith(String.raw`--api-key \[REDACTED\]`), run.command!);
    assert.ok(!run.command!.includes(SECRET));
    const headline = run.results.filter(
      (r) => (r.scope ?? "run") === "run" && r.metric === "throughput" && r.stat === "mean"
    );
    for (const expected of cell.expected) {
      const found = headline.find(
        (r) =>
          r.test === expected.test &&
          r.kind === expected.kind &&
          r.concurrency === expected.concurrency &&
          r.n_depth === expected.n_depth
      );
      assert.ok(found, `no result for expected test ${expected.test} (c${expected.concurrency})`);
      assert.equal(found.status, "ok");
    }
    assert.equal(headline.length, cell.expected.length);
  });

  it("previews the server command and the client's parameters", () => {
    const [server, client] = endpointRunner.preview!(cell);
    assert.deepEqual(server.slice(-2), ["--api-key", "[REDACTED]"]);
    assert.deepEqual(client, [
      "benchbook-endpoint",
      "--base-url",
      `http://127.0.0.1:${port}/v1`,
      "--api",
      "chat",
      "--model",
      "test-model",
      "--depth",
      "0,32",
      "--pp",
      "16",
      "--tg",
      "4",
      "--concurrency",
      "1,2",
      "--runs",
      "2",
      "--latency-mode",
      "none"
    ]);
  });
});

describe("endpoint runner: a server that does not start", async () => {
  const {cell, outcome} = await runPlan(() => [
    process.execPath,
    "-e",
    `console.error("llama_model_load: error loading model: tensor 'x' not found"); process.exit(2)`
  ]);

  it("every expected test is a failed result carrying the server's last words; its log is kept", () => {
    assert.equal(outcome.capture.status, "error");
    assert.match(
      outcome.capture.status_detail!,
      /^the server exited with code 2; its log ends:\nllama_model_load: error loading model: tensor 'x' not found$/
    );
    assert.deepEqual([outcome.capture.exit_code, outcome.capture.signal], [2, null]);
    assert.equal(
      Buffer.from(file(outcome, "server-log")!.bytes).toString(),
      "llama_model_load: error loading model: tensor 'x' not found\n"
    );
    const {stored} = readInput({name: "r.json", bytes: file(outcome, "result")!.bytes});
    const results = stored.runs[0].results;
    assert.equal(results.length, cell.expected.length);
    assert.ok(
      results.every(
        (r) => r.status === "error" && r.value === null && r.status_detail === outcome.capture.status_detail
      )
    );
  });
});

describe("endpoint runner: a server that dies during the tests", async () => {
  // Answers health and the model list, then dies on the first completion the way a GPU server runs out of memory.
  const program = (port: number) => `
    const http = require("http");
    http.createServer((req, res) => {
      if (req.url === "/health") return res.end('{"status":"ok"}');
      if (req.url === "/v1/models") return res.end('{"object":"list","data":[{"id":"m","object":"model","owned_by":"vllm"}]}');
      if (req.url === "/tokenize" || req.url === "/detokenize") { res.statusCode = 404; return res.end("{}"); }
      console.error("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB");
      process.exit(1);
    }).listen(${port}, "127.0.0.1");`;
  const {cell, outcome} = await runPlan((p) => [process.execPath, "-e", program(p)]);

  it("the tests fail as out of memory, with the server's last words", () => {
    assert.equal(outcome.capture.status, "oom");
    assert.match(
      outcome.capture.status_detail!,
      /^the server exited with code 1; its log ends:\ntorch\.OutOfMemoryError: CUDA out of memory\. Tried to allocate 2\.00 GiB$/
    );
    const {stored} = readInput({name: "r.json", bytes: file(outcome, "result")!.bytes});
    const failed = stored.runs[0].results.filter((r) => r.scope === "run");
    assert.equal(failed.length, cell.expected.length);
    assert.ok(
      failed.every((r) => r.status === "oom" && r.status_detail === outcome.capture.status_detail),
      JSON.stringify(failed.map((r) => [r.status, r.status_detail]))
    );
    assert.equal(
      Buffer.from(file(outcome, "server-log")!.bytes).toString(),
      "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB\n"
    );
  });
});
