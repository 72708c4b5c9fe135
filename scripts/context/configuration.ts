/**
 * Configuration a writeup states before its outputs (`| KV cache dtype | torch.bfloat16 |`, `key: value`),
 * handed to the runs below where their own output does not say it (logs often don't). Only a fixed
 * vocabulary of labels with value checks is read, so prose is not taken; a section heading ends them.
 */
import type {Scalar, Settings} from "../schema/schema.js";
import {runtimeById} from "./runtimes.js";

/** How a label's value must look for the row to count. */
type ValueKind = "dtype" | "length" | "integer" | "number" | "text";

interface Label {
  /** The canonical setting (snake_case, as the hand-entered format and the site's components name it). */
  key: string;
  /** Spellings of the label, matched case-insensitively with any run of spaces; longest first within one key. */
  labels: string[];
  value: ValueKind;
  /** Setting names (commands, logs, tool fields) that state the same thing, compared without dashes and case. */
  same: string[];
}

/**
 * The vocabulary. English labels are the ones seed 003 writes in its Japanese
 * post (`KV cache dtype`, `Context length`, `Speculative steps`…); the
 * Japanese, Chinese and Korean variants are the plain translations a writer
 * uses for the same rows. `runtime` is not a setting: it says which runs the
 * table describes.
 */
const VOCABULARY: Label[] = [
  {
    key: "kv_cache_dtype",
    value: "dtype",
    labels: [
      "KV cache dtype",
      "KV cache data type",
      "KV cache type",
      "KV cache precision",
      "KV cache",
      "KV dtype",
      "KVキャッシュ型",
      "KV キャッシュ",
      "KVキャッシュ",
      "KV缓存类型",
      "KV 缓存",
      "KV缓存",
      "KV 캐시 타입",
      "KV 캐시",
      "KV캐시"
    ],
    same: ["kv_cache_dtype", "cache_type_k", "type_k", "ctk"]
  },
  {
    key: "context_length",
    value: "length",
    labels: [
      "Context length",
      "Context size",
      "Context window",
      "Max model len",
      "max_model_len",
      "Context",
      "コンテキスト長",
      "コンテキスト",
      "上下文长度",
      "上下文",
      "컨텍스트 길이",
      "컨텍스트"
    ],
    same: ["context_length", "max_model_len", "ctx_size", "c", "n_ctx"]
  },
  {
    key: "tensor_parallel_size",
    value: "integer",
    labels: [
      "Tensor parallel size",
      "Tensor parallelism",
      "Tensor parallel",
      "TP size",
      "TP",
      "テンソル並列",
      "张量并行",
      "텐서 병렬"
    ],
    same: ["tensor_parallel_size", "tp", "tp_size"]
  },
  {
    key: "pipeline_parallel_size",
    value: "integer",
    labels: ["Pipeline parallel size", "Pipeline parallelism", "Pipeline parallel"],
    same: ["pipeline_parallel_size", "pp_size"]
  },
  {
    key: "quantization",
    value: "text",
    labels: ["Weight quantization", "Quantization", "Weights", "量子化", "量化", "양자화"],
    same: ["quantization"]
  },
  {
    key: "speculative_decoding",
    value: "text",
    labels: ["Speculative decoding", "投機デコード", "投机解码", "추측 디코딩"],
    same: ["speculative_decoding"]
  },
  {key: "speculative_algorithm", value: "text", labels: ["Speculative algorithm"], same: ["speculative_algorithm"]},
  {
    key: "speculative_num_steps",
    value: "integer",
    labels: ["Speculative num steps", "Speculative steps"],
    same: ["speculative_num_steps"]
  },
  {
    key: "speculative_num_draft_tokens",
    value: "integer",
    labels: ["Speculative draft tokens", "Draft tokens"],
    same: ["speculative_num_draft_tokens"]
  },
  {
    key: "num_speculative_tokens",
    value: "integer",
    labels: ["Num speculative tokens", "Speculative tokens"],
    same: ["num_speculative_tokens"]
  },
  {
    key: "draft_model",
    value: "text",
    labels: ["Draft model", "ドラフトモデル", "草稿模型", "드래프트 모델"],
    same: ["draft_model", "speculative_draft_model_path", "model_draft", "md"]
  },
  {key: "attention_backend", value: "text", labels: ["Attention backend"], same: ["attention_backend"]},
  {key: "sampling_backend", value: "text", labels: ["Sampling backend"], same: ["sampling_backend"]},
  {key: "compile_backend", value: "text", labels: ["Compile backend"], same: ["compile_backend"]},
  {
    key: "gpu_memory_utilization",
    value: "number",
    labels: ["GPU memory utilization"],
    same: ["gpu_memory_utilization"]
  },
  {key: "mem_fraction_static", value: "number", labels: ["Mem fraction static"], same: ["mem_fraction_static"]},
  {key: "max_num_seqs", value: "integer", labels: ["Max num seqs"], same: ["max_num_seqs"]},
  {
    key: "runtime",
    value: "text",
    labels: ["Inference engine", "Runtime", "Engine", "ランタイム", "推理引擎", "런타임"],
    same: []
  }
];

