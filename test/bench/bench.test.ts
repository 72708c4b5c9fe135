import assert from "node:assert/strict";
import {readdirSync, readFileSync, statSync} from "node:fs";
import {delimiter, join} from "node:path";
import {describe, it} from "node:test";
import type {BenchEvent} from "../../scripts/bench/bench.js";
import {runBench, storedCellIds} from "../../scripts/bench/bench.js";
import type {MachineInfo} from "../../scripts/bench/environment.js";
import {expandPlan, readPlan} from "../../scripts/bench/plan.js";
import {RUNNERS} from "../../scripts/bench/runners/index.js";
import {Store} from "../../scripts/store/store.js";
import {tempDir} from "../helpers/cli.js";
import {fixturePath} from "../helpers/fixtures.js";

const STANDINS = fixturePath("standins/bin");
const MACHINE: MachineInfo = {
  os: {platform: "linux", arch: "x64", kernel: "k", version: "v", distribution: null},
  cpu: {model: "Intel(R) Xeon(R) Processor", logical_cores: 32},
  memory: {total_bytes: 1, meminfo_total: null},
  gpus: [],
  nvidia: null,
  node: "v20"
};

/** Run a plan text against the stand-ins (first in PATH) into a fresh or given store. */
async function bench(
  text: string,
  options: {
    store?: Store;
    env?: NodeJS.ProcessEnv;
    resume?: boolean;
    signal?: AbortSignal;
    onEvent?: (e: BenchEvent) => void;
    redactHome?: boolean;
    home?: string;
  } = {}
) {
  const env = {...process.env, PATH: `${STANDINS}${delimiter}${process.env.PATH}`, ...options.env};
  const plan = readPlan(text, "plan.yaml");
  const store = options.store ?? new Store(join(tempDir("benchbook-bench-"), "data"));
  const events: BenchEvent[] = [];
  const summary = await runBench({
    store,
    plan,
    cells: expandPlan(plan, {env}),
    runners: RUNNERS,
    resume: options.resume,
    signal: options.signal ?? new AbortController().signal,
    env,
    redactHome: options.redactHome,
    home: options.home,
    machine: async () => MACHINE,
    onEvent: (e) => {
      events.push(e);
      options.onEvent?.(e);
    }
  });
  return {summary, store, events, runs: [...store.readAll()].flatMap((i) => i.runs)};
}

/** Every file under a directory, as text. */
function allText(dir: string): string {
  return readdirSync(dir, {recursive: true, encoding: "utf8"})
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .map((f) => readFileSync(f, "utf8"))
    .join("\n");
}

const SPLIT_PLAN = `name: split-modes
runner: llama-bench
models: [tiny.gguf]
matrix:
  -ngl: 99
  -sm: layer,tensor,row
  -fa: 1
tests: {p: 64, n: 16, d: "0,16384"}
repetitions: 3
`;

