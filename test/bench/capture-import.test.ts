import assert from "node:assert/strict";
import {existsSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {llamaBenchExpected} from "../../scripts/bench/plan.js";
import type {Capture, CapturedFile, CellOutcome, ExpectedTest} from "../../scripts/schema/capture.js";
import {CAPTURE_FORMAT, importCapture, readCapture} from "../../scripts/import/capture.js";
import {Store} from "../../scripts/store/store.js";
import {tempDir} from "../helpers/cli.js";
import {fixturePath} from "../helpers/fixtures.js";

const NOW = () => new Date("2026-11-22T03:00:00Z");
const bytes = (name: string) => readFileSync(fixturePath(name));

function outcome(options: {
  command: string[];
  expected: ExpectedTest[];
  stdout: string;
  stderr: string;
  status?: Capture["status"];
  detail?: string | null;
  exit?: number | null;
  signal?: string | null;
  runner?: string;
  results_role?: string;
  results_format?: string | null;
  extraFiles?: CapturedFile[];
  params?: Record<string, unknown>;
}): CellOutcome {
  const capture: Capture = {
    benchbook_capture: 1,
    runner: options.runner ?? "llama-bench",
    cell: {
      id: "c0ffee00c0ffee00",
      label: "tiny · d0",
      params: options.params ?? {model: "tiny.gguf", settings: {}},
      expected: options.expected,
      tags: {plan_tag: "x"}
    },
    plan: {name: "test-plan", sha256: "ab".repeat(32)},
    command: options.command,
    env: {CUDA_VISIBLE_DEVICES: "0,1"},
    started_at: "2026-11-22T02:18:24.000Z",
    ended_at: "2026-11-22T02:18:26.500Z",
    exit_code: options.exit === undefined ? 0 : options.exit,
    signal: options.signal ?? null,
    status: options.status ?? "ok",
    status_detail: options.detail ?? null,
    environment: {machine: {cpu: {model: "AMD EPYC"}}, runtime: {build_commit: "de3ff81", build_number: 1}},
    results_role: options.results_role ?? "stdout",
    results_format: options.results_format === undefined ? "llama-bench-jsonl" : options.results_format
  };
  const files: CapturedFile[] = [
    {
      role: "stdout",
      name: "c0ffee00c0ffee00.stdout.jsonl",
      bytes: options.stdout === "" ? Buffer.alloc(0) : bytes(options.stdout)
    },
    {
      role: "stderr",
      name: "c0ffee00c0ffee00.stderr.txt",
      bytes: options.stderr === "" ? Buffer.alloc(0) : bytes(options.stderr)
    },
    ...(options.extraFiles ?? [])
  ];
  return {capture, files};
}

/** avg_ts of every record line of a llama-bench JSONL file, with its 1-based line: an oracle independent of the parser. */
function printedAvgTs(text: string): {line: number; value: number}[] {
  return text.split("\n").flatMap((l, i) => {
    const m = /"avg_ts": ([0-9.]+)/.exec(l);
    return m ? [{line: i + 1, value: Number(m[1])}] : [];
  });
}

const CPU_COMMAND = [
  "llama-bench",
  "-m",
  "tiny.gguf",
  "-p",
  "64",
  "-n",
  "16",
  "-d",
  "0,256",
  "-r",
  "3",
  "-t",
  "2",
  "-o",
  "jsonl"
];
const CPU_EXPECTED = [...llamaBenchExpected([64], [16], [], 0), ...llamaBenchExpected([64], [16], [], 256)];

describe("importCapture: a captured llama-bench cell goes through the jsonl parser", () => {
  it("reads stdout as the source: every value exactly as printed, on its line", () => {
    const {stored} = readCapture(
      outcome({
        command: CPU_COMMAND,
        expected: CPU_EXPECTED,
        stdout: "captured/cpu/llama-bench-jsonl.stdout",
        stderr: "captured/cpu/llama-bench-jsonl.stderr"
      }),
      {now: NOW}
    );
    const [run] = stored.runs;
    assert.equal(stored.runs.length, 1);
    assert.equal(run.format, "llama-bench-jsonl");
    assert.equal(stored.source.name, "c0ffee00c0ffee00.stdout.jsonl");
    const throughput = run.results.filter((r) => r.metric === "throughput");
    assert.deepEqual(
      throughput.map((r) => ({line: r.line, value: r.value})),
      printedAvgTs(readFileSync(fixturePath("captured/cpu/llama-bench-jsonl.stdout"), "utf8"))
    );
    assert.equal(throughput[0].value, 103292.158869);
    assert.deepEqual(
      throughput.map((r) => r.test),
      ["pp64", "tg16", "pp64 @ d256", "tg16 @ d256"]
    );
    assert.ok(run.results.every((r) => r.status === "ok"));
  });

  it("gives the reader the command it ran and records the capture and environment on the run", () => {
    const {stored} = readCapture(
      outcome({
        command: CPU_COMMAND,
        expected: CPU_EXPECTED,
        stdout: "captured/cpu/llama-bench-jsonl.stdout",
        stderr: "captured/cpu/llama-bench-jsonl.stderr"
      }),
      {now: NOW, tags: {batch: "b1"}}
    );
    const [run] = stored.runs;
    assert.equal(
      run.command,
      "CUDA_VISIBLE_DEVICES=0,1 llama-bench -m tiny.gguf -p 64 -n 16 -d 0,256 -r 3 -t 2 -o jsonl"
    );
    assert.deepEqual(run.extra.env, {CUDA_VISIBLE_DEVICES: "0,1"});
    assert.equal(run.model.file, "tiny.gguf");
    assert.deepEqual(run.tags, {plan_tag: "x", batch: "b1"});
    assert.deepEqual(run.extra.capture, {
      cell_id: "c0ffee00c0ffee00",
      cell_label: "tiny · d0",
      runner: "llama-bench",
      plan: {name: "test-plan", sha256: "ab".repeat(32)},
      status: "ok",
      exit_code: 0,
      signal: null,
      started_at: "2026-11-22T02:18:24.000Z",
      ended_at: "2026-11-22T02:18:26.500Z",
      duration_s: 2.5
    });
    assert.deepEqual(run.extra.environment, {
      machine: {cpu: {model: "AMD EPYC"}},
      runtime: {build_commit: "de3ff81", build_number: 1}
    });
    assert.deepEqual(
      stored.source.attachments?.map((a) => a.role),
      ["stderr", "capture"]
    );
  });

  it("turns tests the tool never printed into failed results with the cell's status and log tail", () => {
    const detail = "out of memory (exit code 1)\nllama_bench: error: failed to create context with model 'tiny.gguf'";
    const command = [
      "llama-bench",
      "-m",
      "tiny.gguf",
      "-p",
      "64",
      "-n",
      "16",
      "-d",
      "0,100000000",
      "-r",
      "3",
      "-t",
      "2",
      "-o",
      "jsonl"
    ];
    const expected = [...llamaBenchExpected([64], [16], [], 0), ...llamaBenchExpected([64], [16], [], 100000000)];
    const {stored} = readCapture(
      outcome({
        command,
        expected,
        stdout: "captured/cpu/llama-bench-fail-jsonl.stdout",
        stderr: "captured/cpu/llama-bench-fail-jsonl.stderr",
        status: "oom",
        detail,
        exit: 1
      }),
      {now: NOW}
    );
    const results = stored.runs[0].results.filter((r) => r.metric === "throughput");
    assert.deepEqual(
      results.map((r) => [r.test, r.status, r.value, r.line]),
      [
        ["pp64", "ok", 91058.699204, 1],
        ["tg16", "ok", 4755.505156, 2],
        ["pp64 @ d100000000", "oom", null, 2],
        ["tg16 @ d100000000", "oom", null, 2]
      ]
    );
    assert.equal(results[2].status_detail, detail);
    assert.equal(results[2].unit, "tok/s");
    assert.equal(results[2].stddev, null);
  });

  it("takes hardware from the device lines stderr holds (2× H200, CUDA)", () => {
    const command = [
      "llama-bench",
      "-m",
      "tiny.gguf",
      "-p",
      "64",
      "-n",
      "16",
      "-d",
      "0",
      "-r",
      "3",
      "-ngl",
      "99",
      "-sm",
      "layer",
      "-fa",
      "1",
      "-o",
      "jsonl"
    ];
    const {stored} = readCapture(
      outcome({
        command,
        expected: llamaBenchExpected([64], [16], [], 0),
        stdout: "standins/llama-bench-cuda/cuda-sm-layer-d0.stdout",
        stderr: "standins/llama-bench-cuda/cuda-sm-layer-d0.stderr"
      }),
      {now: NOW}
    );
    const {hardware, settings} = stored.runs[0];
    assert.deepEqual(
      hardware.gpus.map((g) => [g.index, g.name, g.vram_mib, g.compute_capability]),
      [
        [0, "NVIDIA H200", 143155, "9.0"],
        [1, "NVIDIA H200", 143155, "9.0"]
      ]
    );
    assert.equal(hardware.vram_total_mib, 286311);
    assert.equal(hardware.backend, "CUDA");
    assert.equal(hardware.gpu_info, "NVIDIA H200, NVIDIA H200");
    assert.equal(settings.split_mode, "layer");
  });

  it("stores a cell that printed nothing with its capture record as the source", () => {
    const command = [
      "llama-bench",
      "-m",
      "tiny.gguf",
      "-p",
      "64",
      "-n",
      "16",
      "-d",
      "0",
      "-r",
      "3",
      "-ngl",
      "99",
      "-sm",
      "tensor",
      "-fa",
      "1",
      "-o",
      "jsonl"
    ];
    const detail = "killed by SIGABRT\n…unsupported mul_mat split states…";
    const {stored, raw} = readCapture(
      outcome({
        command,
        expected: llamaBenchExpected([64], [16], [], 0),
        stdout: "",
        stderr: "standins/llama-bench-cuda/cuda-sm-tensor-d0.stderr",
        status: "error",
        detail,
        exit: null,
        signal: "SIGABRT",
        params: {model: "models/Qwen3.5-9B-Q8_0.gguf", settings: {split_mode: "tensor", n_gpu_layers: 99}}
      }),
      {now: NOW}
    );
    const [run] = stored.runs;
    assert.equal(run.format, CAPTURE_FORMAT);
    assert.equal(stored.source.name, "c0ffee00c0ffee00.capture.json");
    const captureText = Buffer.from(raw).toString("utf8");
    const statusLine = captureText.split("\n").findIndex((l) => l === '  "status": "error",') + 1;
    assert.ok(statusLine > 0);
    assert.deepEqual(
      run.results.map((r) => [r.test, r.status, r.value, r.line, r.status_detail]),
      [
        ["pp64", "error", null, statusLine, detail],
        ["tg16", "error", null, statusLine, detail]
      ]
    );
    assert.equal(JSON.parse(captureText).signal, "SIGABRT");
    assert.equal(run.hardware.gpus.length, 2, "device lines on stderr still describe the failed cell");
    assert.equal(run.hardware.cpu, "AMD EPYC");
    assert.deepEqual([run.build_commit, run.build_number], ["de3ff81", 1]);
    assert.deepEqual(run.settings, {split_mode: "tensor", n_gpu_layers: 99});
    assert.equal(run.model.file, "models/Qwen3.5-9B-Q8_0.gguf");
    assert.equal(run.model.quant, "Q8_0");
    assert.deepEqual(
      stored.source.attachments?.map((a) => a.role),
      ["stdout", "stderr"]
    );
  });

  it("keeps an unreadable output and records why no value was read", () => {
    const garbage = {
      role: "stdout",
      name: "x.stdout.jsonl",
      bytes: Buffer.from('{"avg_ts": "fast", "n_prompt": 64}\n')
    };
    const base = outcome({
      command: CPU_COMMAND,
      expected: llamaBenchExpected([64], [16], [], 0),
      stdout: "",
      stderr: ""
    });
    const {stored} = readCapture({capture: base.capture, files: [garbage, base.files[1]]}, {now: NOW});
    assert.equal(stored.runs[0].format, CAPTURE_FORMAT);
    assert.match(stored.runs[0].notes[0], /x\.stdout\.jsonl: line 1: llama-bench-jsonl: expected a numeric "n_gen"/);
    assert.ok(stored.runs[0].results.every((r) => r.status === "error" && r.value === null));
    assert.deepEqual(
      stored.source.attachments?.map((a) => a.role),
      ["stdout", "stderr"]
    );
  });

  it("redacts the command and env of the capture record it stores, whatever the runner did", () => {
    const o = outcome({
      command: ["llama-bench", "-hft", "hf_abcdefghijklmnopqrstuvwx", "-m", "tiny.gguf"],
      expected: [],
      stdout: "",
      stderr: ""
    });
    o.capture.env = {HF_TOKEN: "hf_abcdefghijklmnopqrstuvwx"};
    const {stored, raw, attachments} = readCapture(o, {now: NOW});
    const all = [
      Buffer.from(raw).toString(),
      ...attachments.map((a) => Buffer.from(a.bytes).toString()),
      JSON.stringify(stored)
    ].join("\n");
    assert.ok(!all.includes("hf_abcdefghijklmnopqrstuvwx"));
    assert.match(stored.runs[0].command!, /-hft \[REDACTED\]/);
  });
});

describe("importCapture: the store", () => {
  it("writes the attachments and the source before the runs file, and imports the same output once", () => {
    const store = new Store(join(tempDir("benchbook-capture-"), "data"));
    const o = outcome({
      command: CPU_COMMAND,
      expected: CPU_EXPECTED,
      stdout: "captured/cpu/llama-bench-jsonl.stdout",
      stderr: "captured/cpu/llama-bench-jsonl.stderr"
    });
    const first = importCapture(store, o, {
      now: NOW,
      plan: {name: "plan.yaml", bytes: Buffer.from("name: test-plan\n")}
    });
    assert.equal(first.status, "imported");
    const input = store.read(first.sha256);
    for (const attachment of input.source.attachments!)
      assert.ok(existsSync(join(store.root, attachment.raw)), attachment.role);
    assert.deepEqual(
      input.source.attachments!.map((a) => [a.role, a.raw.split(".").pop()]),
      [
        ["stderr", "txt"],
        ["capture", "json"],
        ["plan", "yaml"]
      ]
    );
    assert.deepEqual(
      readFileSync(store.rawPath(input.source)),
      bytes("captured/cpu/llama-bench-jsonl.stdout"),
      "the source is stdout, byte for byte"
    );
    assert.equal(importCapture(store, o, {now: NOW}).status, "unchanged");
    assert.equal(store.inputs().length, 1);
  });
});

describe("importCapture: wrapper results", () => {
  it("vllm bench serve: the saved JSON is the source, stdout is kept beside it", () => {
    const result = {role: "result", name: "c0ffee00c0ffee00.vllm.json", bytes: bytes("standins/vllm/result.json")};
    const o = outcome({
      runner: "vllm-bench-serve",
      command: ["vllm", "bench", "serve", "--model", "meta-llama/Llama-3.2-3B-Instruct", "--save-result"],
      expected: [],
      stdout: "standins/vllm/serve-block.txt",
      stderr: "",
      results_role: "result",
      results_format: "vllm-serve-json",
      extraFiles: [result]
    });
    const {stored} = readCapture(o, {now: NOW});
    assert.equal(stored.source.name, "c0ffee00c0ffee00.vllm.json");
    assert.equal(stored.runs[0].format, "vllm-serve-json");
    const output = stored.runs[0].results.find((r) => r.metric === "output_throughput" && r.stat === "value");
    assert.equal(output?.value, 2258.212337970085, "output_throughput exactly as saved");
    assert.deepEqual(
      stored.source.attachments?.map((a) => a.role),
      ["stdout", "stderr", "capture"]
    );
  });

  it("a results format this checkout does not know is detected instead", () => {
    const o = outcome({
      runner: "mlx-benchmark",
      command: ["mlx_lm.benchmark", "--model", "m", "-p", "1024", "-g", "64"],
      expected: [],
      stdout: "standins/mlx/stdout.txt",
      stderr: "",
      results_format: "no-such-format"
    });
    const {stored} = readCapture(o, {now: NOW});
    assert.equal(stored.runs[0].format, "mlx-lm-benchmark");
    assert.deepEqual(
      stored.runs[0].results
        .filter((r) => r.stat === "mean" && r.metric === "throughput")
        .map((r) => [r.test, r.value]),
      [
        ["pp1024", 359.188],
        ["tg64 @ d1024", 39.023]
      ]
    );
  });
});
