/**
 * What one token costs a model: bytes read per generated token, FLOPs per prompt token, from facts the run
 * states; a figure needing an unknown input is null (docs/efficiency.md).
 */
import type {Model, Run, Settings} from "../schema/schema.js";

const SIZE_UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40
};
const COUNT_UNITS: Record<string, number> = {K: 1e3, M: 1e6, B: 1e9, T: 1e12};

/** Bytes per element of a KV cache type (ggml block sizes: q8_0 stores 32 values in 34 bytes). */
const CACHE_BYTES: Record<string, number> = {
  f32: 4,
  f16: 2,
  bf16: 2,
  q8_0: 34 / 32,
  q5_1: 24 / 32,
  q5_0: 22 / 32,
  q4_1: 20 / 32,
  q4_0: 18 / 32,
  iq4_nl: 18 / 32
};

/** The model file's size in bytes: exact when printed as an integer, else the displayed size in its unit. */
function modelBytes(model: Model): number | null {
  if (model.size_bytes !== null) return model.size_bytes;
  if (model.size_value === null || model.size_unit === null) return null;
  const unit = SIZE_UNITS[model.size_unit];
  return unit === undefined ? null : model.size_value * unit;
}

/** The parameter count: exact when printed as an integer, else the displayed count in its unit (`8.95 B`). */
function modelParams(model: Model): number | null {
  if (model.n_params !== null) return model.n_params;
  if (model.params_value === null || model.params_unit === null) return null;
  const unit = COUNT_UNITS[model.params_unit];
  return unit === undefined ? null : model.params_value * unit;
}

/** Load-log facts (`n_layer = 40`) as numbers; a fact not printed, or not a number, is null. */
function metadataOf(run: Run): (key: string) => number | null {
  const meta = (run.extra.model_metadata ?? {}) as Record<string, unknown>;
  return (key) => {
    const v = meta[key];
    if (v === undefined || v === null || v === "") return null;
    const n = typeof v === "number" ? v : Number(String(v).trim());
    return Number.isFinite(n) ? n : null;
  };
}

/** `35B.A3B` (llama.cpp's model type), `Qwen3.5-122B-A10B` (file names): the active parameter count a MoE label states, or null. */
function activeLabel(model: Model): number | null {
  for (const text of [model.name, model.file]) {
    const m = text ? /(?:^|[^A-Za-z0-9])(\d+(?:\.\d+)?)B[.\-_]A(\d+(?:\.\d+)?)B(?![A-Za-z0-9])/i.exec(text) : null;
    if (m) return Number(m[2]) * 1e9;
  }
  return null;
}

export interface ModelCost {
  /** Weight bytes read per generated token (the active share for MoE). */
  weightBytes: number | null;
  /** Parameters used per token (active ones for MoE). */
  activeParams: number | null;
  /** KV cache bytes per token of context (K and V, every attention layer), or null when the cache's shape is not stated. */
  kvBytesPerContextToken: number | null;
  /** Attention FLOPs per token of context (QKᵀ and AV), or null. */
  attentionFlopsPerContextToken: number | null;
  /** How the MoE active share was found, when the model is a MoE: `experts` (load-log expert counts) or `label` (`35B.A3B`). */
  moe: "experts" | "label" | null;
}

/**
 * The cost of a token of `model` (the run's, with a result's overrides) in
 * `run`: the model facts its load log printed and its cache type.
 */