describe("runBench over a CUDA llama-bench stand-in (real 2× H200 captures)", async () => {
  const first = await bench(SPLIT_PLAN);

  it("runs every cell and goes on after failures", () => {
    const ends = first.events.filter((e): e is Extract<BenchEvent, {type: "cell-end"}> => e.type === "cell-end");
    assert.deepEqual(
      ends.map((e) => [e.cell.label, e.status, e.ok, e.failed]),
      [
        ["tiny · -sm layer · d0", "ok", 2, 0],
        ["tiny · -sm layer · d16384", "ok", 2, 0],
        ["tiny · -sm tensor · d0", "error", 0, 2],
        ["tiny · -sm tensor · d16384", "error", 0, 2],
        ["tiny · -sm row · d0", "error", 0, 2],
        ["tiny · -sm row · d16384", "error", 0, 2]
      ]
    );
    assert.deepEqual(
      {...first.summary, stored: first.summary.stored.length},
      {cells: 6, skipped: 0, ran: 6, ok: 2, failed: 4, interrupted: false, stored: 6}
    );
  });

  it("stores measured values with the device lines' hardware, and failures with their reason", () => {
    const layer = first.runs.find(
      (r) => r.extra.capture && (r.extra.capture as {cell_label: string}).cell_label === "tiny · -sm layer · d16384"
    )!;
    assert.equal(layer.format, "llama-bench-jsonl");
    const printed = [
      ...readFileSync(fixturePath("standins/llama-bench-cuda/cuda-sm-layer-d16384.stdout"), "utf8").matchAll(
        /"avg_ts": ([0-9.]+)/g
      )
    ].map((m) => Number(m[1]));
    assert.deepEqual(
      layer.results.filter((r) => r.metric === "throughput").map((r) => [r.test, r.value]),
      [
        ["pp64 @ d16384", printed[0]],
        ["tg16 @ d16384", printed[1]]
      ]
    );
    assert.equal(layer.hardware.gpus.length, 2);
    assert.equal(layer.settings.split_mode, "layer");
    const tensor = first.runs.find(
      (r) => (r.extra.capture as {cell_label: string}).cell_label === "tiny · -sm tensor · d0"
    )!;
    assert.equal(tensor.format, "benchbook-capture");
    assert.equal((tensor.extra.capture as {signal: string}).signal, "SIGABRT");
    assert.match(tensor.results[0].status_detail!, /^killed by SIGABRT\n[\s\S]*unsupported mul_mat split states/);
    const row = first.runs.find(
      (r) => (r.extra.capture as {cell_label: string}).cell_label === "tiny · -sm row · d16384"
    )!;
    assert.match(row.results[0].status_detail!, /no captured output for -sm row -d 16384/);
  });

  it("records the environment on every run: machine, the runtime's version, the model's identity, the plan", () => {
    for (const run of first.runs) {
      const env = run.extra.environment as {
        machine: MachineInfo;
        runtime: {text: string; build_number: number};
        model: {exists: boolean};
        plan: {name: string};
        command: string[];
      };
      assert.equal(env.machine.cpu.model, "Intel(R) Xeon(R) Processor");
      assert.equal(
        env.runtime.text,
        "version: 0.5.0-dev (build 0, commit unknown)\nbuilt with GNU 13.3.0 for Linux x86_64"
      );
      assert.equal(env.runtime.build_number, 0);
      assert.deepEqual(env.model, {path: "tiny.gguf", exists: false});
      assert.equal(env.plan.name, "split-modes");
      assert.equal(env.command[0], "llama-bench");
    }
  });

  it("--resume runs nothing the second time", async () => {
    const again = await bench(SPLIT_PLAN, {store: first.store, resume: true});
    assert.deepEqual(
      {...again.summary, stored: again.summary.stored.length},
      {cells: 6, skipped: 6, ran: 0, ok: 0, failed: 0, interrupted: false, stored: 0}
    );
    assert.equal(storedCellIds(first.store).size, 6);
    assert.equal(first.store.inputs().length, 6);
  });
});

describe("runBench: timeouts, interruption, secrets", () => {
  it("stops a cell that outlives its timeout and records it as timeout", async () => {
    const {events, runs} = await bench(
      `name: t\nrunner: llama-bench\nmodels: [tiny.gguf]\ntests: {p: 64, n: 16, d: 0}\nenv: {STANDIN_HANG: "1"}\ntimeout_s: 1\n`
    );
    const end = events.find((e) => e.type === "cell-end") as Extract<BenchEvent, {type: "cell-end"}>;
    assert.equal(end.status, "timeout");
    assert.ok(end.duration_s >= 1 && end.duration_s < 10);
    // The records printed before the hang are kept; nothing was missing, yet the cell did not end by itself.
    assert.deepEqual(
      runs[0].results.filter((r) => r.metric === "throughput").map((r) => r.status),
      ["ok", "ok"]
    );
    assert.match(runs[0].notes.at(-1)!, /ended with timeout: timed out after 1 s/);
  });

  it("an interrupted cell is not stored; the cells before it are", async () => {
    const controller = new AbortController();
    const plan = `name: i\nrunner: llama-bench\nmodels: [tiny.gguf]\nmatrix: {-sm: layer}\ntests: {p: 64, n: 16, d: "0,16384"}\nenv: {STANDIN_DELAY_MS: "300"}\n`;
    const {summary, store, events} = await bench(plan, {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "progress" && e.cell.label.endsWith("d16384")) controller.abort();
      }
    });
    assert.equal(summary.interrupted, true);
    assert.equal(summary.ran, 1);
    assert.equal(store.inputs().length, 1);
    assert.deepEqual(
      events.filter((e) => e.type === "interrupted").map((e) => (e as {cell: {label: string}}).cell.label),
      ["tiny · d16384"],
      "a setting with one value is not in the label"
    );
    const resumed = await bench(plan, {store, resume: true});
    assert.deepEqual([resumed.summary.skipped, resumed.summary.ran], [1, 1], "--resume runs only the interrupted cell");
  });

  it("never stores a secret from the environment or the command, and stores home as ~ when asked", async () => {
    const home = tempDir("benchbook-home-");
    const secrets = {
      HF_TOKEN: "hf_SECRETsecretSECRETsecret01",
      OPENAI_API_KEY: "sk-SECRETsecretSECRETsecret02",
      MY_PASSED: "passed-value-SECRET03"
    };
    const plan = `name: s\nrunner: llama-bench\nmodels: [${home}/models/tiny.gguf]\ntests: {p: 64, n: 16, d: 0}\nargs: [-hft, hf_SECRETinPLANsecret04]\npass_env: [HF_TOKEN, MY_PASSED]\n`;
    const {store, runs} = await bench(plan, {env: secrets, redactHome: true, home});
    const text = allText(store.root);
    for (const secret of [...Object.values(secrets), "hf_SECRETinPLANsecret04"])
      assert.ok(!text.includes(secret), secret);
    assert.ok(text.includes("[REDACTED]"));
    assert.ok(!text.includes(home), "home directory replaced");
    assert.equal(
      runs[0].command,
      "HF_TOKEN=[REDACTED] MY_PASSED=[REDACTED] llama-bench -m ~/models/tiny.gguf -p 64 -n 16 -d 0 -hft [REDACTED] -o jsonl"
    );
    assert.deepEqual(
      (runs[0].extra.capture as {redactions?: string[]}).redactions,
      undefined,
      "the tool's own output needed no redaction"
    );
    const plans = readdirSync(join(store.root, "raw")).filter((f) => f.endsWith(".yaml"));
    assert.match(readFileSync(join(store.root, "raw", plans[0]), "utf8"), /args: \[-hft, \[REDACTED\]\]/);
  });
});

