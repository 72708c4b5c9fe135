/**
 * A tiny random-weight llama GGUF that real llama.cpp tools load and run fast on CPU, deterministic per arguments:
 *   npx tsx scripts/llama/make-tiny-gguf.ts --vocab <vocab.gguf> --out <file.gguf> [--ctx 4096] [--type f16|f32] …
 */
import {parseArgs} from "node:util";
import {statSync} from "node:fs";
import {
  GGMLType,
  GGUFValueType,
  encodeFloats,
  kv,
  readGGUFMetadata,
  writeGGUF,
  type GGUFKV,
  type GGUFTensor
} from "./gguf-writer.js";

export interface TinyModelOptions {
  vocabPath: string;
  ctx: number;
  embd: number;
  layers: number;
  heads: number;
  headsKv: number;
  ff: number;
  type: GGMLType;
  seed: number;
  name: string;
}

/** mulberry32: small, fast, deterministic 32-bit PRNG. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function buildTinyModel(opts: TinyModelOptions): {kvs: GGUFKV[]; tensors: GGUFTensor[]; nVocab: number} {
  if (opts.embd % opts.heads !== 0) throw new Error("--embd must be divisible by --heads");
  if (opts.heads % opts.headsKv !== 0) throw new Error("--heads must be divisible by --heads-kv");
  const headDim = opts.embd / opts.heads;
  if (headDim % 2 !== 0) throw new Error("head dimension (embd/heads) must be even for RoPE");

  const vocab = readGGUFMetadata(opts.vocabPath);
  const tokenizerKvs = vocab.kvs.filter((e) => e.key.startsWith("tokenizer."));
  const tokens = tokenizerKvs.find((e) => e.key === "tokenizer.ggml.tokens");
  if (tokens === undefined || tokens.value.type !== GGUFValueType.ARRAY) {
    throw new Error(`${opts.vocabPath}: no tokenizer.ggml.tokens array`);
  }
  const nVocab = tokens.value.value.length;

  const arch = "llama";
  const kvs: GGUFKV[] = [
    kv.str("general.architecture", arch),
    kv.str("general.name", opts.name),
    kv.u32("general.file_type", opts.type === GGMLType.F16 ? 1 : 0), // LLAMA_FTYPE_MOSTLY_F16 / ALL_F32
    kv.u32("general.quantization_version", 2),
    kv.u32(`${arch}.vocab_size`, nVocab),
    kv.u32(`${arch}.context_length`, opts.ctx),
    kv.u32(`${arch}.embedding_length`, opts.embd),
    kv.u32(`${arch}.block_count`, opts.layers),
    kv.u32(`${arch}.feed_forward_length`, opts.ff),
    kv.u32(`${arch}.attention.head_count`, opts.heads),
    kv.u32(`${arch}.attention.head_count_kv`, opts.headsKv),
    kv.u32(`${arch}.rope.dimension_count`, headDim),
    kv.f32(`${arch}.rope.freq_base`, 10000),
    kv.f32(`${arch}.attention.layer_norm_rms_epsilon`, 1e-5),
    ...tokenizerKvs
  ];

  const rand = mulberry32(opts.seed);
  const tensors: GGUFTensor[] = [];

  // dims are in ggml order: [row length (input features), rows (output features)]
  const weight = (name: string, dims: number[]): void => {
    const n = dims.reduce((a, b) => a * b, 1);
    const scale = 1 / Math.sqrt(dims[0] ?? 1);
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = (rand() * 2 - 1) * scale;
    tensors.push({name, dims, type: opts.type, data: encodeFloats(values, opts.type)});
  };
  const norm = (name: string, n: number): void => {
    const values = new Float32Array(n).fill(1);
    tensors.push({name, dims: [n], type: GGMLType.F32, data: encodeFloats(values, GGMLType.F32)});
  };

  const kvDim = headDim * opts.headsKv;
  // output.weight is omitted: llama.cpp ties the output projection to token_embd.
  weight("token_embd.weight", [opts.embd, nVocab]);
  for (let i = 0; i < opts.layers; i++) {
    norm(`blk.${i}.attn_norm.weight`, opts.embd);
    weight(`blk.${i}.attn_q.weight`, [opts.embd, opts.embd]);
    weight(`blk.${i}.attn_k.weight`, [opts.embd, kvDim]);
    weight(`blk.${i}.attn_v.weight`, [opts.embd, kvDim]);
    weight(`blk.${i}.attn_output.weight`, [opts.embd, opts.embd]);
    norm(`blk.${i}.ffn_norm.weight`, opts.embd);
    weight(`blk.${i}.ffn_gate.weight`, [opts.embd, opts.ff]);
    weight(`blk.${i}.ffn_up.weight`, [opts.embd, opts.ff]);
    weight(`blk.${i}.ffn_down.weight`, [opts.ff, opts.embd]);
  }
  norm("output_norm.weight", opts.embd);

  return {kvs, tensors, nVocab};
}

function intArg(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got ${raw}`);
  return n;
}

function main(): void {
  const {values} = parseArgs({
    options: {
      vocab: {type: "string"},
      out: {type: "string"},
      ctx: {type: "string"},
      embd: {type: "string"},
      layers: {type: "string"},
      heads: {type: "string"},
      "heads-kv": {type: "string"},
      ff: {type: "string"},
      type: {type: "string"},
      seed: {type: "string"},
      name: {type: "string"},
      help: {type: "boolean", short: "h"}
    },
    strict: true
  });

  if (values.help === true || values.vocab === undefined || values.out === undefined) {
    process.stderr.write(
      "usage: npx tsx scripts/llama/make-tiny-gguf.ts --vocab <vocab.gguf> --out <file.gguf> [--ctx 4096]\n" +
        "       [--embd 64] [--layers 2] [--heads 4] [--heads-kv 2] [--ff 128] [--type f16|f32] [--seed 42] [--name NAME]\n"
    );
    process.exit(values.help === true ? 0 : 2);
  }

  const typeName = (values.type ?? "f16").toLowerCase();
  if (typeName !== "f16" && typeName !== "f32") throw new Error(`--type must be f16 or f32, got ${typeName}`);

  const opts: TinyModelOptions = {
    vocabPath: values.vocab,
    ctx: intArg("ctx", values.ctx, 4096),
    embd: intArg("embd", values.embd, 64),
    layers: intArg("layers", values.layers, 2),
    heads: intArg("heads", values.heads, 4),
    headsKv: intArg("heads-kv", values["heads-kv"], 2),
    ff: intArg("ff", values.ff, 128),
    type: typeName === "f16" ? GGMLType.F16 : GGMLType.F32,
    seed: values.seed === undefined ? 42 : Number(values.seed),
    name: values.name ?? "benchbook-tiny"
  };

  const {kvs, tensors, nVocab} = buildTinyModel(opts);
  writeGGUF(values.out, kvs, tensors);
  const size = statSync(values.out).size;
  process.stderr.write(
    `wrote ${values.out}: ${size} bytes, n_vocab=${nVocab} n_ctx=${opts.ctx} n_embd=${opts.embd} ` +
      `n_layer=${opts.layers} n_head=${opts.heads}/${opts.headsKv} n_ff=${opts.ff} type=${typeName}\n`
  );
}

main();