export function modelCost(run: Run, model: Model, settings: Settings): ModelCost {
  const meta = metadataOf(run);
  const bytes = modelBytes(model);
  const params = modelParams(model);
  const layers = meta("n_layer");
  const embd = meta("n_embd");
  const heads = meta("n_head");
  const headsKv = meta("n_head_kv") ?? heads;
  const headK = meta("n_embd_head_k") ?? (embd !== null && heads ? embd / heads : null);
  const headV = meta("n_embd_head_v") ?? headK;
  // Hybrid models (qwen35: one attention layer in every 4) keep a KV cache in their attention layers only.
  const interval = meta("full_attention_interval");
  const attentionLayers = layers === null ? null : interval ? Math.floor(layers / interval) : layers;

  // MoE: the share of the weights one token reads (1 for a dense model, null for a MoE whose active share nothing states).
  let activeParams = params;
  let moe: ModelCost["moe"] = null;
  let share: number | null = 1;
  const experts = meta("n_expert");
  const used = meta("n_expert_used");
  const expertFf = meta("n_ff_exp") ?? meta("expert_feed_forward_length");
  const label = activeLabel(model);
  if (
    experts &&
    experts > 1 &&
    used !== null &&
    expertFf !== null &&
    embd !== null &&
    layers !== null &&
    params !== null
  ) {
    // Expert FFNs hold layers × experts × 3 (gate, up, down) × embd × ff parameters; a token uses `used` of them.
    const expertParams = layers * experts * 3 * embd * expertFf;
    activeParams = params - expertParams * (1 - used / experts);
    moe = "experts";
  } else if (label !== null && params !== null && label < params) {
    activeParams = label;
    moe = "label";
  } else if (
    (experts && experts > 1) ||
    /moe/i.test(model.architecture ?? "") ||
    /\b\d+x\d+(?:\.\d+)?B\b/i.test(model.name ?? "")
  ) {
    // A MoE (by its expert count, architecture or `8x7B` label) whose active share nothing states.
    activeParams = null;
  }
  if (moe) share = activeParams! / params!;
  else if (activeParams === null) share = null;
  const weightBytes = bytes === null || share === null ? null : bytes * share;

  // Cache type: llama.cpp's default is f16 (llama-bench omits it from markdown when default).
  const llama = run.runtime === "llama.cpp";
  const typeK = String(settings.type_k ?? settings["cache-type-k"] ?? (llama ? "f16" : ""));
  const typeV = String(settings.type_v ?? settings["cache-type-v"] ?? (llama ? "f16" : ""));
  const bk = CACHE_BYTES[typeK.toLowerCase()];
  const bv = CACHE_BYTES[typeV.toLowerCase()];
  const swa = meta("n_swa");
  const shapeKnown =
    attentionLayers !== null && headsKv !== null && headK !== null && headV !== null && !(swa && swa > 0);
  const kvBytesPerContextToken =
    shapeKnown && bk !== undefined && bv !== undefined
      ? attentionLayers! * headsKv! * (headK! * bk + headV! * bv)
      : null;
  const attentionFlopsPerContextToken =
    attentionLayers !== null && heads !== null && headK !== null && headV !== null && !(swa && swa > 0)
      ? 2 * attentionLayers * heads * (headK + headV)
      : null;
  return {weightBytes, activeParams, kvBytesPerContextToken, attentionFlopsPerContextToken, moe};
}

/**
 * Bytes read per generated token of a tg test at depth `depth` generating
 * `gen` tokens: the weights plus the cache of the average context,
 * depth + (gen − 1)/2. At depth 0 a cache of unknown shape is left out
 * (at most `gen` tokens of it: a lower bound); deeper it makes the figure unknown.
 */
export function bytesPerToken(cost: ModelCost, depth: number | null, gen: number | null): number | null {
  if (cost.weightBytes === null) return null;
  const context = (depth ?? 0) + Math.max(0, (gen ?? 1) - 1) / 2;
  if (cost.kvBytesPerContextToken === null) return depth ? null : cost.weightBytes;
  return cost.weightBytes + cost.kvBytesPerContextToken * context;
}

/**
 * FLOPs per prompt token of a pp test of `prompt` tokens at depth `depth`:
 * 2 × active parameters plus attention over the average context,
 * depth + (prompt + 1)/2 (causal). Same rule as bytesPerToken for an unknown shape.
 */
export function flopsPerToken(cost: ModelCost, depth: number | null, prompt: number | null): number | null {
  if (cost.activeParams === null) return null;
  const context = (depth ?? 0) + ((prompt ?? 1) + 1) / 2;
  if (cost.attentionFlopsPerContextToken === null) return depth ? null : 2 * cost.activeParams;
  return 2 * cost.activeParams + cost.attentionFlopsPerContextToken * context;
}
