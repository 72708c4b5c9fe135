/**
 * llama-bench's list options under every name a plan may use, split as llama-bench splits them
 * (`parse_int_range` for integers, `,` otherwise: llama-bench.cpp `parse_cmd_params`).
 */

/** How llama-bench reads an option's value. */
export type ValueKind =
  /** `parse_int_range`: `128,256`, `1-8`, `1-8+2`, `16-512*2`. */
  | "int-range"
  /** `parse_int_range` with a leading minus allowed on the first number (`-ngl -1`). */
  | "int-range-signed"
  /** `string_split(value, ',')`: each item is one value, kept as text. */
  | "list"
  /** `string_split<bool>`: `0`/`1` items. */
  | "bool-list";

export interface LlamaBenchParam {
  /** The JSON/CSV field name llama-bench prints: the canonical name in settings. */
  field: string;
  short: string | null;
  long: string;
  /** Markdown column name, when it differs from the field. */
  column?: string;
  kind: ValueKind;
}

/** Parameters that become cells (one value per cell). */
export const SETTING_PARAMS: readonly LlamaBenchParam[] = [
  {field: "n_batch", short: "-b", long: "--batch-size", kind: "int-range"},
  {field: "n_ubatch", short: "-ub", long: "--ubatch-size", kind: "int-range"},
  {field: "type_k", short: "-ctk", long: "--cache-type-k", kind: "list"},
  {field: "type_v", short: "-ctv", long: "--cache-type-v", kind: "list"},
  {field: "n_threads", short: "-t", long: "--threads", column: "threads", kind: "int-range"},
  {field: "cpu_mask", short: "-C", long: "--cpu-mask", kind: "list"},
  {field: "cpu_strict", short: null, long: "--cpu-strict", kind: "bool-list"},
  {field: "poll", short: null, long: "--poll", kind: "int-range"},
  {field: "n_gpu_layers", short: "-ngl", long: "--n-gpu-layers", column: "ngl", kind: "int-range-signed"},
  {field: "n_cpu_moe", short: "-ncmoe", long: "--n-cpu-moe", kind: "int-range"},
  {field: "split_mode", short: "-sm", long: "--split-mode", column: "sm", kind: "list"},
  {field: "main_gpu", short: "-mg", long: "--main-gpu", column: "mg", kind: "int-range"},
  {field: "no_kv_offload", short: "-nkvo", long: "--no-kv-offload", column: "nkvo", kind: "bool-list"},
  {field: "flash_attn", short: "-fa", long: "--flash-attn", column: "fa", kind: "list"},
  {field: "devices", short: "-dev", long: "--device", column: "dev", kind: "list"},
  {field: "use_mmap", short: "-mmp", long: "--mmap", column: "mmap", kind: "bool-list"},
  {field: "load_mode", short: "-lm", long: "--load-mode", column: "lm", kind: "list"},
  {field: "lazy_mode", short: "-lzm", long: "--lazy-mode", kind: "list"},
  {field: "embeddings", short: "-embd", long: "--embeddings", column: "embd", kind: "bool-list"},
  {field: "no_op_offload", short: "-nopo", long: "--no-op-offload", column: "nopo", kind: "bool-list"},
  {field: "no_host", short: null, long: "--no-host", column: "noh", kind: "bool-list"},
  // `-ts 0.48/0.52,0.5/0.5`: `,` separates alternatives, `/` or `;` the devices of one split.
  {field: "tensor_split", short: "-ts", long: "--tensor-split", column: "ts", kind: "list"},
  // `-ot a=CPU;b=CUDA0,c=CPU`: `,` separates alternatives, `;` the overrides of one.
  {field: "tensor_buft_overrides", short: "-ot", long: "--override-tensor", column: "ot", kind: "list"},
  {field: "fit_target", short: "-fitt", long: "--fit-target", column: "fitt", kind: "list"},
  {field: "fit_min_ctx", short: "-fitc", long: "--fit-ctx", column: "fitc", kind: "list"}
];

/** Test-shape options: they become a cell's expected tests, not settings. */
export const TEST_PARAMS: readonly LlamaBenchParam[] = [
  {field: "n_prompt", short: "-p", long: "--n-prompt", kind: "int-range"},
  {field: "n_gen", short: "-n", long: "--n-gen", kind: "int-range"},
  {field: "n_depth", short: "-d", long: "--n-depth", kind: "int-range"}
];

/** Options benchbook sets itself; a plan that sets them is refused with the reason. */
export const RESERVED_OPTIONS: Record<string, string> = {
  "-o": "benchbook runs llama-bench with -o jsonl so that results stream one per line",
  "--output": "benchbook runs llama-bench with -o jsonl so that results stream one per line",
  "-oe": "stderr is captured verbatim for device lines and errors; a second output format there would mix with them",
  "--output-err":
    "stderr is captured verbatim for device lines and errors; a second output format there would mix with them",
  "-m": "models are listed under `models:`",
  "--model": "models are listed under `models:`",
  "-r": "use `repetitions:`",
  "--repetitions": "use `repetitions:`",
  "-p": "use `tests: {p: …}`",
  "--n-prompt": "use `tests: {p: …}`",
  "-n": "use `tests: {n: …}`",
  "--n-gen": "use `tests: {n: …}`",
  "-pg": "use `tests: {pg: …}`",
  "-d": "use `tests: {d: …}`",
  "--n-depth": "use `tests: {d: …}`"
};

