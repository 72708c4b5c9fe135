/**
 * The device table and the names tools print: every device name in our
 * fixtures and in the bundled store must be decided here (matched to a
 * row, or known not to name one), so a new fixture with a new device fails
 * until its expected peak is written down.
 */
import assert from "node:assert/strict";
import {readdirSync, readFileSync, statSync} from "node:fs";
import {join, relative} from "node:path";
import {describe, it} from "node:test";
import {devices, matchDevice, statedCount} from "../../scripts/efficiency/devices.js";
import {machinePeak} from "../../scripts/efficiency/efficiency.js";
import type {Run} from "../../scripts/schema/schema.js";
import {FIXTURES, readFixture} from "../helpers/fixtures.js";

/** Every name found in fixtures and data/, with its expected row and bandwidth (null: no row, or rows that disagree). */
const EXPECTED: Record<string, {device: string | null; bw: number | null; count?: number}> = {
  "NVIDIA GeForce RTX 3080 @20052": {device: "NVIDIA GeForce RTX 3080 20GB", bw: 760.3},
  "NVIDIA GeForce RTX 4090 @24210": {device: "NVIDIA GeForce RTX 4090", bw: 1008},
  "GeForce GTX 1080 @8118": {device: "NVIDIA GeForce GTX 1080", bw: 320},
  "GeForce GTX 1080 @8119": {device: "NVIDIA GeForce GTX 1080", bw: 320},
  "NVIDIA GeForce RTX 3090 @24576": {device: "NVIDIA GeForce RTX 3090", bw: 936.2},
  "NVIDIA H200 @143771": {device: "NVIDIA H200", bw: 4800},
  "NVIDIA H200": {device: "NVIDIA H200", bw: 4800},
  // benchbook bench on the device tool's H100 (test/fixtures/captured/h100, data/): CUDA's device lines, and nvidia-smi.
  "NVIDIA H100 80GB HBM3 @81079": {device: "NVIDIA H100 80GB HBM3", bw: 3350},
  "NVIDIA H100 80GB HBM3 @81559": {device: "NVIDIA H100 80GB HBM3", bw: 3350},
  "NVIDIA H100 80GB HBM3": {device: "NVIDIA H100 80GB HBM3", bw: 3350},
  "RTX 3060 12GB": {device: "NVIDIA GeForce RTX 3060", bw: 360},
  "NVIDIA GeForce RTX 4080": {device: "NVIDIA GeForce RTX 4080", bw: 716.8},
  "NVIDIA GeForce RTX 4090": {device: "NVIDIA GeForce RTX 4090", bw: 1008},
  "2× RTX 3060 12GB": {device: "NVIDIA GeForce RTX 3060", bw: 360, count: 2},
  "4×RTX 3080 20GB": {device: "NVIDIA GeForce RTX 3080 20GB", bw: 760.3, count: 4},
  "AMD Radeon 8060S": {device: "AMD Radeon 8060S", bw: 256},
  "Apple M4": {device: "Apple M4", bw: 120},
  // Workstation, Max-Q and Server editions: the same memory, different clocks.
  "NVIDIA RTX PRO 6000 Blackwell 96GB (SM120)": {
    device:
      "NVIDIA RTX PRO 6000 Blackwell Workstation Edition | NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition | NVIDIA RTX PRO 6000 Blackwell Server Edition",
    bw: 1792
  },
  // The real-world corpus (test/fixtures/real).
  "NVIDIA GeForce RTX 2070": {device: "NVIDIA GeForce RTX 2070", bw: 448},
  "NVIDIA GeForce RTX 2080 Ti": {device: "NVIDIA GeForce RTX 2080 Ti", bw: 616},
  "NVIDIA GeForce RTX 3090 Ti": {device: "NVIDIA GeForce RTX 3090 Ti", bw: 1008},
  "NVIDIA GeForce RTX 5090": {device: "NVIDIA GeForce RTX 5090", bw: 1792},
  B200: {device: "NVIDIA B200", bw: 8000},
  "Radeon 8060S Graphics (RADV GFX1151)": {device: "AMD Radeon 8060S", bw: 256},
  "Radeon 8060S Graphics (RADV STRIX_HALO)": {device: "AMD Radeon 8060S", bw: 256},
  "Radeon 8060S Graphics @64042": {device: "AMD Radeon 8060S", bw: 256},
  "Radeon 8060S Graphics @126976": {device: "AMD Radeon 8060S", bw: 256},
  // Names that do not say which card: an H100 of three memory systems, a 3080 of 10, 12 or 20 GB (no VRAM printed), ROCm's generic name.
  H100: {device: "NVIDIA H100 80GB HBM3 | NVIDIA H100 PCIe | NVIDIA H100 NVL", bw: null},
  "NVIDIA GeForce RTX 3080": {
    device: "NVIDIA GeForce RTX 3080 | NVIDIA GeForce RTX 3080 12GB | NVIDIA GeForce RTX 3080 20GB",
    bw: null
  },
  "AMD Radeon Graphics @126976": {device: null, bw: null},
  // Devices the table has no row for (a series name, a Jetson SoC).
  "AMD Radeon R9 200 Series (RADV HAWAII)": {device: null, bw: null},
  "AMD Radeon RX 580 Series (RADV POLARIS10)": {device: null, bw: null},
  "Radeon RX 570 Series": {device: null, bw: null},
  "NVIDIA Tegra X2": {device: null, bw: null},
  "13th Gen Intel(R) Core(TM) i9-13900K": {device: null, bw: null},
  "1 CUDA device (single-GPU setup of phase 01)": {device: null, bw: null}
};

