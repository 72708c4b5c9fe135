/**
 * recordsRuns (records.ts) for plain records with an empty context, one object per result instead of three: the
 * same runs, field for field and in the same key order (the import's fast path, scripts/import/fast-path.ts).
 */
import type {Model, Result, Scalar, Settings} from "../../schema/schema.js";
import {emptyModel} from "../../schema/schema.js";
import {canonicalTests, testKind, testName} from "../shared/test-name.js";
import type {Context, ParsedRun} from "../types.js";
import {NON_SETTING_FIELDS} from "./fields.js";
import type {LlamaBenchRecord} from "./records.js";
import {INVOCATION_FIELDS, MODEL_FIELDS, num, numbers, recordModel, str} from "./records.js";
import {fillModel, llamaBenchRun} from "./run.js";

const NOT_SETTINGS: ReadonlySet<string> = NON_SETTING_FIELDS;

/** What records.ts's hoist() does with a run's distinct model or settings objects: the keys all share, and the others. */
function splitCommon(items: readonly Record<string, unknown>[]): {
  common: Record<string, unknown>;
  differing: string[];
} {
  const keys = new Set<string>();
  for (const item of items) for (const key in item) keys.add(key);
  const common: Record<string, unknown> = {};
  const differing: string[] = [];
  const first = items[0];
  for (const key of keys) {
    const value = first[key];
    let shared = key in first;
    for (let i = 1; shared && i < items.length; i++) shared = key in items[i] && items[i][key] === value;
    if (shared) common[key] = value;
    else differing.push(key);
  }
  return {common, differing};
}

/** A finite number or null (checkValues refuses the others: the general reader says where). */
const finite = (v: number | null) => v === null || Number.isFinite(v);
const allFinite = (vs: number[] | null) => vs === null || vs.every(Number.isFinite);

/** Test names llama-bench prints are already canonical; one that is not goes through the general reader. */
const canonical = new Map<string, boolean>();
function isCanonical(test: string): boolean {
  let ok = canonical.get(test);
  if (ok === undefined) {
    const probe = [{test} as Result];
    canonicalTests(probe);
    canonical.set(test, (ok = probe[0].test === test && probe[0].test_printed === undefined));
  }
  return ok;
}

/** The records of one invocation as read so far. */
interface Invocation {
  first: LlamaBenchRecord;
  line: number;
  /** Each result without its model and settings overrides (added once the whole invocation is read), and their facts. */
  results: Result[];
  models: Model[];
  settings: Settings[];
  distinctModels: Model[];
  distinctSettings: Settings[];
  earliest: string | null;
}

/**
 * Plain records fed one at a time (a record is not kept once read: only its
 * results, which hold its sample arrays), then the runs: recordsRuns for
 * them with an empty context, one run per invocation (INVOCATION_FIELDS),
 * the first from the block's first line. `add` returns false, and `runs`
 * null, where the general reader is needed.
 */
export class PlainRecords {
  private readonly invocations: Invocation[] = [];
  private current: Invocation | null = null;
  private previous: {record: LlamaBenchRecord; keys: string[]; model: Model; settings: Settings} | null = null;

  add(record: LlamaBenchRecord, line: number): boolean {
    let current = this.current;
    let previous = this.previous;
    if (current === null || INVOCATION_FIELDS.some((field) => str(record[field]) !== str(current!.first[field]))) {
      current = this.current = {
        first: record,
        line,
        results: [],
        models: [],
        settings: [],
        distinctModels: [],
        distinctSettings: [],
        earliest: null
      };
      this.invocations.push(current);
      // rowsOf shares facts within one invocation only.
      previous = null;
    }
    const keys = Object.keys(record);
    // The record's model and settings, shared with the record before when equal (as rowsOf shares them).
    let model: Model;
    if (previous && MODEL_FIELDS.every((field) => record[field] === previous!.record[field])) model = previous.model;
    else {
      model = recordModel(record);
      fillModel(model);
      current.distinctModels.push(model);
    }
    let same = previous !== null && keys.length === previous.keys.length;
    let extra: Record<string, unknown> | null = null;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      if (key === "__proto__") return false;
      const value = record[key];
      if (value === undefined || NOT_SETTINGS.has(key)) {
        if (same && key !== previous!.keys[i]) same = false;
        continue;
      }
      if (Array.isArray(value)) (extra ??= {})[key] = value;
      else if (typeof value === "object" && value !== null) return false;
      const before = previous?.record[key];
      if (same && (key !== previous!.keys[i] || (value !== before && !(Array.isArray(value) && Array.isArray(before)))))
        same = false;
    }
    let settings: Settings;
    if (same) settings = previous!.settings;
    else {
      settings = {};
      for (const key of keys) {
        const value = record[key];
        if (value !== undefined && !NOT_SETTINGS.has(key) && !Array.isArray(value)) settings[key] = value as Scalar;
      }
      current.distinctSettings.push(settings);
    }
    this.previous = {record, keys, model, settings};
    const time = str(record.test_time);
    if (time !== null && (current.earliest === null || time < current.earliest)) current.earliest = time;

