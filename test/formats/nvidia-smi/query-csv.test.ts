import assert from "node:assert/strict";
import {csvParseRows} from "d3-dsv";
import {describe, it} from "node:test";
import {fixtureText, read, readFixture} from "../../helpers/fixtures.js";

describe("nvidia-smi-csv: --query-gpu captures (H200)", () => {
  it("reads any field list by name: measured fields as results, the rest on the GPU", () => {
    const name = "nvidia-smi/query-full.csv";
    const [header, row] = csvParseRows(fixtureText(name)).map((r) => r.map((c) => c.trim()));
    const printed = Object.fromEntries(header.map((h, i) => [h, row[i]]));
    const [run] = readFixture(name).stored.runs;
    const [gpu] = run.hardware.gpus;
    assert.deepEqual([gpu.index, gpu.name, gpu.vram_mib], [0, "NVIDIA H200", 143771]);
    assert.equal(gpu.extra?.["pcie.link.gen.current"], Number(printed["pcie.link.gen.current"]));
    assert.equal(gpu.extra?.["pcie.link.width.current"], 16);
    assert.equal(gpu.extra?.["power.limit [W]"], "700.00 W");
    assert.equal(gpu.extra?.["clocks.current.sm [MHz]"], "1980 MHz", "the header's own name for clocks.sm is kept");
    assert.equal(gpu.extra?.["fan.speed [%]"], "[N/A]");
    assert.equal(gpu.extra?.driver_version, "580.159.04");
    const results = Object.fromEntries(run.results.map((r) => [r.extra?.field as string, r]));
    assert.deepEqual(
      [results["memory.used [MiB]"].value, results["memory.used [MiB]"].unit, results["memory.used [MiB]"].text],
      [0, "MiB", printed["memory.used [MiB]"]]
    );
    assert.deepEqual([results["power.draw [W]"].value, results["power.draw [W]"].unit], [127.67, "W"]);
    assert.deepEqual(
      [results["temperature.gpu"].value, results["temperature.gpu"].unit, results["temperature.gpu"].extra?.unit_from],
      [40, "C", "nvidia-smi --help-query-gpu (not printed)"]
    );
    assert.deepEqual(
      run.results.map((r) => r.metric),
      ["memory_used", "memory_free", "power_draw", "temperature_gpu", "utilization_gpu", "utilization_memory"]
    );
  });

  it("reads seed 002's exact query (PCIe link gen and width)", () => {
    const [run] = readFixture("nvidia-smi/query-seed002.csv").stored.runs;
    assert.deepEqual(run.hardware.gpus[0].extra, {"pcie.link.gen.current": 5, "pcie.link.width.current": 16});
    assert.deepEqual(
      run.results.map((r) => [r.metric, r.value, r.unit]),
      [
        ["memory_used", 0, "MiB"],
        ["memory_free", 143156, "MiB"]
      ]
    );
  });

  it("reads nounits values with the unit from the header", () => {
    const [run] = readFixture("nvidia-smi/query-nounits.csv").stored.runs;
    assert.deepEqual(
      run.results.map((r) => [r.metric, r.value, r.unit, r.text]),
      [
        ["memory_used", 0, "MiB", "0"],
        ["utilization_gpu", 0, "%", "0"]
      ]
    );
  });

  it("reads noheader rows with the fields of the command above them", () => {
    const command =
      "$ nvidia-smi --query-gpu=index,name,memory.total,memory.used,power.draw,pcie.link.gen.current,pcie.link.width.current --format=csv,noheader,nounits";
    const [run] = read(`${command}\n${fixtureText("nvidia-smi/query-noheader-nounits.csv")}`).stored.runs;
    assert.equal(run.command, command.slice(2));
    assert.deepEqual(
      [run.hardware.gpus[0].name, run.hardware.gpus[0].extra?.["pcie.link.gen.current"]],
      ["NVIDIA H200", 5]
    );
    const power = run.results.find((r) => r.metric === "power_draw")!;
    assert.deepEqual(
      [power.value, power.unit, power.extra?.unit_from, power.line],
      [127.68, "W", "nvidia-smi --help-query-gpu (not printed)", 2]
    );
  });

  it("turns a -l loop into a time series per GPU, with timestamps", () => {
    const name = "nvidia-smi/query-loop.csv";
    const printed = csvParseRows(fixtureText(name)).slice(1);
    const [run] = readFixture(name).stored.runs;
    const power = run.results.filter((r) => r.metric === "power_draw");
    assert.deepEqual(
      power.map((r) => r.value),
      printed.map((row) => Number(row[3].trim().split(" ")[0]))
    );
    assert.deepEqual(
      power.map((r) => [r.scope, r.seq]),
      [
        ["interval", 0],
        ["interval", 1],
        ["interval", 2],
        ["interval", 3]
      ]
    );
    assert.equal(power[0].time, "2026-11-22T02:22:43.348");
    assert.equal(run.hardware.gpus.length, 1);
  });

  it("refuses a broken row (a value missing), naming the line", () => {
    assert.throws(
      () => read("index, memory.used [MiB], memory.free [MiB]\n0, 10 MiB, 20 MiB\n1, 10 MiB\n", "q.csv"),
      /q\.csv: line 3: nvidia-smi-csv: expected 3 comma-separated values/
    );
  });

  it("ends the block at the first line that is not a row", () => {
    const {stored} = read("index, memory.used [MiB]\n0, 10 MiB\nNote, the GPU was idle.\n");
    assert.deepEqual(
      stored.runs[0].results.map((r) => r.value),
      [10]
    );
    assert.equal(stored.runs[0].source.line_end, 2);
  });
});