/** Every label with its entry, longest first, so `KV cache dtype` wins over `KV cache`. */
const LABELS = VOCABULARY.flatMap((entry) => entry.labels.map((label) => ({label, entry}))).sort(
  (a, b) => b.label.length - a.label.length
);

const labelPattern = (label: string) => label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\s+/g, "\\s*");
const LABEL_RES = LABELS.map(({label, entry}) => ({label, entry, re: new RegExp(`^${labelPattern(label)}`, "i")}));

const DTYPE =
  /^(?:torch\.)?(?:auto|fp8(?:_e4m3(?:fn)?|_e5m2|_ds_mla|_inc)?|float8_e4m3fn(?:uz)?|float8_e5m2(?:fnuz)?|bf16|bfloat16|f16|fp16|float16|half|f32|fp32|float32|float|q4_0|q4_1|q5_0|q5_1|q8_0|iq4_nl|fp4|nvfp4|mxfp4|int8|int4)(?:\s*\([^()]{1,30}\))?$/i;
const LENGTH = /^\d[\d,]*(?:\.\d+)?\s*[KkMm]?(?:\s*(?:tokens?|tok))?$/;
const INTEGER = /^\d+$/;
const NUMBER = /^\d+(?:\.\d+)?$/;
/** `speculative_num_steps=5`: a value written as its option; the part after `=` is the value. */
const ASSIGNED = /^[A-Za-z][\w.-]*\s*=\s*(\S+)$/;
/** A Japanese particle or a sentence mark right after a label: prose that starts with the label word (`KV cacheは876K…`). */
const PROSE_START = /^[はがのをにでともへや、。,.]/;

export interface ConfigurationRow {
  /** Canonical setting, or `runtime`. */
  key: string;
  /** The label as written. */
  label: string;
  /** The value as written (a plain integer or decimal becomes a number; `name=5` gives 5). */
  value: Scalar;
  /** The value cell as written. */
  text: string;
}

function checkedValue(kind: ValueKind, written: string): Scalar | undefined {
  const assigned = ASSIGNED.exec(written);
  const bare = kind === "text" ? written : (assigned?.[1] ?? written);
  switch (kind) {
    case "dtype":
      return DTYPE.test(bare) ? bare : undefined;
    case "length":
      return LENGTH.test(bare) ? (INTEGER.test(bare) ? Number(bare) : bare) : undefined;
    case "integer":
      return INTEGER.test(bare) ? Number(bare) : undefined;
    case "number":
      return NUMBER.test(bare) ? Number(bare) : undefined;
    case "text":
      return bare.length <= 80 && !/[。！？]/.test(bare) && !/[.!?]\s/.test(bare) ? bare : undefined;
  }
}