function names(param: LlamaBenchParam): string[] {
  const long = param.long.replace(/^--/, "");
  return [
    param.field,
    long,
    long.replace(/-/g, "_"),
    param.long,
    param.short,
    param.short?.replace(/^-/, ""),
    param.column
  ].filter((n): n is string => Boolean(n));
}

const BY_NAME = new Map<string, LlamaBenchParam>();
for (const param of [...SETTING_PARAMS, ...TEST_PARAMS]) for (const name of names(param)) BY_NAME.set(name, param);
// llama-bench itself turns `_` into `-` in `--long_options`.
function normalizeName(name: string): string {
  return name.startsWith("--") ? `--${name.slice(2).replace(/_/g, "-")}` : name;
}

/** The parameter a matrix key names (`-ub`, `ub`, `--ubatch-size`, `ubatch-size`, `n_ubatch`), or undefined. */
export function llamaBenchParam(name: string): LlamaBenchParam | undefined {
  return BY_NAME.get(name) ?? BY_NAME.get(normalizeName(name));
}

/** Every accepted spelling, for error messages. */
export function knownParamNames(): string[] {
  return SETTING_PARAMS.map((p) => `${p.short ?? p.long} (${p.field})`);
}

export class RangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RangeError";
  }
}

const INT_MAX = 2 ** 31 - 1;
/** The most values one list or range may give (a plan's cells are bounded by its max_cells too). */
export const MAX_RANGE_VALUES = 100_000;

/**
 * llama-bench's `parse_int_range`, same grammar and same refusals:
 * `first[-last[(+|*)step]]` items separated by `,`. A range whose last is
 * below its first yields nothing (as in llama-bench); a step that does not
 * grow (`+0`, `*1`, `0-8*2`) is refused ("invalid range"); anything the
 * regex does not consume is refused ("invalid range format"). The regex's
 * character class `[\+|\*]` also admits `|`, which llama-bench then refuses.
 */
export function parseIntRange(text: string, allowNegative = false, max = MAX_RANGE_VALUES): number[] {
  const item = allowNegative
    ? /^(-?\d+)(?:-(\d+)(?:([+|*])(\d+))?)?(?:,|$)/
    : /^(\d+)(?:-(\d+)(?:([+|*])(\d+))?)?(?:,|$)/;
  const result: number[] = [];
  let rest = text;
  for (;;) {
    const m = item.exec(rest);
    if (!m || m[0] === "") break;
    const first = toInt(m[1]);
    const last = m[2] !== undefined ? toInt(m[2]) : first;
    const op = m[3] ?? "+";
    const step = m[4] !== undefined ? toInt(m[4]) : 1;
    for (let i = first; i <= last;) {
      // Counted as it grows: `1-1000000000` must be refused before it fills memory.
      if (result.length === max) throw new RangeError(`"${text}" expands to more than ${max} values`);
      result.push(i);
      const prev = i;
      if (op === "+") i += step;
      else if (op === "*") i *= step;
      else throw new RangeError(`invalid range format: "${op}" is not a step operator (use + or *)`);
      // C++ int arithmetic wraps past INT_MAX; llama-bench then sees i <= prev.
      if (i <= prev || i > INT_MAX)
        throw new RangeError(`invalid range: "${m[0].replace(/,$/, "")}" does not grow with each step`);
    }
    rest = rest.slice(m[0].length);
  }
  if (rest !== "")
    throw new RangeError(
      `invalid range format at "${rest}" (expected first[-last[+step|*mult]] items separated by commas)`
    );
  return result;
}

function toInt(digits: string): number {
  const n = Number(digits);
  // std::stoi throws std::out_of_range beyond int.
  if (n > INT_MAX || n < -INT_MAX - 1) throw new RangeError(`${digits} is out of range for an int`);
  return n;
}

/**
 * The values one matrix entry gives a parameter. A YAML list behaves like
 * repeating the option (llama-bench appends), each item read as llama-bench
 * reads one option value.
 */
export function expandParamValues(param: LlamaBenchParam, value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const item of items) {
    const text = typeof item === "boolean" ? (item ? "1" : "0") : String(item);
    switch (param.kind) {
      case "int-range":
      case "int-range-signed":
        out.push(...parseIntRange(text, param.kind === "int-range-signed").map(String));
        break;
      case "bool-list":
        for (const part of text.split(",")) {
          if (!/^[01]$/.test(part))
            throw new RangeError(
              `"${part}" is not 0 or 1 (llama-bench reads ${param.short ?? param.long} as a list of 0/1)`
            );
          out.push(part);
        }
        break;
      case "list":
        for (const part of text.split(",")) {
          if (part === "") throw new RangeError(`empty item in "${text}"`);
          out.push(part);
        }
        break;
    }
  }
  return out;
}