describe("runBench: wrappers over stand-ins replaying real outputs", () => {
  it("vllm bench serve: imports the saved JSON; a failing run is recorded and the run goes on", async () => {
    const {events, runs} = await bench(
      `name: v\nrunner: vllm-bench-serve\nmodels: [meta-llama/Llama-3.2-3B-Instruct]\nmatrix: {--max-concurrency: [4, 200]}\nargs: [--dataset-name, random, --random-input-len, "1000", --random-output-len, "500"]\n`
    );
    const ends = events.filter((e): e is Extract<BenchEvent, {type: "cell-end"}> => e.type === "cell-end");
    // The failing stand-in printed the block's first lines before exiting 1: those values are kept, the headline is failed.
    assert.deepEqual(
      ends.map((e) => [e.status, e.failed]),
      [
        ["ok", 0],
        ["error", 1]
      ]
    );
    const ok = runs.find((r) => r.format === "vllm-serve-json")!;
    assert.equal(
      ok.results.find((r) => r.metric === "output_throughput" && r.stat === "value")?.value,
      2258.212337970085
    );
    const failed = runs.find((r) => r.extra.capture && (r.extra.capture as {status: string}).status === "error")!;
    assert.equal(failed.format, "vllm-serve-text", "no result file: the printed lines are read");
    assert.deepEqual(
      [failed.results.at(-1)?.metric, failed.results.at(-1)?.status, failed.results.at(-1)?.value],
      ["output_throughput", "error", null]
    );
    assert.equal(
      failed.results.find((r) => r.metric !== "output_throughput" && r.value === 250)?.status,
      "ok",
      "`Successful requests: 250` was printed before the failure"
    );
    assert.match(failed.results.at(-1)!.status_detail!, /exit code 1\nstand-in failure/);
    assert.equal((ok.extra.environment as {runtime: {text: string}}).runtime.text, "0.17.2rc1.dev13+gf34032433");
  });

  it("python3 -m sglang.bench_serving and mlx_lm.benchmark: results read from what they wrote", async () => {
    const sglang = await bench(
      `name: s\nrunner: sglang-bench-serving\nmatrix: {--max-concurrency: 100}\nargs: [--backend, sglang, --dataset-name, random, --random-input-len, "1024", --random-output-len, "1024"]\n`
    );
    const run = sglang.runs[0];
    assert.equal(run.tool, "sglang-bench-serving");
    assert.ok(
      run.results.some((r) => r.value === 1222.06),
      "output throughput as written"
    );
    assert.equal((run.extra.environment as {runtime: {text: string}}).runtime.text, "0.5.8");
    const mlx = await bench(
      `name: m\nrunner: mlx-benchmark\nmodels: [./mlx-community/Qwen3.5-4B-MLX-4bit]\nmatrix: {-p: [1024, 200000], -g: 64}\n`
    );
    assert.deepEqual(mlx.summary.ok, 1);
    assert.deepEqual(mlx.summary.failed, 1);
    const ok = mlx.runs.find((r) => r.format === "mlx-lm-benchmark")!;
    assert.deepEqual(
      ok.results.filter((r) => r.stat === "mean" && r.metric === "throughput").map((r) => [r.test, r.value]),
      [
        ["pp1024", 359.188],
        ["tg64 @ d1024", 39.023]
      ]
    );
  });
});
