/**
 * A synthetic llama-bench store for benchmarks: JSONL files shaped exactly
 * like llama-bench's `-o jsonl` records (field list of a current build).
 * Each file is one llama-bench invocation sweeping a grid, as
 * `llama-bench -ub … -p … -n … -d …` prints it: the settings outermost
 * (n_ubatch), then the tests (pp sizes, then tg sizes), each at every depth —
 * so every record is a distinct test configuration, as in real output.
 * Files cycle through four models on one machine (an RTX 4090 box).
 * Values vary deterministically (seeded).
 *
 * With 1000 records per file: 10 n_ubatch values × (5 prompt sizes + 5
 * generation sizes) × 10 depths.
 */
import {mkdirSync, writeFileSync} from "node:fs";
import {join} from "node:path";

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MODELS = [
  ["qwen35 9B Q8_0", "Qwen3.5-9B-Q8_0.gguf", 9513418752, 8953803264],
  ["qwen35moe 35B.A3B Q4_K - Medium", "Qwen3.5-35B-A3B-UD-Q4_K_XL.gguf", 22226444288, 34660610688],
  ["deepseek2 30B.A3B Q2_K - Medium", "GLM-4.7-Flash-UD-Q2_K_XL.gguf", 11875090432, 29943390976],
  ["llama 8B Q4_K - Medium", "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf", 4920734720, 8030261248]
] as const;

const DEPTHS = [0, 512, 1024, 2048, 4096, 8192, 16384, 32768, 49152, 65536];
const SIZES = 5;
const PROMPTS = [128, 256, 512, 1024, 2048];
const GENS = [16, 32, 64, 128, 256];
const UBATCHES = [64, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048];

export interface SyntheticStore {
  dir: string;
  files: string[];
  records: number;
  bytes: number;
}

/** Write `files` JSONL files of `perFile` records each into dir. */
export function writeSyntheticJsonl(dir: string, files: number, perFile: number, seed = 42): SyntheticStore {
  mkdirSync(dir, {recursive: true});
  const random = prng(seed);
  const paths: string[] = [];
  let bytes = 0;
  for (let f = 0; f < files; f++) {
    const [type, file, size, params] = MODELS[f % MODELS.length];
    const lines: string[] = [];
    for (let i = 0; i < perFile; i++) {
      // The grid, innermost first: depth, test size, kind (pp then tg), n_ubatch; it wraps for other perFile values.
      const depth = DEPTHS[i % DEPTHS.length];
      const sizeIndex = Math.floor(i / DEPTHS.length) % SIZES;
      const isTg = Math.floor(i / (DEPTHS.length * SIZES)) % 2 === 1;
      const ubatch = UBATCHES[Math.floor(i / (DEPTHS.length * SIZES * 2)) % UBATCHES.length];
      const avg = (isTg ? 40 + random() * 100 : 1000 + random() * 8000) / (1 + depth / 65536);
      const samples = [0, 1, 2, 3, 4].map(() => Number((avg * (0.98 + random() * 0.04)).toPrecision(6)));
      const n_prompt = isTg ? 0 : PROMPTS[sizeIndex];
      const n_gen = isTg ? GENS[sizeIndex] : 0;
      const ns = samples.map((t) => Math.round((1e9 * (isTg ? n_gen : n_prompt)) / t));
      const record = {
        build_commit: "054d8b0f2",
        build_number: 8396,
        cpu_info: "AMD Ryzen 9 7950X 16-Core Processor",
        gpu_info: "NVIDIA GeForce RTX 4090",
        backends: "CUDA",
        model_filename: `models/${file}`,
        model_type: type,
        model_size: size,
        model_n_params: params,
        n_batch: 2048,
        n_ubatch: ubatch,
        n_threads: 16,
        cpu_mask: "0x0",
        cpu_strict: false,
        poll: 50,
        type_k: "f16",
        type_v: "f16",
        n_gpu_layers: 99,
        n_cpu_moe: 0,
        split_mode: "layer",
        main_gpu: 0,
        no_kv_offload: false,
        flash_attn: 1,
        devices: "auto",
        tensor_split: "0.00",
        tensor_buft_overrides: "none",
        use_mmap: true,
        embeddings: false,
        no_op_offload: 0,
        no_host: false,
        n_prompt,
        n_gen,
        n_depth: depth,
        test_time: new Date(Date.UTC(2026, 0, 1, 0, 0, f * perFile + i)).toISOString().replace(/\.\d{3}Z$/, "Z"),
        avg_ns: Math.round(ns.reduce((a, b) => a + b) / 5),
        stddev_ns: Math.round(avg * 10),
        avg_ts: Number(avg.toFixed(6)),
        stddev_ts: Number((avg * 0.01).toFixed(6)),
        samples_ns: ns,
        samples_ts: samples
      };
      lines.push(JSON.stringify(record));
    }
    const text = lines.join("\n") + "\n";
    const path = join(dir, `bench-${String(f).padStart(5, "0")}.jsonl`);
    writeFileSync(path, text);
    bytes += Buffer.byteLength(text);
    paths.push(path);
  }
  return {dir, files: paths, records: files * perFile, bytes};
}
