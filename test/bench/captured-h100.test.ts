// Replays what `benchbook bench` captured on a real H100 (test/fixtures/captured/h100,
// see its README) through the current code: the same files, read again.
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {expandPlan, loadPlan} from "../../scripts/bench/plan.js";
import {recordedEnv} from "../../scripts/bench/runners/process.js";
import type {RunnerContext} from "../../scripts/bench/types.js";
import type {Capture, CapturedFile, CellOutcome} from "../../scripts/schema/capture.js";
import {readCapture} from "../../scripts/import/capture.js";
import {sha256} from "../../scripts/import/import.js";
import {reparseInput} from "../../scripts/import/reparse.js";
import type {Result} from "../../scripts/schema/schema.js";
import {Store, type StoredInput} from "../../scripts/store/store.js";
import {fixturePath} from "../helpers/fixtures.js";

const H100 = fixturePath("captured/h100/");
const PLANS = new URL("../../scripts/gpu-run/plans/", import.meta.url).pathname;
const NO_RESULT = "the tool printed no result for this test";

interface Cell {
  input: StoredInput;
  capture: Capture;
  outcome: CellOutcome;
}

/** Every cell a run stored, as the CellOutcome the runner handed to the import: its results file and attachments. */
function cells(run: string): Cell[] {
  const store = new Store(join(H100, run, "store"));
  return store.inputs().map((hash) => {
    const input = store.read(hash);
    const attachment = (role: string) =>
      input.source.attachments!.filter((a) => a.role === role).map((a) => readFileSync(join(store.root, a.raw)));
    const source = readFileSync(store.rawPath(input.source));
    // A cell that printed no results is stored with its capture record as the source.
    const [record = source] = attachment("capture");
    const capture = JSON.parse(record.toString("utf8")) as Capture;
    const files: CapturedFile[] = [
      {role: capture.results_role, name: input.source.name, bytes: record === source ? Buffer.alloc(0) : source}
    ];
    for (const role of ["stderr", "server-log"])
      for (const bytes of attachment(role)) files.push({role, name: `${capture.cell.id}.${role}`, bytes});
    return {input, capture, outcome: {capture, files}};
  });
}

const byRunner = (run: string, runner: string) => cells(run).filter((c) => c.capture.runner === runner);
const headline = (results: Result[]) =>
  results.filter((r) => (r.scope ?? "run") === "run" && r.metric === "throughput" && r.stat === "mean");

/** avg_ts of every record line of llama-bench's JSONL, with its 1-based line: an oracle that is not the parser. */
function printedAvgTs(text: string): Map<number, number> {
  return new Map(
    text.split("\n").flatMap((l, i) => {
      const m = /"avg_ts": ([0-9.e+-]+)/.exec(l);
      return m ? [[i + 1, Number(m[1])] as [number, number]] : [];
    })
  );
}

describe("captured on an H100: the endpoint cell", () => {
  const [run1] = byRunner("run1", "endpoint");
  const [run2] = byRunner("run2", "endpoint");

  it("was stored on the GPU with every test 'printed no result', next to the results the client did print", () => {
    const results = run1.input.runs[0].results;
    assert.equal(results.filter((r) => r.status_detail === NO_RESULT).length, 32);
    assert.equal(headline(results).filter((r) => r.status === "ok").length, 32);
  });

  it("replayed with the plan's expected tests as now expanded, finds a result for each of the 32", () => {
    const plan = loadPlan(join(PLANS, "h100-llama-server.yaml"));
    assert.equal(plan.sha256, run1.capture.plan!.sha256, "the plan in scripts/gpu-run/plans is the one that ran");
    const [cell] = expandPlan(plan);
    assert.equal(cell.id, run1.capture.cell.id);
    const outcome = {
      ...run1.outcome,
      capture: {...run1.capture, cell: {...run1.capture.cell, expected: cell.expected}}
    };
    const {runs} = readCapture(outcome).stored;
    assert.equal(runs.length, 1);
    assert.deepEqual(
      runs[0].results.filter((r) => r.status !== "ok").map((r) => [r.test, r.status_detail]),
      []
    );
    assert.equal(headline(runs[0].results).length, 32);
  });

  it("run 2, stored by the fixed build, has all 32 tests ok and the server's own timings beside the client's", () => {
    const results = run2.input.runs[0].results;
    assert.equal(results.filter((r) => r.status !== "ok").length, 0);
    assert.equal(headline(results).length, 32);
    const doc = JSON.parse(Buffer.from(run2.outcome.files[0].bytes).toString("utf8")) as {
      requests: {status: string; timings?: {prompt_n: number; predicted_n: number}}[];
    };
    assert.equal(doc.requests.length, 180); // 3 runs × (1+2+4+8) requests × 4 depths
    assert.ok(doc.requests.every((r) => r.status === "ok" && r.timings?.predicted_n === 128));
  });
});

