/**
 * Reading `Label: value unit` pieces of log lines without changing a digit.
 */
import type {Result, Scalar, Scope, Stat} from "../../schema/schema.js";
import type {LogPrefix} from "./log-prefix.js";

export interface Quantity {
  value: number;
  /** Unit as printed after the number (`tokens/s`, `%`, `reqs`), or null. */
  unit: string | null;
  /** The number as printed (`876,006`). */
  number: string;
}

/**
 * `249.5 tokens/s` → 249.5 + `tokens/s`; `876,006 tokens` → 876006 + `tokens`
 * (a thousands separator is only taken in groups of three digits).
 */
export function parseQuantity(raw: string): Quantity | null {
  const m = /^\s*(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?)(?:\s*(.*?))?[\s.,]*$/.exec(raw);
  if (!m) return null;
  const number = m[1];
  const value = Number(number.replace(/,/g, ""));
  if (!Number.isFinite(value)) return null;
  return {value, unit: m[2] ? m[2].trim() : null, number};
}

/**
 * Unit spellings of one unit are stored once (`tokens/s`, `token/s`, `t/s`
 * → `tok/s`, as llama-bench's `t/s` is); the printed text stays in `text`.
 * The value is never converted.
 */
export function normalizeUnit(unit: string | null, fallback: string): string {
  if (!unit) return fallback;
  const u = unit.trim();
  if (/^(?:tokens?|tok|t)\s*\/\s*s$|^tokens? per second$/i.test(u)) return "tok/s";
  if (/^reqs?$|^requests?$/i.test(u)) return "requests";
  if (/^tokens?$/i.test(u)) return "tokens";
  if (/^(?:s|sec|secs|seconds?)$/i.test(u)) return "s";
  if (/^ms$/i.test(u)) return "ms";
  return u;
}

/** `Avg prompt throughput` → `avg_prompt_throughput`, `#running-req` → `running_req`. */
export function slug(label: string): string {
  return label
    .toLowerCase()
    .replace(/\([^)]*\)/g, "")
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

export interface Labeled {
  label: string;
  /** The value text after `label:`, trimmed. */
  raw: string;
  /** `Label: value` as printed. */
  text: string;
}

/**
 * Split `A: 1, B: 2 x, C: 0.7, 0.3, D: 5%` at each `, Label:` where a label
 * is matched by `label` (a source fragment, no anchors). Values may contain
 * commas (per-position lists); only a following label ends them.
 */
export function splitLabeled(body: string, label: string): Labeled[] {
  const re = new RegExp(`(?:^|,\\s*)(${label})\\s*:\\s*`, "g");
  const marks: {label: string; at: number; valueAt: number}[] = [];
  for (const m of body.matchAll(re))
    marks.push({
      label: m[1],
      at: m.index! + (m[0].startsWith(",") ? m[0].indexOf(m[1]) : 0),
      valueAt: m.index! + m[0].length
    });
  return marks.map((mark, i) => {
    const end = i + 1 < marks.length ? body.lastIndexOf(",", marks[i + 1].at) : body.length;
    const rawEnd = end >= mark.valueAt ? end : body.length;
    const raw = body.slice(mark.valueAt, rawEnd).trim().replace(/,\s*$/, "");
    return {label: mark.label.trim(), raw, text: body.slice(mark.at, rawEnd).trim().replace(/,\s*$/, "")};
  });
}

/**
 * Split Python-style `key=value, key=value` (a `repr` of a config) at the
 * top level only: commas inside quotes, (), [] and {} stay in their value.
 */
export function splitAssignments(body: string, separator = ","): [string, string][] {
  const out: [string, string][] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  const push = (end: number) => {
    const piece = body.slice(start, end).trim();
    const eq = piece.search(/[=:]/);
    if (eq > 0)
      out.push([
        piece
          .slice(0, eq)
          .trim()
          .replace(/^['"]|['"]$/g, ""),
        piece.slice(eq + 1).trim()
      ]);
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
    else if (c === separator && depth === 0) {
      push(i);
      start = i + 1;
    }
  }
  push(body.length);
  return out;
}

/** A Python literal as printed, as a setting: strings unquoted, numbers and booleans typed, structures kept as text. */
export function pythonScalar(raw: string): Scalar | undefined {
  const v = raw.trim();
  if (/^'(?:[^'\\]|\\.)*'$|^"(?:[^"\\]|\\.)*"$/.test(v)) return v.slice(1, -1);
  if (/^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i.test(v)) return Number(v);
  if (v === "True") return true;
  if (v === "False") return false;
  if (v === "None") return null;
  if (/^[\w.+-]+$/.test(v)) return v; // bare words: auto, torch.bfloat16, fp8
  return undefined; // nested structures: not a scalar setting
}

export interface ResultShape {
  line: number;
  text: string;
  test: string;
  kind: string;
  metric: string;
  unit: string;
  stat: Stat;
  scope: Scope;
  value: number | null;
  prefix?: LogPrefix;
  n_prompt?: number | null;
  n_gen?: number | null;
  request?: number | null;
  extra?: Record<string, unknown>;
  /** Why there is no value (`n/a`, `nan%` printed). */
  skipped?: string;
}

/** A Result of a log line, with the line's time or stamp. */
export function logResult(shape: ResultShape): Result {
  const extra: Record<string, unknown> = {...shape.extra};
  if (shape.prefix?.log_time) extra.log_time = shape.prefix.log_time;
  if (shape.prefix?.source) extra.source = shape.prefix.source;
  const result: Result = {
    line: shape.line,
    text: shape.text,
    test: shape.test,
    kind: shape.kind,
    n_prompt: shape.n_prompt ?? null,
    n_gen: shape.n_gen ?? null,
    n_depth: null,
    scope: shape.scope,
    metric: shape.metric,
    unit: shape.unit,
    stat: shape.stat,
    value: shape.skipped ? null : shape.value,
    stddev: null,
    stddev_kind: null,
    repetitions: null,
    status: shape.skipped ? "skipped" : "ok",
    ...(shape.skipped ? {status_detail: shape.skipped} : {}),
    time: shape.prefix?.time ?? null
  };
  if (shape.request !== undefined && shape.request !== null) result.request = shape.request;
  if (Object.keys(extra).length) result.extra = extra;
  return result;
}

/** Values printed as not-a-number: kept as a skipped result rather than dropped. */
export function notANumber(raw: string): boolean {
  return /^(?:n\/a|nan|-?inf)\s*%?$/i.test(raw.trim());
}
