import assert from "node:assert/strict";
import {createHash, randomBytes} from "node:crypto";
import {readFileSync, writeFileSync} from "node:fs";
import {delimiter, join} from "node:path";
import {describe, it} from "node:test";
import {
  HEAD_HASH_BYTES,
  machineInfo,
  modelIdentity,
  parseLlamaVersion,
  parseNvidiaSmiHeader,
  parseNvidiaSmiQuery,
  runtimeInfo
} from "../../scripts/bench/environment.js";
import {GGMLType, kv, writeGGUF, type GGUFTensor} from "../../scripts/llama/gguf-writer.js";
import {tempDir} from "../helpers/cli.js";
import {fixturePath, fixtureText} from "../helpers/fixtures.js";

const STANDIN_PATH = {...process.env, PATH: `${fixturePath("standins/bin")}${delimiter}${process.env.PATH}`};

describe("nvidia-smi (real output of a 2× H200 machine)", () => {
  it("reads the --query-gpu CSV field by field, numbers exactly as printed", () => {
    const csv = fixtureText("standins/llama-bench-cuda/nvidia-smi-query-2xh200.stdout");
    const gpus = parseNvidiaSmiQuery(csv);
    assert.equal(gpus.length, csv.trim().split("\n").length);
    assert.deepEqual(gpus[1], {
      index: 1,
      name: "NVIDIA H200",
      memory_total_mib: 143771,
      driver_version: "580.159.04",
      pcie_link_gen_current: 5,
      pcie_link_width_current: 16,
      power_limit_w: 700,
      clocks_max_sm_mhz: 1980
    });
    assert.deepEqual(
      parseNvidiaSmiQuery("NVIDIA GeForce RTX 3060, 12288, 550.54.15, 3, 4, [N/A], 1852\n")[0].power_limit_w,
      "[N/A]",
      "text that is not a number stays text"
    );
  });

  it("reads driver and CUDA versions from the header", () => {
    assert.deepEqual(parseNvidiaSmiHeader(fixtureText("standins/llama-bench-cuda/nvidia-smi-2xh200.stdout")), {
      driver_version: "580.159.04",
      cuda_version: "13.0"
    });
  });

  it("machineInfo asks nvidia-smi when it is there (the stand-in replays the captures)", async () => {
    const info = await machineInfo(undefined, STANDIN_PATH);
    assert.equal(info.gpus.length, 2);
    assert.deepEqual(info.nvidia, {driver_version: "580.159.04", cuda_version: "13.0"});
    assert.ok(info.cpu.logical_cores > 0 && info.memory.total_bytes > 0 && info.os.kernel.length > 0);
    const none = await machineInfo(undefined, {...process.env, PATH: tempDir("benchbook-empty-path-")});
    assert.deepEqual([none.gpus, none.nvidia], [[], null], "no nvidia-smi: no GPUs from it");
  });
});

describe("runtime versions", () => {
  it("reads llama.cpp's version lines, as printed", () => {
    assert.deepEqual(parseLlamaVersion(fixtureText("standins/llama-bench-cuda/llama-bench-version.stderr")), {
      build_number: 0,
      build_commit: "unknown"
    });
    assert.deepEqual(
      parseLlamaVersion("version: 0.5.0-dev (build 1, commit de3ff81)\nbuilt with GNU 12.2.0 for Linux x86_64"),
      {build_number: 1, build_commit: "de3ff81"}
    );
    assert.deepEqual(
      parseLlamaVersion("version: 8396 (054d8b0f2)"),
      {build_number: 8396, build_commit: "054d8b0f2"},
      "older builds (seed 001's llama-server)"
    );
    assert.deepEqual(parseLlamaVersion("0.17.2rc1.dev13+gf34032433"), {build_number: null, build_commit: null});
  });

  it("runs the version command; a missing program gives null, never an exception", async () => {
    const info = await runtimeInfo(["llama-bench", "--version"], undefined, STANDIN_PATH);
    assert.equal(info.text, fixtureText("standins/llama-bench-cuda/llama-bench-version.stderr").trim());
    assert.equal((await runtimeInfo(["benchbook-no-such-program", "--version"])).text, null);
  });
});