function check(key: string, name: string, vram: number | null) {
  const expected = EXPECTED[key];
  assert.ok(expected, `a device name not decided in this test: ${JSON.stringify(key)} — add its expected row`);
  const {count, name: single} = statedCount(name);
  const match = matchDevice(single, vram);
  assert.equal(match?.name ?? null, expected.device, key);
  assert.equal(match?.bw_gbs ?? null, expected.bw, key);
  assert.equal(count, expected.count ?? 1, key);
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const path = join(dir, f);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** CPU models as printed: none names a memory configuration, so none may match a row. */
function namesOf(runs: Run[], seen: Map<string, {name: string; vram: number | null}>, cpus: Set<string>) {
  for (const run of runs) {
    const {gpus, gpu_info, stated, cpu} = run.hardware;
    if (cpu) cpus.add(cpu);
    for (const g of gpus)
      if (g.name) seen.set(g.vram_mib ? `${g.name} @${g.vram_mib}` : g.name, {name: g.name, vram: g.vram_mib});
    for (const name of gpu_info ? gpu_info.split(/\s*,\s*/) : []) if (name) seen.set(name, {name, vram: null});
    if (stated) seen.set(stated, {name: stated, vram: null});
  }
}

describe("the device table", () => {
  it("has at least 120 devices, each with a source and a positive bandwidth or none", () => {
    const rows = devices();
    assert.ok(rows.length >= 120, `${rows.length} rows`);
    for (const d of rows) assert.match(d.source, /^https:\/\//, d.name);
    const by = (vendor: string) => rows.filter((d) => d.vendor === vendor).length;
    assert.ok(
      by("NVIDIA") >= 60 && by("AMD") >= 30 && by("Apple") >= 18 && by("Intel") >= 10,
      JSON.stringify({NVIDIA: by("NVIDIA"), AMD: by("AMD"), Apple: by("Apple"), Intel: by("Intel")})
    );
    assert.ok(rows.filter((d) => d.kind === "cpu-memory").length >= 15);
    assert.equal(new Set(rows.map((d) => d.name)).size, rows.length, "names are unique");
  });

  it("matches every device name in the fixtures and the bundled store as expected", () => {
    const seen = new Map<string, {name: string; vram: number | null}>();
    const cpus = new Set<string>();
    for (const path of walk(FIXTURES)) {
      let reading;
      try {
        reading = readFixture(relative(FIXTURES, path));
      } catch {
        continue; // fixtures of malformed input
      }
      namesOf(reading.stored.runs, seen, cpus);
    }
    for (const file of readdirSync("data/runs"))
      namesOf(JSON.parse(readFileSync(join("data/runs", file), "utf8")).runs, seen, cpus);
    assert.ok(seen.size >= 15, `${seen.size} names`);
    for (const [key, {name, vram}] of seen) check(key, name, vram);
    assert.ok(cpus.size >= 3);
    for (const cpu of cpus) assert.equal(matchDevice(cpu), null, cpu);
  });

  it("reads the names nvidia-smi, CUDA, ROCm, Vulkan, SYCL and Metal print", () => {
    const cases: [string, number | null, number | null][] = [
      ["NVIDIA A100-SXM4-80GB", null, 2039],
      ["NVIDIA A100-SXM4-40GB", null, 1555],
      ["NVIDIA A100-PCIE-40GB", null, 1555],
      ["NVIDIA A100 80GB PCIe", null, 1935],
      ["Tesla V100-SXM2-32GB", null, 900],
      ["Tesla V100S-PCIE-32GB", null, 1134],
      ["Tesla T4", null, 320],
      ["NVIDIA H100 80GB HBM3", 81559, 3350],
      ["NVIDIA H100 PCIe", 81559, 2000],
      ["NVIDIA H100 NVL", 95830, 3900],
      ["NVIDIA H200 NVL", null, 4800],
      ["NVIDIA GH200 480GB", null, 4000],
      ["NVIDIA B200", null, 8000],
      ["NVIDIA L40S", null, 864],
      ["NVIDIA L4", null, 300],
      ["NVIDIA A10", null, 600],
      ["Orin", 62841, 204.8],
      ["NVIDIA GB10", null, 273],
      ["NVIDIA GeForce RTX 3060", 12288, 360],
      ["NVIDIA GeForce RTX 3060", 8192, 240],
      ["NVIDIA GeForce RTX 3080", 10240, 760.3],
      ["NVIDIA GeForce RTX 3080", 12288, 912.4],
      ["NVIDIA GeForce RTX 4060 Ti 16GB", null, 288],
      ["NVIDIA GeForce RTX 5090", 32607, 1792],
      ["NVIDIA RTX 6000 Ada Generation", null, 960],
      ["AMD Radeon RX 7900 XTX", null, 960],
      ["AMD Radeon RX 7900 XTX (RADV NAVI31)", null, 960],
      ["AMD Radeon RX 6800 XT", null, 512],
      ["AMD Radeon RX 9070 XT", null, 644.6],
      ["AMD Instinct MI300X", null, 5300],
      ["AMD Instinct MI250X/MI250", null, 1638.4],
      ["Radeon 8060S Graphics", null, 256],
      ["Intel(R) Arc(TM) A770 Graphics", 16225, 560],
      ["Intel(R) Arc(TM) B580 Graphics", null, 456],
      ["Apple M1 Max", null, 400],
      ["Apple M3 Ultra", null, 819],
      ["Apple M4 Pro", null, 273],
      ["DDR5-5600 dual channel", null, 89.6],
      ["8x DDR4-3200", null, 204.8],
      ["DDR5 6400 12ch", null, 614.4]
    ];
    for (const [name, vram, bw] of cases) assert.equal(matchDevice(name, vram)?.bw_gbs, bw, name);
  });

  it("leaves a figure unknown where the name fits rows that disagree, and never matches a different device", () => {
    assert.equal(matchDevice("H100")?.bw_gbs, null); // SXM, PCIe or NVL
    assert.equal(matchDevice("Apple M4 Max")?.bw_gbs, null); // 32- or 40-core GPU
    assert.equal(matchDevice("Apple M4 Max 40-core GPU")?.bw_gbs, 546);
    assert.equal(matchDevice("Intel(R) Arc(TM) A770 Graphics")?.bw_gbs, null); // 8 or 16 GB
    assert.equal(matchDevice("NVIDIA RTX PRO 6000 Blackwell")?.fp16_tflops, null);
    assert.equal(matchDevice("NVIDIA RTX PRO 6000 Blackwell Workstation Edition")?.fp16_tflops, 500);
    assert.equal(matchDevice("NVIDIA GeForce RTX 3080 Laptop GPU"), null);
    assert.equal(matchDevice("NVIDIA GeForce RTX 3080 Ti")?.bw_gbs, 912.4);
    assert.equal(matchDevice("AMD Radeon Graphics"), null);
    assert.equal(matchDevice("AMD Radeon 890M Graphics")?.bw_gbs ?? null, null);
    assert.equal(matchDevice("DDR5-5600"), null); // channels unknown
  });
});

describe("the devices a run used", () => {
  const run = (hardware: Partial<Run["hardware"]>): Run =>
    ({
      hardware: {gpus: [], gpu_info: null, vram_total_mib: null, backend: null, cpu: null, stated: null, ...hardware},
      extra: {}
    }) as unknown as Run;
  const h200 = (index: number) => ({index, name: "NVIDIA H200", vram_mib: 143771, compute_capability: "9.0"});

  it("sums the devices of a split, one with split mode none, those a tensor split gives a share", () => {
    const two = run({gpus: [h200(0), h200(1)], backend: "CUDA"});
    assert.deepEqual(machinePeak(two, {split_mode: "layer"}), {device: "2× NVIDIA H200", bw_gbs: 9600, tflops: 1978.8});
    assert.deepEqual(machinePeak(two, {split_mode: "none", main_gpu: 1}), {
      device: "NVIDIA H200",
      bw_gbs: 4800,
      tflops: 989.4
    });
    assert.equal(machinePeak(two, {tensor_split: "1/0"}).bw_gbs, 4800);
    assert.equal(machinePeak(two, {tensor_split: "0.43,0.57"}).bw_gbs, 9600);
  });

  it("reads llama-bench's gpu_info, a stated machine, and an APU named by its gfx chip", () => {
    assert.equal(machinePeak(run({gpu_info: "NVIDIA H200, NVIDIA H200"}), {}).bw_gbs, 9600);
    assert.deepEqual(machinePeak(run({stated: "2× RTX 3060 12GB"}), {}), {
      device: "2× NVIDIA GeForce RTX 3060",
      bw_gbs: 720,
      tflops: 102
    });
    const apu = run({
      gpus: [
        {
          index: 0,
          name: "AMD Radeon Graphics",
          vram_mib: null,
          compute_capability: null,
          extra: {note0: "gfx1151 (0x1151)"}
        }
      ],
      backend: "ROCm"
    });
    assert.equal(machinePeak(apu, {}).bw_gbs, 256);
  });

  it("knows no peak when any device used is unknown", () => {
    const mixed = run({
      gpus: [h200(0), {index: 1, name: "Some Accelerator", vram_mib: null, compute_capability: null}]
    });
    assert.deepEqual(machinePeak(mixed, {}), {device: null, bw_gbs: null, tflops: null});
    assert.equal(machinePeak(run({backend: "CPU"}), {}).bw_gbs, null);
  });
});
