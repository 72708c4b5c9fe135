/**
 * llama-bench's machine-readable formats (csv, json, jsonl, sql) share one
 * record: `test::get_fields()`. This turns records into a run. Known fields
 * map to the schema; every other field is a setting under its own name.
 */
import type {Model, Result, Scalar, Settings} from "../../schema/schema.js";
import {emptyModel} from "../../schema/schema.js";
import type {RowWithFacts} from "../shared/hoist.js";
import {splitModelType} from "../shared/model-name.js";
import type {Context, ParsedRun} from "../types.js";
import {ParseError} from "../types.js";
import {testKind, testName} from "../shared/test-name.js";
import {NON_SETTING_FIELDS} from "./fields.js";
import {llamaBenchRun} from "./run.js";

export type LlamaBenchRecord = Record<string, Scalar | Scalar[] | undefined>;

export interface LocatedRecord {
  record: LlamaBenchRecord;
  /** 1-based physical line of the record (of its `avg_ts` where the record spans lines). */
  line: number;
  /** Where a record spans lines: the line it starts on. */
  start?: number;
}

export const str = (v: unknown): string | null => (v === undefined || v === null || v === "" ? null : String(v));
export const num = (v: unknown): number | null =>
  typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : null;
export const numbers = (v: unknown): number[] | null =>
  Array.isArray(v) && v.every((x) => typeof x === "number") ? (v as number[]) : null;

function int(record: LlamaBenchRecord, field: string, line: number): number {
  const value = num(record[field]);
  if (value === null)
    throw new ParseError(
      line,
      `a numeric "${field}" field in the llama-bench record`,
      String(record[field] ?? "nothing")
    );
  return value;
}

/** A record's model and settings as read, kept so the next record can share them when they are equal. */
interface Facts {
  record: LlamaBenchRecord;
  keys: string[];
  model: Model;
  settings: Settings;
}

// A module-local binding: read once per field of every record.
const NOT_SETTINGS: ReadonlySet<string> = NON_SETTING_FIELDS;

export const MODEL_FIELDS = ["model_type", "model_filename", "model_size", "model_n_params"] as const;

/**
 * Whether `record` has `previous`'s settings (same fields, order, values). Consecutive records of one invocation
 * usually do, and then share one settings object: fewer objects to build and compare.
 */
function sameSettings(record: LlamaBenchRecord, keys: string[], previous: Facts): boolean {
  if (keys.length !== previous.keys.length) return false;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (key !== previous.keys[i]) return false;
    if (NOT_SETTINGS.has(key)) continue;
    const value = record[key];
    const before = previous.record[key];
    if (value !== before && !(Array.isArray(value) && Array.isArray(before))) return false;
  }
  return true;
}

/** The model a record names (its quantization is filled in later, from the command's model file too: run.ts). */
export function recordModel(record: LlamaBenchRecord): Model {
  const model: Model = {
    ...emptyModel(),
    name: str(record.model_type),
    file: str(record.model_filename),
    size_bytes: num(record.model_size),
    n_params: num(record.model_n_params)
  };
  if (model.name) {
    const parts = splitModelType(model.name);
    model.architecture = parts.architecture;
    model.ftype = parts.ftype;
  }
  return model;
}

/** The throughput row, and the duration row when the record has avg_ns. */
function rowsOf({record, line}: LocatedRecord, previous: Facts | null): {rows: RowWithFacts[]; facts: Facts} {
  const n_prompt = int(record, "n_prompt", line);
  const n_gen = int(record, "n_gen", line);
  const n_depth = num(record.n_depth) ?? 0;
  const avg_ts = num(record.avg_ts);
  if (avg_ts === null)
    throw new ParseError(
      line,
      `a numeric "avg_ts" field in the llama-bench record`,
      String(record.avg_ts ?? "nothing")
    );
  const model =
    previous && MODEL_FIELDS.every((field) => record[field] === previous.record[field])
      ? previous.model
      : recordModel(record);
  const keys = Object.keys(record);
  const reuse = previous !== null && sameSettings(record, keys, previous);
  const settings: Settings = reuse ? previous.settings : {};
  const extra: Record<string, unknown> = {};
  for (const key of keys) {
    const value = record[key];
    if (value === undefined || NOT_SETTINGS.has(key)) continue;
    if (Array.isArray(value)) extra[key] = value;
    else if (!reuse) settings[key] = value;
  }
  const samples_ts = numbers(record.samples_ts);
  const samples_ns = numbers(record.samples_ns);
  const test = testName(n_prompt, n_gen, n_depth);
  const shape = {test, kind: testKind(n_prompt, n_gen), n_prompt, n_gen, n_depth};
  const time = str(record.test_time);
  const throughput: Result = {
    line,
    ...shape,
    metric: "throughput",
    unit: "tok/s",
    stat: "mean",
    value: avg_ts,
    stddev: num(record.stddev_ts),
    stddev_kind: num(record.stddev_ts) === null ? null : "sample",
    repetitions: samples_ts?.length ?? null,
    samples: samples_ts,
    status: "ok",
    time,
    ...(Object.keys(extra).length ? {extra} : {})
  };
  const rows: RowWithFacts[] = [{result: throughput, model, settings}];
  // The duration row shares the record's model and settings (hoisting only reads them).
  if (num(record.avg_ns) !== null)
    rows.push({result: durationOf(record, line, shape, samples_ns, time), model, settings});
  return {rows, facts: {record, keys, model, settings}};
}

