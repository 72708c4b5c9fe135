import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {finalize} from "../../scripts/bench/bench.js";
import type {Capture, CellOutcome} from "../../scripts/schema/capture.js";
import {
  makeRedactor,
  REDACTED,
  redactArgv,
  redactHome,
  redactText,
  redactValues,
  secretValues
} from "../../scripts/context/redact.js";

describe("secret values known to a run", () => {
  it("collects secret-named variables and secret options' arguments, longest first", () => {
    const values = secretValues({HF_TOKEN: "hf_aaaaaaaaaaaaaaaaaaaaaaaa", PATH: "/usr/bin", SHORT_TOKEN: "abc"}, [
      [
        "llama-server",
        "--api-key",
        "sk-local-key-123",
        "--hf-token=hf_bbbbbbbbbbbbbbbb",
        "-hft",
        "hf_cccccccccc",
        "OPENAI_API_KEY=sk-dddddddddd"
      ]
    ]);
    assert.deepEqual(values, [
      "hf_aaaaaaaaaaaaaaaaaaaaaaaa",
      "hf_bbbbbbbbbbbbbbbb",
      "sk-local-key-123",
      "hf_cccccccccc",
      "sk-dddddddddd"
    ]);
  });

  it("replaces them wherever they appear, which patterns alone would miss", () => {
    const yaml = "args:\n  - --api-key\n  - sk-local-key-123\n";
    assert.equal(redactText(yaml), yaml, "a YAML list puts the key on its own line: no pattern sees it");
    assert.equal(redactValues(yaml, ["sk-local-key-123"]), `args:\n  - --api-key\n  - ${REDACTED}\n`);
  });

  it("never replaces short values (they would erase digits and words)", () => {
    const redactor = makeRedactor({secrets: ["1", "abc", "0,1"]});
    assert.equal(redactor.text("CUDA_VISIBLE_DEVICES=0,1 tg128 abc"), "CUDA_VISIBLE_DEVICES=0,1 tg128 abc");
  });
});

describe("redactText / redactArgv", () => {
  it("redacts -hft (llama-bench's --hf-token) and a secret on a continued line", () => {
    assert.deepEqual(redactArgv(["llama-bench", "-hft", "hf_xyz", "-m", "m.gguf"]), [
      "llama-bench",
      "-hft",
      REDACTED,
      "-m",
      "m.gguf"
    ]);
    assert.equal(
      redactText("llama-server --api-key \\\n  sk-abcdefghijklmnop --port 8080"),
      `llama-server --api-key \\\n  ${REDACTED} --port 8080`
    );
    assert.equal(redactText("--api-key\nnext line"), "--api-key\nnext line", "never reaches across a plain line break");
  });
});

describe("home directory", () => {
  it("replaces the home directory where it starts a path, never inside a longer name", () => {
    assert.equal(
      redactHome("/home/ann/models/x.gguf /home/anna/y '/home/ann' /home/ann", "/home/ann/"),
      "~/models/x.gguf /home/anna/y '~' ~"
    );
    assert.equal(redactHome("C:\\Users\\ann\\m.gguf", "C:\\Users\\ann"), "~\\m.gguf");
  });
});

describe("finalize: what a runner captured, made safe to store", () => {
  const capture: Capture = {
    benchbook_capture: 1,
    runner: "llama-bench",
    cell: {
      id: "id",
      label: "x",
      params: {model: "/home/ann/m.gguf", args: ["-hft", "hf_secretsecretsecret"]},
      expected: [],
      tags: {}
    },
    plan: null,
    command: ["llama-bench", "-m", "/home/ann/m.gguf", "-hft", "hf_secretsecretsecret"],
    env: {HF_TOKEN: "hf_secretsecretsecret", PASSED: "value-from-env", CUDA_VISIBLE_DEVICES: "0"},
    started_at: "2026-01-01T00:00:00.000Z",
    ended_at: "2026-01-01T00:00:01.000Z",
    exit_code: 1,
    signal: null,
    status: "error",
    status_detail: "could not open /home/ann/m.gguf with token hf_secretsecretsecret",
    environment: {model: {path: "/home/ann/m.gguf"}},
    results_role: "stdout",
    results_format: "llama-bench-jsonl"
  };
  const outcome: CellOutcome = {
    capture,
    files: [
      {role: "stderr", name: "e", bytes: Buffer.from("token hf_secretsecretsecret at /home/ann/m.gguf\n")},
      {role: "stdout", name: "o", bytes: Buffer.from('{"avg_ts": 1.5}\n')},
      {role: "result", name: "b", bytes: Buffer.from([0xff, 0xfe, 0x00])}
    ]
  };
  const finished = finalize(outcome, {
    plan: {name: "p", sha256: "0"},
    environment: {machine: {home: "/home/ann"}},
    redaction: {secrets: ["hf_secretsecretsecret", "value-from-env"], home: "/home/ann", envNames: ["PASSED"]}
  });

  it("redacts every string of the capture and lists what it replaced in files", () => {
    const text = JSON.stringify(finished.capture);
    assert.ok(
      !text.includes("hf_secretsecretsecret") && !text.includes("/home/ann") && !text.includes("value-from-env")
    );
    assert.deepEqual(finished.capture.command, ["llama-bench", "-m", "~/m.gguf", "-hft", REDACTED]);
    assert.deepEqual(finished.capture.env, {HF_TOKEN: REDACTED, PASSED: REDACTED, CUDA_VISIBLE_DEVICES: "0"});
    assert.equal(finished.capture.status_detail, `could not open ~/m.gguf with token ${REDACTED}`);
    assert.deepEqual(finished.capture.environment, {model: {path: "~/m.gguf"}, machine: {home: "~"}});
    assert.deepEqual(finished.capture.plan, {name: "p", sha256: "0"});
    assert.deepEqual(finished.capture.redactions, ["home", "secrets"]);
  });

  it("changes only the files that held something to redact; other bytes stay as captured", () => {
    assert.equal(Buffer.from(finished.files[0].bytes).toString(), `token ${REDACTED} at ~/m.gguf\n`);
    assert.equal(finished.files[1], outcome.files[1]);
    assert.equal(finished.files[2], outcome.files[2], "bytes that are not UTF-8 are left alone");
  });
});

describe("finalize: env maps inside a cell's parameters", () => {
  it("redacts values under secret-named or passed keys, however short", () => {
    const capture = {
      benchbook_capture: 1,
      runner: "endpoint",
      cell: {
        id: "i",
        label: "l",
        params: {
          server: {
            command: ["llama-server", "--api-key", "k3y"],
            env: {SERVER_API_KEY: "k3y", PASSED_VAR: "ab", SAFE: "1"}
          }
        },
        expected: [],
        tags: {}
      },
      plan: null,
      command: [],
      env: {},
      started_at: "2026-01-01T00:00:00.000Z",
      ended_at: "2026-01-01T00:00:00.000Z",
      exit_code: 0,
      signal: null,
      status: "ok",
      status_detail: null,
      environment: {},
      results_role: "result",
      results_format: null
    } satisfies Capture;
    const finished = finalize(
      {capture, files: []},
      {plan: null, environment: {}, redaction: {secrets: [], home: null, envNames: ["PASSED_VAR"]}}
    );
    const server = finished.capture.cell.params.server as {env: unknown; command: string[]};
    assert.deepEqual(server.env, {SERVER_API_KEY: REDACTED, PASSED_VAR: REDACTED, SAFE: "1"});
    assert.deepEqual(
      server.command,
      ["llama-server", "--api-key", REDACTED],
      "a list of strings is redacted as an argv"
    );
  });
});