const unmark = (text: string) =>
  text
    .trim()
    .replace(/^(\*\*|__|`)(.*)\1$/, "$2")
    .trim();

/** One line as a configuration row; null when it is not one. */
export function parseConfigurationRow(text: string): ConfigurationRow | null {
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > 120) return null;
  let label: string;
  let rest: string;
  let glued = false;
  if (trimmed.startsWith("|")) {
    // A two-cell table row: `| KV cache dtype | fp8 |`.
    const cells = trimmed
      .replace(/^\|/, "")
      .replace(/\|\s*$/, "")
      .split("|");
    if (cells.length !== 2) return null;
    label = unmark(cells[0]);
    rest = unmark(cells[1]);
    const match = LABEL_RES.find((l) => new RegExp(`^${labelPattern(l.label)}$`, "i").test(label));
    return match ? row(match.entry, label, rest) : null;
  }
  const line = trimmed.replace(/^\*\*([^*]+)\*\*/, "$1");
  const match = LABEL_RES.find((l) => l.re.test(line));
  if (!match) return null;
  const written = match.re.exec(line)![0];
  label = written;
  const after = line.slice(written.length);
  const separated = /^\s*(?:[:：=]|\t|\s{2,})\s*/.exec(after);
  if (separated) rest = after.slice(separated[0].length);
  else {
    // Glued cells: the value starts right after the label, with no space (`Context length262,144`).
    if (/^\s/.test(after) || after === "") return null;
    glued = true;
    rest = after;
  }
  rest = unmark(rest);
  if (rest === "" || PROSE_START.test(rest)) return null;
  // `Runtimes are…`: a label word that goes on is prose, not a glued cell.
  if (glued && /^[a-z]{1,3}(?:\s|$)/.test(rest)) return null;
  return row(match.entry, label, rest);
}

function row(entry: Label, label: string, written: string): ConfigurationRow | null {
  const value = checkedValue(entry.value, written);
  return value === undefined ? null : {key: entry.key, label, value, text: written};
}

/**
 * A heading that starts a new section, ending the configuration stated in
 * the one before: a Markdown heading of level 2 or more (`## B. FP8 KV`;
 * a single `#` is also a shell comment), or a lettered section title whose
 * Markdown a website dropped (`C. SGLang gemma4-mtp: FP8 block weights + BF16 KV`).
 */
export function sectionHeading(text: string): string | null {
  const t = text.trim();
  if (/^#{2,6}\s+\S/.test(t)) return t.replace(/^#+\s*/, "");
  if (t.length <= 100 && /^[A-Z][.)]\s+\S/.test(t) && !/[.。!?]$/.test(t)) return t;
  return null;
}

/** Settings a writeup states in configuration rows, with their lines; `runtime` names the runs they describe. */
export interface StatedConfiguration {
  settings: Settings;
  /** 1-based physical line of each setting (and of `runtime`). */
  lines: Record<string, number>;
  /** The runtime the rows name, as written (`SGLang gemma4-mtp`), if they do. */
  runtime: string | null;
}

export function emptyConfiguration(): StatedConfiguration {
  return {settings: {}, lines: {}, runtime: null};
}

/** A later row for the same setting replaces the earlier one. */
export function addConfigurationRow(
  stated: StatedConfiguration,
  row: ConfigurationRow,
  line: number
): StatedConfiguration {
  if (row.key === "runtime") return {...stated, runtime: String(row.value), lines: {...stated.lines, runtime: line}};
  return {...stated, settings: {...stated.settings, [row.key]: row.value}, lines: {...stated.lines, [row.key]: line}};
}

/** Formats whose runs describe a server: its logs and the HTTP benchmarks that measured it. */
const SERVER_FORMATS = new Set([
  "vllm-log",
  "vllm-log-summary",
  "sglang-log",
  "llama-server-log",
  "llama-server-timings-json",
  "llama-benchy-md",
  "llama-benchy-json",
  "llama-benchy-csv",
  "vllm-serve-text",
  "vllm-serve-json",
  "sglang-bench-serving-text",
  "sglang-bench-serving-jsonl",
  "sglang-bench-one-batch-text",
  "sglang-bench-one-batch-jsonl",
  "benchbook-endpoint-json"
]);

/** How a stated runtime (`vLLM 0.21.0`, `SGLang gemma4-mtp`) is recognized for a run's runtime id. */

const comparable = (key: string) => key.replace(/^-+/, "").replace(/-/g, "_").toLowerCase();
/** `262,144` and 262144, `FP8` and `fp8` say the same. */
const sameValue = (a: Scalar, b: Scalar) =>
  String(a)
    .replace(/(\d),(?=\d{3}\b)/g, "$1")
    .toLowerCase() ===
  String(b)
    .replace(/(\d),(?=\d{3}\b)/g, "$1")
    .toLowerCase();

export interface RunSettingsTarget {
  format: string;
  runtime: string | null;
  settings: Settings;
  notes: string[];
  extra: Record<string, unknown>;
  results: {settings?: Settings}[];
}

/**
 * Give a server, log or serving run the stated settings its own output and
 * command leave out. What the run states wins (a different value is noted);
 * a table that names another runtime is not applied. The keys filled are
 * listed in `extra.settings_from_context`, their lines in
 * `extra.settings_context_lines`.
 */
export function inheritStatedSettings(run: RunSettingsTarget, stated: StatedConfiguration): void {
  if (!SERVER_FORMATS.has(run.format)) return;
  const keys = Object.keys(stated.settings);
  if (keys.length === 0) return;
  const where = lineList(keys.map((k) => stated.lines[k]));
  const names = runtimeById(run.runtime)?.names;
  if (stated.runtime && names && !names.test(stated.runtime)) {
    run.notes.push(
      `the configuration stated at line${where.includes(",") || where.includes("-") ? "s" : ""} ${where} is for runtime "${stated.runtime}", not ${run.runtime}: its settings were not applied`
    );
    return;
  }
  const present = new Map<string, [string, Scalar]>();
  for (const settings of [run.settings, ...run.results.map((r) => r.settings ?? {})]) {
    for (const [key, value] of Object.entries(settings))
      if (!present.has(comparable(key))) present.set(comparable(key), [key, value]);
  }
  const filled: string[] = [];
  const lines: Record<string, number> = {};
  for (const key of keys) {
    const entry = VOCABULARY.find((v) => v.key === key)!;
    const existing = [key, ...entry.same].map((k) => present.get(comparable(k))).find((p) => p !== undefined);
    if (existing) {
      if (!sameValue(existing[1], stated.settings[key]))
        run.notes.push(
          `${key}: the text states ${JSON.stringify(stated.settings[key])} (line ${stated.lines[key]}), the run says ${existing[0]} = ${JSON.stringify(existing[1])}; the run's is kept`
        );
      continue;
    }
    run.settings[key] = stated.settings[key];
    filled.push(key);
    lines[key] = stated.lines[key];
  }
  if (filled.length === 0) return;
  run.extra.settings_from_context = filled;
  run.extra.settings_context_lines = lines;
  run.notes.push(
    `settings ${filled.join(", ")} from the configuration the text states at line${filled.length > 1 ? "s" : ""} ${lineList(filled.map((k) => lines[k]))} (the output does not print them)`
  );
}

/** `168, 170-172` from line numbers. */
function lineList(lines: number[]): string {
  const sorted = [...new Set(lines)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : `${sorted[i]}`);
    i = j;
  }
  return parts.join(", ");
}
