/**
 * llama.cpp builds before early 2024 printed their CUDA devices from
 * `ggml_init_cublas` (ggml-cuda.cu: `"%s: found %d " GGML_CUDA_NAME " devices:\n"`,
 * then `"  Device %d: %s, compute capability %d.%d\n"`), after two option lines.
 */
import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {applyDeviceLines, parseDeviceLine} from "../../scripts/context/devices.js";
import {emptyHardware} from "../../scripts/schema/schema.js";
import {fixtureText, read} from "../helpers/fixtures.js";

// Verbatim from a user's llamafile run (server with --n-gpu-layers 35) quoted in a 2023 blog post.
const OLD_BUILD = [
  "ggml_init_cublas: GGML_CUDA_FORCE_MMQ:   no",
  "ggml_init_cublas: CUDA_USE_TENSOR_CORES: yes",
  "ggml_init_cublas: found 2 CUDA devices:",
  "  Device 0: NVIDIA GeForce RTX 3090, compute capability 8.6",
  "  Device 1: NVIDIA GeForce GTX 660 Ti, compute capability 3.0"
];

const fold = (lines: string[]) =>
  lines.reduce((hw, line) => applyDeviceLines(hw, parseDeviceLine(line)), emptyHardware());

describe("ggml_init_cublas device lines (old llama.cpp builds)", () => {
  it("reads the header's count and each device with its compute capability", () => {
    assert.deepEqual(parseDeviceLine(OLD_BUILD[2]), [
      {kind: "header", backend: "CUDA", count: 2, vram_total_mib: null}
    ]);
    const hw = fold(OLD_BUILD);
    assert.equal(hw.backend, "CUDA");
    // Oracle: the name and capability printed on each Device line.
    const printed = OLD_BUILD.slice(3).map((l) => /Device (\d+): (.+), compute capability ([\d.]+)/.exec(l)!);
    assert.deepEqual(
      hw.gpus.map((g) => [g.index, g.name, g.compute_capability, g.vram_mib]),
      printed.map((m) => [Number(m[1]), m[2], m[3], null])
    );
  });

  it("reads the oldest shape (names only) and ROCm builds", () => {
    const names = fold([
      "ggml_init_cublas: found 2 CUDA devices:",
      "  Device 0: NVIDIA GeForce RTX 3090 Ti",
      "  Device 1: NVIDIA GeForce RTX 2080"
    ]);
    assert.deepEqual(
      names.gpus.map((g) => [g.index, g.name, g.compute_capability]),
      [
        [0, "NVIDIA GeForce RTX 3090 Ti", null],
        [1, "NVIDIA GeForce RTX 2080", null]
      ]
    );
    assert.equal(parseDeviceLine("ggml_init_cublas: found 1 ROCm devices:")[0].backend, "ROCm");
  });

  it("gives the devices to a llama-bench table below them, as the newer header does", () => {
    // Composed from two real outputs: the old build's device lines above one of seed 001's CUDA llama-bench tables.
    const seed = fixtureText("seeds/001-rtx4090-m4.txt").split("\n");
    const start = seed.findIndex((l) => l.startsWith("| model"));
    const text = [...OLD_BUILD, ...seed.slice(start, start + 12)].join("\n");
    const reading = read(text, "old.md");
    const [run] = reading.stored.runs;
    assert.deepEqual(
      run.hardware.gpus.map((g) => g.name),
      ["NVIDIA GeForce RTX 3090", "NVIDIA GeForce GTX 660 Ti"]
    );
    assert.deepEqual(
      reading.reading.context.filter((c) => c.kind === "devices").map((c) => c.line_start),
      [1, 2, 3, 4, 5]
    );
  });
});