/** A small GGUF with the given metadata and tensors of the given shapes. */
function gguf(path: string, shapes: number[][], meta: {arch?: string; fileType?: number; ctx?: number} = {}): number {
  const tensors: GGUFTensor[] = shapes.map((dims, i) => ({
    name: `t${i}.weight`,
    dims,
    type: GGMLType.F32,
    data: new Uint8Array(dims.reduce((a, b) => a * b, 1) * 4)
  }));
  const arch = meta.arch ?? "llama";
  writeGGUF(
    path,
    [
      kv.str("general.architecture", arch),
      kv.str("general.name", "test"),
      kv.u32("general.file_type", meta.fileType ?? 15),
      kv.u32("general.quantization_version", 2),
      kv.u32(`${arch}.context_length`, meta.ctx ?? 8192),
      kv.u32(`${arch}.block_count`, 2)
    ],
    tensors
  );
  return shapes.reduce((n, dims) => n + dims.reduce((a, b) => a * b, 1), 0);
}

describe("model identity", () => {
  it("reads GGUF metadata with @huggingface/gguf and hashes the first 16 MiB", async () => {
    const dir = tempDir("benchbook-gguf-");
    const path = join(dir, "Test-7B-Q4_K_M.gguf");
    const params = gguf(path, [[64, 4], [64], [32, 3]]);
    const identity = await modelIdentity(path);
    const bytes = readFileSync(path);
    assert.equal(identity.exists, true);
    assert.equal(identity.size_bytes, bytes.length);
    assert.equal(
      identity.head_sha256,
      createHash("sha256").update(bytes).digest("hex"),
      "a file under 16 MiB is hashed whole"
    );
    assert.equal(identity.head_bytes, bytes.length);
    assert.equal(identity.sha256, undefined, "the full hash only on request");
    assert.deepEqual(identity.gguf, {
      version: 3,
      architecture: "llama",
      name: "test",
      parameter_count: params,
      file_type: 15,
      file_type_name: "Q4_K_M",
      quantization_version: 2,
      context_length: 8192,
      block_count: 2,
      embedding_length: null,
      tensor_count: 3
    });
    assert.equal(
      (await modelIdentity(path, {fullHash: true})).sha256,
      createHash("sha256").update(bytes).digest("hex")
    );
  });

  it("sums the parameters of a split GGUF's shards and lists them", async () => {
    const dir = tempDir("benchbook-gguf-");
    const first = join(dir, "Big-UD-IQ4_XS-00001-of-00002.gguf");
    const params = gguf(first, [[64, 8]]) + gguf(join(dir, "Big-UD-IQ4_XS-00002-of-00002.gguf"), [[16, 16], [16]]);
    const identity = await modelIdentity(first);
    assert.equal(identity.gguf?.parameter_count, params);
    assert.equal(identity.gguf?.tensor_count, 3);
    assert.deepEqual(
      identity.shards?.map((s) => s.file),
      ["Big-UD-IQ4_XS-00001-of-00002.gguf", "Big-UD-IQ4_XS-00002-of-00002.gguf"]
    );
  });

  it("hashes only the head of a big file, and says so", async () => {
    const path = join(tempDir("benchbook-big-"), "weights.bin");
    const bytes = randomBytes(HEAD_HASH_BYTES + 12345);
    writeFileSync(path, bytes);
    const identity = await modelIdentity(path);
    assert.equal(identity.head_bytes, HEAD_HASH_BYTES);
    assert.equal(identity.head_sha256, createHash("sha256").update(bytes.subarray(0, HEAD_HASH_BYTES)).digest("hex"));
    assert.equal(identity.size_bytes, HEAD_HASH_BYTES + 12345);
    assert.equal(identity.gguf, undefined);
  });

  it("a model that is not a local file (a Hugging Face id) is recorded as such", async () => {
    assert.deepEqual(await modelIdentity("Qwen/Qwen3.5-4B"), {path: "Qwen/Qwen3.5-4B", exists: false});
  });
});
