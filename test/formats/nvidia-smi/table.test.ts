import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {fixtureText, read, readFixture, rowsOf} from "../../helpers/fixtures.js";

/** Oracle: per GPU data row pair, the printed memory used/total, power draw/cap, temperature and utilization. */
function printedRows(text: string) {
  return [
    ...text.matchAll(/\|\s*(\S+)\s+(\d+)C\s+\S+\s+(\d+)W\s*\/\s*(\S+)\s*\|\s*(\d+)MiB\s*\/\s*(\d+)MiB\s*\|\s*(\d+)%/g)
  ].map((m) => ({
    temp: Number(m[2]),
    power: Number(m[3]),
    cap: m[4],
    used: Number(m[5]),
    total: Number(m[6]),
    util: Number(m[7])
  }));
}

describe("nvidia-smi-table: our H200 capture (driver 580)", () => {
  const name = "nvidia-smi/nvidia-smi-default.txt";
  const text = fixtureText(name);
  const [run] = readFixture(name).stored.runs;

  it("fills hardware.gpus from the table, versions from the header", () => {
    assert.equal(run.tool, "nvidia-smi");
    assert.equal(run.tool_version, "580.159.04");
    assert.equal(run.hardware.gpus.length, 1);
    const [gpu] = run.hardware.gpus;
    assert.deepEqual([gpu.index, gpu.name, gpu.vram_mib], [0, "NVIDIA H200", 143771]);
    assert.equal(gpu.extra?.driver_version, "580.159.04");
    assert.equal(gpu.extra?.cuda_version, "13.0");
    assert.equal(gpu.extra?.power_limit, "700W");
    assert.equal(gpu.extra?.["Persistence-M"], "On");
    assert.equal(gpu.extra?.["MIG M."], "Disabled");
    assert.equal(gpu.extra?.fan_speed, "N/A", "a fan of N/A is kept as text, not a value");
    assert.equal(run.started_at, "2026-11-22T02:22:43");
    assert.equal(rowsOf(readFixture(name))[0].hardware, "NVIDIA H200");
  });

  it("turns measured quantities into results, unit as printed", () => {
    const [p] = printedRows(text);
    const byMetric = Object.fromEntries(run.results.map((r) => [r.metric, r]));
    assert.deepEqual([byMetric.memory_used.value, byMetric.memory_used.unit], [p.used, "MiB"]);
    assert.deepEqual([byMetric.power_draw.value, byMetric.power_draw.unit], [p.power, "W"]);
    assert.deepEqual([byMetric.temperature_gpu.value, byMetric.temperature_gpu.unit], [p.temp, "C"]);
    assert.deepEqual([byMetric.utilization_gpu.value, byMetric.utilization_gpu.unit], [p.util, "%"]);
    assert.equal(byMetric.memory_used.text, "0MiB / 143771MiB");
    assert.equal(byMetric.memory_used.line, 10);
    assert.equal(byMetric.memory_used.test, "GPU 0");
    assert.equal(byMetric.memory_used.kind, "hardware");
  });
});

describe("nvidia-smi-table: other drivers' layouts", () => {
  it("reads the old layout with two GPUs, the command before it, and per-process memory", () => {
    const name = "nvidia-smi/gtx1080x2-driver460.txt";
    const text = fixtureText(name);
    const [run] = readFixture(name).stored.runs;
    assert.equal(run.command, "nvidia-smi");
    assert.deepEqual(
      run.hardware.gpus.map((g) => [g.index, g.name, g.vram_mib]),
      [
        [0, "GeForce GTX 1080", 8118],
        [1, "GeForce GTX 1080", 8119]
      ]
    );
    const rows = printedRows(text);
    assert.deepEqual(
      run.results.filter((r) => r.metric === "memory_used").map((r) => r.value),
      rows.map((r) => r.used)
    );
    assert.deepEqual(
      run.results.filter((r) => r.metric === "fan_speed").map((r) => [r.test, r.value, r.unit]),
      [
        ["GPU 0", 29, "%"],
        ["GPU 1", 28, "%"]
      ]
    );
    const processes = run.results.filter((r) => r.metric === "process_memory_used");
    assert.deepEqual(
      processes.map((r) => [r.value, r.unit, r.extra?.pid, r.extra?.type, r.extra?.process]),
      [
        [124, "MiB", "1224", "G", "/usr/lib/xorg/Xorg"],
        [98, "MiB", "1352", "G", "/usr/bin/gnome-shell"]
      ]
    );
    assert.equal(run.hardware.gpus[0].extra?.cuda_version, "11.2");
  });

  it("reads driver 610's KMD and CUDA UMD labels", () => {
    const [run] = readFixture("nvidia-smi/rtx3090-driver610-kmd.txt").stored.runs;
    const [gpu] = run.hardware.gpus;
    assert.deepEqual(
      [gpu.name, gpu.vram_mib, gpu.extra?.driver_version, gpu.extra?.cuda_version, gpu.extra?.power_limit],
      ["NVIDIA GeForce RTX 3090", 24576, "610.57.04", "13.3", "270W"]
    );
    assert.deepEqual(run.extra.versions, {"KMD Version": "610.57.04", "CUDA UMD Version": "13.3"});
    assert.equal(run.results.find((r) => r.metric === "power_draw")!.value, 162);
    assert.equal(
      run.results.find((r) => r.metric === "process_memory_used")!.extra?.process,
      "...p/build-cuda/bin/llama-server"
    );
  });

  it("refuses a header without GPU rows, naming the line", () => {
    assert.throws(
      () =>
        read(
          "+------------------+\n| NVIDIA-SMI 550.54.14   Driver Version: 550.54.14   CUDA Version: 12.4 |\n+------------------+\n",
          "x.txt",
          {format: "nvidia-smi-table"}
        ),
      /line 2: nvidia-smi-table: expected nvidia-smi's GPU rows/
    );
  });
});