describe("captured on an H100: llama-bench cells", () => {
  const all = [...byRunner("run1", "llama-bench"), ...byRunner("run2", "llama-bench")];

  it("43 cells over the two runs, one of them out of memory", () => {
    assert.equal(all.length, 16 + 10 + 1 + 16);
    assert.deepEqual(
      all.filter((c) => c.capture.status !== "ok").map((c) => c.capture.status),
      ["oom"]
    );
  });

  it("re-read now, every value is what llama-bench printed on its line, and what the GPU machine stored", () => {
    for (const {input, outcome, capture} of all.filter((c) => c.capture.status === "ok")) {
      const printed = printedAvgTs(Buffer.from(outcome.files[0].bytes).toString("utf8"));
      const [run] = readCapture(outcome).stored.runs;
      const values = headline(run.results);
      assert.equal(values.length, capture.cell.expected.length, capture.cell.label);
      for (const r of values) assert.equal(r.value, printed.get(r.line), `${capture.cell.label} ${r.test}`);
      assert.deepEqual(
        values.map((r) => r.value),
        headline(input.runs[0].results).map((r) => r.value)
      );
    }
  });

  it("the GPU is read from CUDA's device lines: H100 80GB HBM3, 81079 MiB, compute capability 9.0", () => {
    for (const {outcome} of all) {
      const [run] = readCapture(outcome).stored.runs;
      assert.deepEqual(
        run.hardware?.gpus?.map((g) => [g.name, g.vram_mib, g.compute_capability]),
        [["NVIDIA H100 80GB HBM3", 81079, "9.0"]]
      );
      assert.equal(run.hardware?.backend, "CUDA");
    }
  });

  it("the impossible depth (4,194,304 tokens) is stored as oom with llama-bench's last words", () => {
    const oom = all.find((c) => c.capture.status === "oom")!;
    assert.match(oom.capture.status_detail!, /failed to create context/);
    const [run] = readCapture(oom.outcome).stored.runs;
    assert.deepEqual(
      run.results.map((r) => [r.test, r.status, r.value]),
      [
        ["pp512 @ d4194304", "oom", null],
        ["tg128 @ d4194304", "oom", null]
      ]
    );
  });

  it("each run's environment is the machine's nvidia-smi reading, as raw/nvidia-smi-query.csv has it", () => {
    for (const run of ["run1", "run2"]) {
      const csv = readFileSync(join(H100, run, "raw/nvidia-smi-query.csv"), "utf8")
        .split("\n")[1]
        .split(", ");
      for (const {input} of byRunner(run, "llama-bench")) {
        const machine = (
          input.runs[0].extra.environment as {
            machine: {gpus: Record<string, unknown>[]; nvidia: Record<string, string>};
          }
        ).machine;
        const gpu = machine.gpus[0];
        assert.deepEqual(
          [
            gpu.name,
            `${gpu.memory_total_mib} MiB`,
            gpu.driver_version,
            String(gpu.pcie_link_gen_current),
            String(gpu.pcie_link_width_current),
            `${Number(gpu.power_limit_w).toFixed(2)} W`,
            `${gpu.clocks_max_sm_mhz} MHz`
          ],
          csv
        );
        assert.deepEqual(machine.nvidia, {driver_version: "580.159.04", cuda_version: "13.0"});
      }
    }
  });
});

describe("captured on an H100: the environment recorded with a command", () => {
  it("the image's NCCL_VERSION and TORCH_CUDA_ARCH_LIST, which the GPU machine stored in every command, are not recorded now", () => {
    const [{capture, input}] = byRunner("run2", "llama-bench");
    assert.ok(
      input.runs[0].command!.startsWith("TORCH_CUDA_ARCH_LIST=9.0a NCCL_VERSION=2.28.3-1 ./build/bin/llama-bench")
    );
    assert.deepEqual(capture.env, {TORCH_CUDA_ARCH_LIST: "9.0a", NCCL_VERSION: "2.28.3-1"});
    const env = {...capture.env, CUDA_VISIBLE_DEVICES: "0", NCCL_P2P_DISABLE: "1", PATH: "/usr/bin"};
    const context = {env} as unknown as RunnerContext;
    const cell = {...capture.cell, env: {GGML_CUDA_GRAPH_OPT: "1"}} as unknown as Parameters<typeof recordedEnv>[0];
    assert.deepEqual(recordedEnv(cell, context), {
      CUDA_VISIBLE_DEVICES: "0",
      NCCL_P2P_DISABLE: "1",
      GGML_CUDA_GRAPH_OPT: "1"
    });
  });
});

it("the fixtures are the files the GPU machine wrote: each stored raw file still has its sha256", () => {
  const store = (run: string) => new Store(join(H100, run, "store"));
  for (const run of ["run1", "run2"])
    for (const hash of store(run).inputs())
      assert.equal(sha256(readFileSync(store(run).rawPath(store(run).read(hash).source))), hash);
});

it("benchbook reparse reads the captured cells back to the runs the GPU machine stored (a plain re-read dropped their capture record's context)", () => {
  for (const run of ["run1", "run2"]) {
    const store = new Store(join(H100, run, "store"));
    for (const hash of store.inputs()) {
      const {before, after} = reparseInput(store, hash);
      assert.deepEqual(after.runs, before.runs, `${run} ${before.source.name}`);
    }
  }
});
