/**
 * llama-bench's machine-readable formats (csv, json, jsonl, sql) share one
 * record: `test::get_fields()`. This turns records into a run. Known fields
 * map to the schema; every other field is a setting under its own name.
 */
import type {Model, Result, Scalar, Settings} from "../../schema/schema.js";
import {emptyModel} from "../../schema/schema.js";
import type {RowWithFacts} from "../hoist.js";
import {splitModelType} from "../model-name.js";
import type {Context, ParsedRun} from "../types.js";
import {ParseError} from "../types.js";
import {NON_SETTING_FIELDS, testKind, testName} from "./fields.js";
import {llamaBenchRun} from "./run.js";

export type LlamaBenchRecord = Record<string, Scalar | Scalar[] | undefined>;

export interface LocatedRecord {
  record: LlamaBenchRecord;
  /** 1-based physical line of the record (of its `avg_ts` where the record spans lines). */
  line: number;
}

const str = (v: unknown): string | null => (v === undefined || v === null || v === "" ? null : String(v));
const num = (v: unknown): number | null => (typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : null);
const numbers = (v: unknown): number[] | null => (Array.isArray(v) && v.every((x) => typeof x === "number") ? (v as number[]) : null);

function int(record: LlamaBenchRecord, field: string, line: number): number {
  const value = num(record[field]);
  if (value === null) throw new ParseError(line, `a numeric "${field}" field in the llama-bench record`, String(record[field] ?? "nothing"));
  return value;
}

/** The throughput row, and the duration row when the record has avg_ns. */
function rowsOf({record, line}: LocatedRecord): RowWithFacts[] {
  const n_prompt = int(record, "n_prompt", line);
  const n_gen = int(record, "n_gen", line);
  const n_depth = num(record.n_depth) ?? 0;
  const avg_ts = num(record.avg_ts);
  if (avg_ts === null) throw new ParseError(line, `a numeric "avg_ts" field in the llama-bench record`, String(record.avg_ts ?? "nothing"));
  const model: Model = {...emptyModel(), name: str(record.model_type), file: str(record.model_filename), size_bytes: num(record.model_size), n_params: num(record.model_n_params)};
  if (model.name) {
    const parts = splitModelType(model.name);
    model.architecture = parts.architecture;
    model.ftype = parts.ftype;
  }
  const settings: Settings = {};
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (NON_SETTING_FIELDS.has(key) || value === undefined) continue;
    if (Array.isArray(value)) extra[key] = value;
    else settings[key] = value;
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
  if (num(record.avg_ns) !== null) rows.push({result: durationOf(record, line, shape, samples_ns, time), model, settings});
  return rows;
}

/** avg_ns: the time one repetition of the whole test took. */
function durationOf(record: LlamaBenchRecord, line: number, shape: Pick<Result, "test" | "kind" | "n_prompt" | "n_gen" | "n_depth">, samples: number[] | null, time: string | null): Result {
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

/** One run from the records of one llama-bench invocation. */
export function recordsRun(format: string, records: LocatedRecord[], context: Context, line_start: number, line_end: number): ParsedRun {
  if (records.length === 0) throw new ParseError(line_start, "at least one llama-bench record");
  const rows = records.flatMap(rowsOf);
  const first = records[0].record;
  const distinct = (field: string) => [...new Set(records.map((r) => str(r.record[field])).filter((v): v is string => v !== null))];
  const notes: string[] = [];
  for (const field of ["build_commit", "backends", "cpu_info", "gpu_info"]) {
    if (distinct(field).length > 1) notes.push(`records differ in ${field}: ${distinct(field).join("; ")}`);
  }
  const times = records.map((r) => str(r.record.test_time)).filter((t): t is string => t !== null).sort();
  return llamaBenchRun(
    {
      format,
      line_start,
      line_end,
      rows,
      backend: distinct("backends").join("; ") || null,
      cpu: distinct("cpu_info").join("; ") || null,
      gpu_info: distinct("gpu_info").join("; ") || null,
      build_commit: str(first.build_commit),
      build_number: num(first.build_number),
      started_at: times[0] ?? null,
      notes
    },
    context
  );
}