    const n_prompt = num(record.n_prompt);
    const n_gen = num(record.n_gen);
    const n_depth = num(record.n_depth) ?? 0;
    const avg_ts = num(record.avg_ts);
    const stddev_ts = num(record.stddev_ts);
    const samples_ts = numbers(record.samples_ts);
    // What rowsOf refuses and checkValues refuses or notes: the general reader's message names the line.
    if (n_prompt === null || n_gen === null || avg_ts === null || !Number.isFinite(avg_ts) || avg_ts < 0) return false;
    if (!finite(stddev_ts) || !allFinite(samples_ts)) return false;
    const test = testName(n_prompt, n_gen, n_depth);
    if (!isCanonical(test)) return false;
    const kind = testKind(n_prompt, n_gen);
    // The fields of rowsOf's rows, in its order (hoist's overrides come after them).
    const mean = (
      metric: string,
      unit: string,
      value: number,
      stddev: number | null,
      samples: number[] | null
    ): Result => ({
      line,
      test,
      kind,
      n_prompt,
      n_gen,
      n_depth,
      metric,
      unit,
      stat: "mean",
      value,
      stddev,
      stddev_kind: stddev === null ? null : "sample",
      repetitions: samples?.length ?? null,
      samples,
      status: "ok",
      time
    });
    const throughput = mean("throughput", "tok/s", avg_ts, stddev_ts, samples_ts);
    if (extra) throughput.extra = extra;
    current.results.push(throughput);
    current.models.push(model);
    current.settings.push(settings);
    const avg_ns = num(record.avg_ns);
    if (avg_ns === null) return true;
    const stddev_ns = num(record.stddev_ns);
    const samples_ns = numbers(record.samples_ns);
    if (!Number.isFinite(avg_ns) || !finite(stddev_ns) || !allFinite(samples_ns)) return false;
    current.results.push(mean("duration", "ns", avg_ns, stddev_ns, samples_ns));
    current.models.push(model);
    current.settings.push(settings);
    return true;
  }

  /** The runs (the block spans lines `line_start` to `line_end`); null where the general reader is needed. */
  runs(format: string, context: Context, line_start: number, line_end: number): ParsedRun[] | null {
    const runs: ParsedRun[] = [];
    for (let i = 0; i < this.invocations.length; i++) {
      const next = this.invocations[i + 1];
      const run = plainRun(
        format,
        this.invocations[i],
        context,
        i === 0 ? line_start : this.invocations[i].line,
        next ? next.line - 1 : line_end
      );
      if (!run) return null;
      runs.push(run);
    }
    return runs.length ? runs : null;
  }
}

/** One invocation's run: hoist's run-level model and settings, each result's overrides. */
function plainRun(
  format: string,
  invocation: Invocation,
  context: Context,
  line_start: number,
  line_end: number
): ParsedRun | null {
  const {first, results, models, settings} = invocation;
  const modelSplit = splitCommon(invocation.distinctModels as unknown as Record<string, unknown>[]);
  const settingSplit = splitCommon(invocation.distinctSettings);
  const runModel: Model = {...emptyModel(), ...(modelSplit.common as Partial<Model>)};
  for (const key of modelSplit.differing) (runModel as unknown as Record<string, unknown>)[key] = null;
  // One override object per distinct model or settings object: results that share the object share it (the JSON is the same).
  let lastModel: Model | null = null;
  let lastSettings: Settings | null = null;
  let modelOverride: Partial<Model> = {};
  let settingsOverride: Settings = {};
  for (let i = 0; i < results.length; i++) {
    if (modelSplit.differing.length) {
      if (models[i] !== lastModel) {
        lastModel = models[i];
        const own: Record<string, unknown> = {};
        for (const key of modelSplit.differing)
          own[key] = (lastModel as unknown as Record<string, unknown>)[key] ?? null;
        modelOverride = own as Partial<Model>;
      }
      results[i].model = modelOverride;
    }
    if (settingSplit.differing.length) {
      if (settings[i] !== lastSettings) {
        lastSettings = settings[i];
        const own: Settings = {};
        for (const key of settingSplit.differing) if (key in lastSettings) own[key] = lastSettings[key];
        settingsOverride = own;
      }
      results[i].settings = settingsOverride;
    }
  }
  const run = llamaBenchRun(
    {
      format,
      line_start,
      line_end,
      rows: [],
      backend: str(first.backends),
      cpu: str(first.cpu_info),
      gpu_info: str(first.gpu_info),
      build_commit: str(first.build_commit),
      build_number: num(first.build_number),
      started_at: invocation.earliest
    },
    context
  );
  // No command line (the context is empty): the run's own fields are what hoist gives.
  if (run.command !== null || run.notes.length) return null;
  run.model = runModel;
  run.settings = settingSplit.common as Settings;
  run.results = results;
  return run;
}