/** avg_ns: the time one repetition of the whole test took. */
function durationOf(
  record: LlamaBenchRecord,
  line: number,
  shape: Pick<Result, "test" | "kind" | "n_prompt" | "n_gen" | "n_depth">,
  samples: number[] | null,
  time: string | null
): Result {
  return {
    line,
    ...shape,
    metric: "duration",
    unit: "ns",
    stat: "mean",
    value: num(record.avg_ns),
    stddev: num(record.stddev_ns),
    stddev_kind: num(record.stddev_ns) === null ? null : "sample",
    repetitions: samples?.length ?? null,
    samples,
    status: "ok",
    time
  };
}

/**
 * What one llama-bench invocation prints the same in every record, and the
 * schema stores once per run. Appended outputs (`-o jsonl >> all.jsonl` once
 * per build, or per machine) change these between records: a new run starts
 * there, so no record is given another record's build or machine.
 */
export const INVOCATION_FIELDS = ["build_commit", "build_number", "cpu_info", "gpu_info", "backends"] as const;

/** Consecutive records of one invocation, split where an invocation field changes. */
function invocations(records: LocatedRecord[]): LocatedRecord[][] {
  const groups: LocatedRecord[][] = [];
  let previous: LlamaBenchRecord | null = null;
  for (const located of records) {
    const {record} = located;
    if (previous === null || INVOCATION_FIELDS.some((field) => str(record[field]) !== str(previous![field])))
      groups.push([]);
    groups.at(-1)!.push(located);
    previous = record;
  }
  return groups;
}

/**
 * The runs of a block of llama-bench records: one per invocation (usually
 * the whole block). Each run starts at its first record's line, the first at
 * the block's.
 */
export function recordsRuns(
  format: string,
  records: LocatedRecord[],
  context: Context,
  line_start: number,
  line_end: number
): ParsedRun[] {
  if (records.length === 0) throw new ParseError(line_start, "at least one llama-bench record");
  const groups = invocations(records);
  return groups.map((group, i) => {
    const next = groups[i + 1];
    const start = i === 0 ? line_start : (group[0].start ?? group[0].line);
    const end = next ? (next[0].start ?? next[0].line) - 1 : line_end;
    // Only the first invocation reads the command line before the block: a later one was appended without it.
    return recordsRun(format, group, i === 0 ? context : {...context, commands: []}, start, end);
  });
}

/** One run from the records of one llama-bench invocation. */
function recordsRun(
  format: string,
  records: LocatedRecord[],
  context: Context,
  line_start: number,
  line_end: number
): ParsedRun {
  const rows: RowWithFacts[] = [];
  let facts: Facts | null = null;
  for (const located of records) {
    const read = rowsOf(located, facts);
    for (const row of read.rows) rows.push(row);
    facts = read.facts;
  }
  const first = records[0].record;
  // The earliest test time (string order, as a sort would put it first).
  let earliest: string | null = null;
  for (const r of records) {
    const time = str(r.record.test_time);
    if (time !== null && (earliest === null || time < earliest)) earliest = time;
  }
  return llamaBenchRun(
    {
      format,
      line_start,
      line_end,
      rows,
      backend: str(first.backends),
      cpu: str(first.cpu_info),
      gpu_info: str(first.gpu_info),
      build_commit: str(first.build_commit),
      build_number: num(first.build_number),
      started_at: earliest
    },
    context
  );
}
