/**
 * llama.cpp's model load lines (`print_info: file size = 20.49 GiB (5.08 BPW)`, formerly `llm_load_print_meta`),
 * also as writeups quote them (prefix trimmed, labels reworded). Metadata, not measurements: handed to the
 * llama.cpp runs below, kept as printed in `extra.model_metadata`.
 */
import type {Model} from "../schema/schema.js";

/** The prefixes llama.cpp puts before these lines. */
const PREFIX =
  /^\s*(?:print_info|llm_load_print_meta|load_print_meta|llama_model_loader|llama_model_load_internal)\s*:\s*/;
/** `key = value`, the key one or a few words (`file size`, `model params`, `n_embd_head_k`), padding around `=`. */
const KEY_VALUE = /^([A-Za-z_][\w.]*(?: [A-Za-z_][\w.]*){0,2})\s*=\s*(\S.*?)\s*$/;

/**
 * Keys llama.cpp's print_info and the model loader print, and the rewordings
 * seed 002 uses (`architecture`, `n_params`). Without a prefix, a block must
 * have three of these, so a formula in a code block (`patch_size = 16`) is not
 * taken for a load log.
 */
const KNOWN = new Set([
  "arch",
  "architecture",
  "file format",
  "file type",
  "file size",
  "model type",
  "model ftype",
  "model params",
  "model size",
  "n_params",
  "general.name",
  "vocab type",
  "n_vocab",
  "n_merges",
  "vocab_only",
  "n_ctx_train",
  "n_embd",
  "n_layer",
  "n_head",
  "n_head_kv",
  "n_rot",
  "n_swa",
  "is_swa_any",
  "n_embd_head_k",
  "n_embd_head_v",
  "n_gqa",
  "n_embd_k_gqa",
  "n_embd_v_gqa",
  "n_ff",
  "n_expert",
  "n_expert_used",
  "n_expert_groups",
  "n_group_used",
  "causal attn",
  "pooling type",
  "rope type",
  "rope scaling",
  "freq_base_train",
  "freq_scale_train",
  "n_ctx_orig_yarn",
  "rope_finetuned",
  "ssm_d_conv",
  "ssm_d_inner",
  "ssm_d_state",
  "ssm_dt_rank",
  "ssm_n_group"
]);

export interface ModelFacts {
  /** Each key as printed → its value as printed. */
  facts: Record<string, string>;
  /** The line ranges they were printed on (`29-31`, `40-93`). */
  lines: string[];
}

interface FactLine {
  key: string;
  value: string;
  prefixed: boolean;
}

function factLine(text: string): FactLine | null {
  const prefixed = PREFIX.test(text);
  const m = KEY_VALUE.exec(text.replace(PREFIX, "").trim());
  if (!m) return null;
  return {key: m[1], value: m[2], prefixed};
}

/**
 * The model facts starting at line `i` of `lines` (up to `limit`): the index
 * of their last line and what they say, or null. A block is consecutive
 * `key = value` lines; with llama.cpp's prefix one line is enough, without it
 * three known keys are needed.
 */
export function readModelFacts(
  lines: readonly {text: string; line: number}[],
  i: number,
  limit: number
): {end: number; facts: ModelFacts} | null {
  const found: FactLine[] = [];
  let end = i - 1;
  for (let j = i; j < limit; j++) {
    const fact = factLine(lines[j].text);
    if (!fact) break;
    found.push(fact);
    end = j;
  }
  if (found.length === 0) return null;
  const known = found.filter((f) => KNOWN.has(f.key.toLowerCase())).length;
  const prefixed = found.every((f) => f.prefixed);
  if (!(prefixed || (known >= 3 && KNOWN.has(found[0].key.toLowerCase())))) return null;
  const [from, to] = [lines[i].line, lines[end].line];
  return {
    end,
    facts: {
      facts: Object.fromEntries(found.map((f) => [f.key, f.value])),
      lines: [from === to ? `${from}` : `${from}-${to}`]
    }
  };
}

/**
 * Facts of one load arrive in pieces (llama.cpp prints the file lines, then
 * tokenizer lines, then the rest): a block that repeats none of the keys
 * held adds to them; one that repeats a key is another load and replaces them.
 */
export function addModelFacts(held: ModelFacts | null, next: ModelFacts): ModelFacts {
  if (!held || Object.keys(next.facts).some((k) => k in held.facts)) return next;
  return {facts: {...held.facts, ...next.facts}, lines: [...held.lines, ...next.lines]};
}

/** `20.49 GiB (5.08 BPW)` → 20.49 and GiB, the number as printed. */
const SIZE = /^(\d+(?:\.\d+)?)\s*([KMGT]i?B)\b/;
/** `34.66 B`, `8.03 B`, `7.24 M` → the number and its unit as printed. */
const PARAMS = /^(\d+(?:\.\d+)?)\s*([KMBT])\b/;

/** What the facts say about the model's fields; only fields they state. */
export function modelFromFacts(facts: Record<string, string>): Partial<Model> {
  const get = (...keys: string[]) => {
    const key = Object.keys(facts).find((k) => keys.includes(k.toLowerCase()));
    return key === undefined ? undefined : facts[key];
  };
  const model: Partial<Model> = {};
  const arch = get("arch", "architecture");
  if (arch) model.architecture = arch;
  const ftype = get("file type", "model ftype");
  if (ftype) model.ftype = ftype;
  const size = SIZE.exec(get("file size", "model size") ?? "");
  if (size) Object.assign(model, {size_value: Number(size[1]), size_unit: size[2]});
  const params = PARAMS.exec(get("model params", "n_params") ?? "");
  if (params) Object.assign(model, {params_value: Number(params[1]), params_unit: params[2]});
  const name = get("general.name");
  if (name) model.name = name;
  return model;
}

interface ModelTarget {
  format: string;
  runtime: string | null;
  model: Model;
  notes: string[];
  extra: Record<string, unknown>;
}

/**
 * Give a llama.cpp server run the model facts its load log printed: model
 * fields it does not state yet, and every line in `extra.model_metadata`.
 * llama-bench prints its own model line (and may load another model), and
 * hand-entered runs state their own: neither is touched.
 */
export function inheritModelFacts(run: ModelTarget, facts: ModelFacts | null): void {
  if (!facts || run.runtime !== "llama.cpp" || run.format.startsWith("llama-bench") || run.format.startsWith("hand-"))
    return;
  const filled: string[] = [];
  for (const [field, value] of Object.entries(modelFromFacts(facts.facts)) as [keyof Model, Model[keyof Model]][]) {
    if (run.model[field] !== null) continue;
    (run.model as unknown as Record<string, unknown>)[field] = value;
    filled.push(field);
  }
  run.extra.model_metadata = facts.facts;
  run.extra.model_metadata_lines = facts.lines.join(", ");
  run.notes.push(
    `model facts from the load log at line${facts.lines.length > 1 || facts.lines[0].includes("-") ? "s" : ""} ${facts.lines.join(", ")}${filled.length ? ` (${filled.join(", ")})` : ""}, as printed`
  );
}
