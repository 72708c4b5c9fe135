import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {delimiter} from "node:path";
import {describe, it} from "node:test";
import {machineInfo, parseNvidiaSmiQuery} from "../../../scripts/bench/environment.js";
import type {Capture, CellOutcome} from "../../../scripts/schema/capture.js";
import {readCapture} from "../../../scripts/import/capture.js";
import {toRow} from "../../../scripts/schema/row.js";
import {parseMachineAliases} from "../../../scripts/store/aliases.js";
import type {ResultRow} from "../../../src/components/shared/data.js";
import {machineFacts} from "../../../src/components/shared/hardware.js";
import {gpuTableRows, machineTableRows} from "../../../src/components/pages/hardware.js";
import {fixturePath, fixtureText, readFixture, rowsOf} from "../../helpers/fixtures.js";

const rows = (name: string) => rowsOf(readFixture(name)) as unknown as ResultRow[];

describe("machineFacts", () => {
  it("seed 000 with data/aliases.yaml: one machine card for the device lines and the prose, saying which label was merged", () => {
    const aliases = parseMachineAliases(`machines:\n  "4× NVIDIA GeForce RTX 3080": ["4×RTX 3080 20GB"]\n`);
    const merged = ["seeds/000-4x3080-split.txt", "seeds/000-4x3080-prose.yaml"].flatMap((name) =>
      readFixture(name).stored.runs.flatMap((run) => run.results.map((r) => toRow(run, r, false, aliases)))
    ) as unknown as ResultRow[];
    const machines = machineFacts(merged);
    assert.deepEqual(
      machines.map((m) => m.label),
      ["4× NVIDIA GeForce RTX 3080"]
    );
    assert.deepEqual(machines[0].merged, ["4×RTX 3080 20GB"]);
    assert.equal(machineTableRows(machines)[0].merged_labels, "4×RTX 3080 20GB");
  });

  it("4× RTX 3080 (seed 000): four GPUs with the VRAM and compute capability of the device lines", () => {
    const m = machineFacts(rows("seeds/000-4x3080-split.txt")).find((x) => x.label === "4× NVIDIA GeForce RTX 3080")!;
    assert.ok(m);
    assert.equal(m.gpus.length, 4);
    // The device lines, as printed (Japanese locale): `デバイス0: NVIDIA GeForce RTX 3080、計算能力 8.6、VMM: yes、VRAM: 20052 MiB`.
    const device = /デバイス(\d): NVIDIA GeForce RTX 3080、計算能力 ([\d.]+)、VMM: yes、VRAM: (\d+) MiB/.exec(
      fixtureText("seeds/000-4x3080-split.txt")
    )!;
    assert.deepEqual(
      m.gpus.map((g) => g.index),
      [0, 1, 2, 3]
    );
    assert.ok(
      m.gpus.every(
        (g) =>
          g.vram_mib === Number(device[3]) && g.compute_capability === device[2] && g.name === "NVIDIA GeForce RTX 3080"
      )
    );
    assert.equal(m.vram_total_mib, Number(/総VRAM: (\d+) MiB/.exec(fixtureText("seeds/000-4x3080-split.txt"))![1]));
    assert.ok(m.backends.some((b) => b.includes("CUDA")));
    assert.ok(m.runtimes.includes("llama.cpp"));
    assert.equal(
      m.runs.length,
      new Set(
        rows("seeds/000-4x3080-split.txt")
          .filter((r) => r.hardware === m.label)
          .map((r) => r.run_id)
      ).size
    );
  });

  it("2× RTX 3060 (writeup 002): the PCIe asymmetry as stated, Gen3 x4 against Gen4 x16", () => {
    const m = machineFacts(rows("seeds/002-dual-3060-retune.yaml")).find((x) => x.label === "2× RTX 3060 12GB")!;
    assert.deepEqual(
      m.gpus.map((g) => [g.index, g.pcie_current, g.pcie_max, g.pcie_bandwidth]),
      [
        [0, "Gen3 x4", "Gen3 x16", "3.94 GB/s"],
        [1, "Gen4 x16", "Gen4 x16", "31.5 GB/s"]
      ]
    );
  });

  it("nvidia-smi's table: driver and CUDA versions; its --query-gpu CSV: the PCIe link from generation and width", () => {
    const table = machineFacts(rows("nvidia-smi/nvidia-smi-default.txt"))[0];
    const header = /Driver Version:\s*([\d.]+)\s+CUDA Version:\s*([\d.]+)/.exec(
      fixtureText("nvidia-smi/nvidia-smi-default.txt")
    )!;
    assert.deepEqual([table.drivers, table.cuda], [[header[1]], [header[2]]]);
    assert.equal(table.gpus[0].name, "NVIDIA H200");
    const csv = machineFacts(rows("nvidia-smi/query-seed002.csv"))[0];
    const [, fields] = fixtureText("nvidia-smi/query-seed002.csv")
      .trim()
      .split("\n")
      .map((l) => l.split(",").map((s) => s.trim()));
    assert.equal(csv.gpus[0].pcie_current, `Gen${fields[3]} x${fields[4]}`);
    assert.equal(csv.gpus[0].name, "GPU (name not printed)");
  });

  it("a run captured by benchbook bench: GPUs, driver, CUDA, CPU, memory and OS from its environment record", async () => {
    const STANDIN_PATH = {...process.env, PATH: `${fixturePath("standins/bin")}${delimiter}${process.env.PATH}`};
    const machine = await machineInfo(undefined, STANDIN_PATH);
    const capture: Capture = {
      benchbook_capture: 1,
      runner: "llama-bench",
      cell: {id: "c0ffee00c0ffee00", label: "tiny", params: {model: "tiny.gguf", settings: {}}, expected: [], tags: {}},
      plan: {name: "hardware-card-test", sha256: "ab".repeat(32)},
      command: ["llama-bench", "-m", "tiny.gguf", "-o", "jsonl"],
      env: {},
      started_at: "2026-11-22T02:18:24.000Z",
      ended_at: "2026-11-22T02:18:26.500Z",
      exit_code: 0,
      signal: null,
      status: "ok",
      status_detail: null,
      environment: {machine},
      results_role: "stdout",
      results_format: "llama-bench-jsonl"
    } as Capture;
    const outcome: CellOutcome = {
      capture,
      files: [
        {
          role: "stdout",
          name: "c0ffee00c0ffee00.stdout.jsonl",
          bytes: readFileSync(fixturePath("captured/cpu/llama-bench-jsonl.stdout"))
        },
        {
          role: "stderr",
          name: "c0ffee00c0ffee00.stderr.txt",
          bytes: readFileSync(fixturePath("captured/cpu/llama-bench-jsonl.stderr"))
        }
      ]
    } as CellOutcome;
    const {stored} = readCapture(outcome, {now: () => new Date("2026-11-22T03:00:00Z")});
    const captured = stored.runs.flatMap((run) =>
      run.results.map((r) => toRow(run, r, false))
    ) as unknown as ResultRow[];
    const [m] = machineFacts(captured);
    const smi = parseNvidiaSmiQuery(fixtureText("standins/llama-bench-cuda/nvidia-smi-query-2xh200.stdout"));
    assert.equal(m.gpus.length, smi.length);
    for (const [i, g] of smi.entries()) {
      assert.equal(m.gpus[i].name, g.name);
      assert.equal(m.gpus[i].vram_mib, g.memory_total_mib);
      assert.equal(m.gpus[i].pcie_current, `Gen${g.pcie_link_gen_current} x${g.pcie_link_width_current}`);
      assert.equal(m.gpus[i].driver, g.driver_version);
    }
    assert.deepEqual(m.cuda, [machine.nvidia!.cuda_version]);
    assert.ok(m.cpus.some((c) => c.startsWith(machine.cpu.model!)));
    assert.equal(m.memory.length, 1);
    assert.ok(m.os[0].includes(`kernel ${machine.os.kernel}`));
    const table = gpuTableRows([m]);
    assert.equal(table.length, smi.length);
    assert.equal(machineTableRows([m])[0].runs, 1);
  });

  it("one card per machine, however many values its runs printed", () => {
    const all = [...rows("seeds/000-4x3080-split.txt"), ...rows("seeds/001-rtx4090-m4.txt")];
    const machines = machineFacts(all);
    assert.deepEqual(
      machines.map((m) => m.label).sort(),
      [...new Set(all.map((r) => r.hardware || "hardware not stated"))].sort()
    );
    assert.equal(
      machines.reduce((n, m) => n + m.runs.length, 0),
      new Set(all.map((r) => r.run_id)).size
    );
  });
});
