import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {applyDeviceLines, parseDeviceLine} from "../../scripts/context/devices.js";
import {emptyHardware} from "../../scripts/schema/schema.js";

const fold = (lines: string[]) =>
  lines.reduce((hw, line) => applyDeviceLines(hw, parseDeviceLine(line)), emptyHardware());

describe("device lines: Metal and Vulkan, as llama.cpp builds printed them", () => {
  it("counts a Metal device once though ggml_metal_init names it twice (llama.cpp CI log)", () => {
    const hw = fold([
      "0.00.040.297 I ggml_metal_init: allocating",
      "0.00.040.302 I ggml_metal_init: found device: Apple M4",
      "0.00.040.307 I ggml_metal_init: picking default device: Apple M4",
      "0.00.041.263 I ggml_metal_init: using embedded metal library",
      "0.00.045.635 I ggml_metal_init: GPU name:   Apple M4",
      "0.00.045.638 I ggml_metal_init: GPU family: MTLGPUFamilyApple9  (1009)",
      "0.00.045.641 I ggml_metal_init: hasUnifiedMemory      = true"
    ]);
    assert.equal(hw.backend, "Metal");
    assert.deepEqual(
      hw.gpus.map((g) => g.name),
      ["Apple M4"]
    );
  });

  it("reads newer ggml_metal_device_init lines (ramalama bench on an M1 Max)", () => {
    const hw = fold([
      "ggml_metal_device_init: tensor API disabled for pre-M5 and pre-A19 devices",
      "ggml_metal_device_init: GPU name:   Apple M1 Max",
      "ggml_metal_device_init: GPU family: MTLGPUFamilyApple7  (1007)",
      "ggml_metal_device_init: recommendedMaxWorkingSetSize  = 22906.50 MB"
    ]);
    assert.deepEqual(
      hw.gpus.map((g) => g.name),
      ["Apple M1 Max"]
    );
  });

  it("reads current Vulkan device lines with driver and facts (two RX 7900 XTX, llama.cpp PR #25051)", () => {
    const hw = fold([
      "ggml_vulkan: Found 2 Vulkan devices:",
      "ggml_vulkan: 0 = Radeon RX 7900 XTX (RADV NAVI31) (radv) | uma: 0 | fp16: 1 | bf16: 0 | warp size: 64 | shared memory: 65536 | int dot: 0 | matrix cores: KHR_coopmat",
      "ggml_vulkan: 1 = Radeon RX 7900 XTX (RADV NAVI31) (radv) | uma: 0 | fp16: 1 | bf16: 0 | warp size: 64 | shared memory: 65536 | int dot: 0 | matrix cores: KHR_coopmat"
    ]);
    assert.equal(hw.backend, "Vulkan");
    assert.deepEqual(
      hw.gpus.map((g) => [g.index, g.name, g.extra?.driver, g.extra?.["matrix cores"]]),
      [
        [0, "Radeon RX 7900 XTX (RADV NAVI31)", "radv", "KHR_coopmat"],
        [1, "Radeon RX 7900 XTX (RADV NAVI31)", "radv", "KHR_coopmat"]
      ]
    );
  });

  it("keeps parentheses inside a name (Intel(R) Arc(TM), llama.cpp PR #13326)", () => {
    const [line] = parseDeviceLine(
      "ggml_vulkan: 0 = Intel(R) Arc(TM) A770 Graphics (Intel Corporation) | uma: 0 | fp16: 1 | warp size: 32 | shared memory: 32768 | int dot: 1 | matrix cores: none"
    );
    assert.equal(line.kind, "device");
    if (line.kind === "device")
      assert.deepEqual(
        [line.gpu.name, line.gpu.extra?.driver, line.gpu.extra?.["warp size"]],
        ["Intel(R) Arc(TM) A770 Graphics", "Intel Corporation", "32"]
      );
  });

  it("reads early-2024 Vulkan lines: `ggml_vulkan: Using …` (PR #2059) and `Vulkan0: …` (issue #5698)", () => {
    const [using] = parseDeviceLine("ggml_vulkan: Using AMD Radeon RX 7900 XTX | fp16: 1 | warp size: 64");
    assert.ok(using.kind === "device" && using.backend === "Vulkan");
    if (using.kind === "device")
      assert.deepEqual([using.gpu.index, using.gpu.name, using.gpu.extra?.fp16], [null, "AMD Radeon RX 7900 XTX", "1"]);
    const [vk0] = parseDeviceLine("Vulkan0: AMD Radeon RX 7800 XT | uma: 0 | fp16: 1 | warp size: 64");
    if (vk0.kind === "device")
      assert.deepEqual([vk0.gpu.index, vk0.gpu.name, vk0.gpu.extra?.["warp size"]], [0, "AMD Radeon RX 7800 XT", "64"]);
    else assert.fail("expected a device");
    assert.deepEqual(
      parseDeviceLine("Vulkan is great for this | really"),
      [],
      "prose with a pipe is not a device line"
    );
  });
});
