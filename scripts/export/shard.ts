/**
 * One shard of an export: a contiguous slice of inputs flattened into Parquet fragments in its own DuckDB
 * (shard-worker.ts for all but the first). Ids count from 0 within the shard; export.ts offsets them.
 */
import {DuckDBInstance, type DuckDBValue} from "@duckdb/node-api";
import {createHash} from "node:crypto";
import {writeFileAtomic} from "../store/atomic.js";
import {hideLocalPaths, mayHoldLocalPaths} from "./local-paths.js";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {runEfficiency, type RunEfficiency} from "../efficiency/efficiency.js";
import {machineLabel, type MachineAliases} from "../schema/machine.js";
import {
  COLUMNS,
  describedHardware,
  hardwareLabel,
  modelLabel,
  resultColumns,
  runColumns,
  type Row
} from "../schema/row.js";
import {readMachineAliases} from "../store/aliases.js";
import type {Result, Run} from "../schema/schema.js";
import {Store, type SourceRecord} from "../store/store.js";
import {converter, createTable, sqlString, type ColumnSpec} from "./duckdb-table.js";
import {linkOrCopy} from "./files.js";
import {phaseClock} from "./phases.js";
import {RawLines, RUN_RESULTS_MAX, writeRunFile} from "./run-file.js";
import type {RunPlace} from "./run-order.js";

/** Results of a run with the same overridden model and settings: their run-level columns, staged once. */
interface Group {
  id: number;
  columns: Row;
  /** Its class prefix's id (classPrefix). */
  classId: number;
  /** Its peaks and token costs, for the results' efficiency columns. */
  efficiency: RunEfficiency;
}

export interface ShardTask {
  /** The store's root. */
  root: string;
  /** Its inputs (sha256), in store order. */
  inputs: string[];
  /** The export's output directory (runs/ and raw/ inside it exist). */
  outDir: string;
  /** Fragment files' path prefix. */
  fragments: string;
  /** Publish absolute local paths as they are (default: their base names, local-paths.ts). */
  keepPaths?: boolean;
  /** DuckDB threads (1 on a worker: the shards already use every core). */
  threads?: number;
}

/** A raw file's published copy: linked when it holds no home path (or paths are kept), else written with base names. */
function publishRaw(from: string, to: string, keepPaths = false): void {
  if (!keepPaths && mayHoldLocalPaths(readFileSync(from))) {
    const text = readFileSync(from, "utf8");
    const hidden = hideLocalPaths(text);
    if (hidden !== text) return writeFileAtomic(to, hidden);
  }
  linkOrCopy(from, to);
}

/** A source as sources.json lists it: its record and its runs' ids. */
export type SourceSummary = SourceRecord & {runs: string[]};

export interface ShardResult {
  sources: SourceSummary[];
  runs: RunSummary[];
  /** Per run, in shard order (ordinal from 0 in the shard). */
  places: RunPlace[];
  /** Per class of results (see classPrefix): its last row (ord in the shard), how many rows it has, and its run (ordinal in the shard). */
  classes: {ord: number; rows: number; run: number}[];
  /** Writeups hand-entered files attached (sha256), copied like raw inputs. */
  writeups: string[];
  /** sha256 of each input's runs file, in order. */
  digests: string[];
  rows: number;
  groups: number;
  shapes: number;
  /** Wall-clock seconds per phase: reading the store, staging rows, raw copies, run files, fragments. */
  seconds: Record<string, number>;
}

const RUN_COLUMNS = COLUMNS.filter((c) => c.level === "run");
const RESULT_COLUMNS = COLUMNS.filter((c) => c.level === "result");
/**
 * Result columns that few distinct combinations of values fill (the test, the
 * metric and how it was summarized): staged once per combination ("shape")
 * and joined back, so a million rows do not each carry a dozen strings into
 * DuckDB. The other result columns are staged per row.
 */
const SHAPE_NAMES = new Set([
  "test",
  "kind",
  "n_prompt",
  "n_gen",
  "n_depth",
  "concurrency",
  "scope",
  "metric",
  "unit",
  "stat",
  "stddev_kind",
  "status"
]);
const SHAPE_COLUMNS = RESULT_COLUMNS.filter((c) => SHAPE_NAMES.has(c.name));
/**
 * Result columns most results leave empty (a serving log's request and
 * sequence numbers, a failure's detail, hand-entered text, extra fields,
 * the efficiency figures only throughputs on known hardware have):
 * staged only for the results that fill one, in a side table the export
 * joins back by `ord`. Staging a null costs the appender more than a value.
 */
export const SPARSE_NAMES = new Set([
  "request",
  "seq",
  "status_detail",
  "text",
  "result_extra",
  "bytes_per_token",
  "flops_per_token",
  "bw_util",
  "compute_util"
]);
const SPARSE_COLUMNS = RESULT_COLUMNS.filter((c) => SPARSE_NAMES.has(c.name));
const ROW_COLUMNS = RESULT_COLUMNS.filter((c) => !SHAPE_NAMES.has(c.name) && !SPARSE_NAMES.has(c.name));
export const GROUP_SPEC: ColumnSpec[] = [{name: "group_id", type: "INTEGER"}, ...RUN_COLUMNS];
export const SHAPE_SPEC: ColumnSpec[] = [{name: "shape_id", type: "INTEGER"}, ...SHAPE_COLUMNS];
const RESULT_SPEC: ColumnSpec[] = [
  {name: "ord", type: "INTEGER"},
  {name: "run_ordinal", type: "INTEGER"},
  {name: "group_id", type: "INTEGER"},
  {name: "shape_id", type: "INTEGER"},
  ...ROW_COLUMNS
];
const SPARSE_SPEC: ColumnSpec[] = [{name: "ord", type: "INTEGER"}, ...SPARSE_COLUMNS];

export async function exportShard(task: ShardTask): Promise<ShardResult> {
  const store = new Store(task.root);
  // The store's machine aliases (data/aliases.yaml): every shard reads the same file, so every run gets the same label.
  const aliases = readMachineAliases(task.root);
  const instance = await DuckDBInstance.create(":memory:", task.threads ? {threads: String(task.threads)} : {});
  const connection = await instance.connect();
  const {seconds, lap} = phaseClock(["read", "append", "raw_copies", "run_files", "fragments"]);
  const result: ShardResult = {
    sources: [],
    runs: [],
    places: [],
    classes: [],
    writeups: [],
    digests: [],
    rows: 0,
    groups: 0,
    shapes: 0,
    seconds
  };
  const writeups = new Set<string>();
  const runFiles: {source: SourceRecord; run: Run; total: number; raw: RawLines}[] = [];
  /** Per class of results: its last row (by ord) and how many rows it has. */
  const classes = new Map<string, {ord: number; rows: number; run: number}>();
  try {
    const groups = await createTable(connection, "groups", GROUP_SPEC);
    const shapes = await createTable(connection, "shapes", SHAPE_SPEC);
    const results = await createTable(connection, "results", RESULT_SPEC);
    const sparse = await createTable(connection, "sparse", SPARSE_SPEC);
    const toSparseValue = SPARSE_COLUMNS.map((c) => converter(c.type));
    const toGroupValue = RUN_COLUMNS.map((c) => converter(c.type));
    const toShapeValue = SHAPE_COLUMNS.map((c) => converter(c.type));
    const toRowValue = ROW_COLUMNS.map((c) => converter(c.type));
    /** Shapes by their values; a shape's class part is the id of its metric, kind, stat, status and scope (see classPrefix). */
    // Test and metric first: together they nearly decide the shape.
    const shapeIds = new TupleMap<{id: number; classId: number}>([
      "test",
      "metric",
      ...SHAPE_COLUMNS.map((c) => c.name).filter((n) => n !== "test" && n !== "metric")
    ]);
    const shapeClasses = new Map<string, number>();
    const shapeClassId = (columns: Row): number => {
      const key = JSON.stringify([columns.metric, columns.kind, columns.stat, columns.status, columns.scope]);
      let id = shapeClasses.get(key);
      if (id === undefined) shapeClasses.set(key, (id = shapeClasses.size));
      return id;
    };
    /** Class prefixes (classPrefix) by their text. */
    const classPrefixes = new Map<string, number>();
    for (const sha of task.inputs) {
      const bytes = readFileSync(store.runsPath(sha));
      result.digests.push(createHash("sha256").update(bytes).digest("hex"));
      // Local paths become base names before anything of this input is published (local-paths.ts).
      const input = store.parse(
        sha,
        task.keepPaths ? bytes : Buffer.from(hideLocalPaths(bytes.toString("utf8")), "utf8")
      );
      result.sources.push({...input.source, runs: input.runs.map((r) => r.id)});
      lap("read");
      publishRaw(store.rawPath(input.source), join(task.outDir, "raw", `${sha}.txt`), task.keepPaths);
      for (const attachment of input.source.attachments ?? []) {
        if (attachment.role !== "writeup" || writeups.has(attachment.sha256)) continue;
        publishRaw(
          join(store.root, attachment.raw),
          join(task.outDir, "raw", `${attachment.sha256}.txt`),
          task.keepPaths
        );
        writeups.add(attachment.sha256);
      }
      lap("raw_copies");
      // The published copy: lines quoted on run pages are the lines the source page shows.
      const raw = new RawLines(join(task.outDir, "raw", `${sha}.txt`), input.source.lines);
      for (const run of input.runs) {
        const ordinal = result.places.length;
        const groupIds = new Map<string, Group>();
        let last: {result: Result; group: Group} | null = null;
        const groupOf = (r: Result): Group => {
          // Results in a row mostly override the same settings: compared with the last one's before any key is printed.
          if (last && sameOverride(r.settings, last.result.settings) && sameOverride(r.model, last.result.model))
            return last.group;
          const key = r.model || r.settings ? JSON.stringify([r.model ?? null, r.settings ?? null]) : "";
          let group = groupIds.get(key);
          if (group === undefined) {
            const efficiency = runEfficiency(run, r);
            const columns = runColumns(run, r, true, efficiency, aliases);
            const prefix = classPrefix(ordinal, columns);
            let classId = classPrefixes.get(prefix);
            if (classId === undefined) classPrefixes.set(prefix, (classId = classPrefixes.size));
            group = {id: result.groups++, columns, classId, efficiency};
            groupIds.set(key, group);
            groups.push([group.id, ...RUN_COLUMNS.map((c, i) => toGroupValue[i](columns[c.name]))]);
          }
          last = {result: r, group};
          return group;
        };
        let firstGroup: Row | null = null;
        for (const r of run.results) {
          const group = groupOf(r);
          firstGroup ??= group.columns;
          const columns = resultColumns(r, true, group.efficiency);
          const shape = shapeIds.find(columns, () => {
            const id = result.shapes++;
            shapes.push([id, ...SHAPE_COLUMNS.map((c, i) => toShapeValue[i](columns[c.name]))]);
            return {id, classId: shapeClassId(columns)};
          });
          const ord = result.rows++;
          const row: DuckDBValue[] = [ord, ordinal, group.id, shape.id];
          for (let i = 0; i < ROW_COLUMNS.length; i++) row.push(toRowValue[i](columns[ROW_COLUMNS[i].name]));
          results.push(row);
          if (SPARSE_COLUMNS.some((c) => columns[c.name] !== null))
            sparse.push([ord, ...SPARSE_COLUMNS.map((c, i) => toSparseValue[i](columns[c.name]))]);
          const key = `${group.classId},${shape.classId},${r.value === null ? "v" : "V"}${r.n_depth === null ? "d" : "D"}`;
          const known = classes.get(key);
          if (known) {
            known.ord = ord;
            known.rows++;
          } else classes.set(key, {ord, rows: 1, run: ordinal});
        }
        result.places.push({
          ordinal,
          hardware: hardwareLabel(run, aliases),
          model: (firstGroup?.model_label as string | null | undefined) ?? modelLabel(run.model),
          file: run.source.name,
          rows: run.results.length
        });
        result.runs.push(summarize(run, aliases));
        // Written while DuckDB writes the fragments: a run's first results are all its file needs.
        runFiles.push({
          source: input.source,
          run: {...run, results: run.results.slice(0, RUN_RESULTS_MAX)},
          total: run.results.length,
          raw
        });
        lap("append");
      }
    }
    shapes.close();
    groups.close();
    results.close();
    sparse.close();
    lap("append");
    const written = (async () => {
      for (const table of ["results", "sparse", "groups", "shapes"])
        await connection.run(
          `COPY ${table} TO ${sqlString(`${task.fragments}-${table}.parquet`)} (FORMAT parquet, COMPRESSION uncompressed)`
        );
    })();
    for (const pending of runFiles)
      writeRunFile(
        store,
        pending.source,
        pending.run,
        pending.total,
        join(task.outDir, "runs"),
        pending.raw,
        aliases,
        task.keepPaths
      );
    lap("run_files");
    await written;
    lap("fragments");
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  result.classes = [...classes.values()];
  result.writeups = [...writeups];
  return result;
}

/**
 * Results of one run that a page's filters and predicates cannot tell apart
 * form a class: the same model and split mode (the run-level columns a
 * result can override that pages filter on), metric, kind, stat, status and
 * scope, and whether value and depth are present. Every other column pages
 * filter on is the run's. classPrefix is a group's part, the shape holds the
 * metric to the scope, and each result says whether it has a value and a depth.
 */
function classPrefix(runOrdinal: number, run: Row): string {
  return JSON.stringify([runOrdinal, run.model, run.model_file, run.model_label, run.quant, run.split_mode]);
}

/**
 * Whether two overrides (a result's model or settings) print as the same
 * JSON: both absent, or the same keys in the same order with the same
 * scalar values. An object value answers no (the caller then prints the key).
 */
function sameOverride(a: object | null | undefined, b: object | null | undefined): boolean {
  if (a === b || (a == null && b == null)) return true;
  if (a == null || b == null) return false;
  const keys = Object.keys(a);
  const other = Object.keys(b);
  if (keys.length !== other.length) return false;
  for (let i = 0; i < keys.length; i++) {
    const value = (a as Record<string, unknown>)[keys[i]];
    if (
      keys[i] !== other[i] ||
      value !== (b as Record<string, unknown>)[keys[i]] ||
      (typeof value === "object" && value !== null)
    )
      return false;
  }
  return true;
}

/**
 * Values found by a tuple of a row's columns: the first two columns through
 * nested Maps, the others compared one by one among the few tuples that
 * share those two (a test and a metric have one or two shapes). No key text
 * is built and hashed for each of a million rows. Values compare as Map keys
 * and === do (a number and a string never match; an object only itself), so
 * equal tuples meet, and a tuple that never repeats costs a duplicate entry,
 * never a wrong one.
 */
class TupleMap<T> {
  private readonly root = new Map<unknown, Map<unknown, {values: unknown[]; value: T}[]>>();
  constructor(private readonly names: readonly string[]) {}
  find(row: Row, create: () => T): T {
    const names = this.names;
    let byFirst = this.root.get(row[names[0]]);
    if (byFirst === undefined) this.root.set(row[names[0]], (byFirst = new Map()));
    let entries = byFirst.get(row[names[1]]);
    if (entries === undefined) byFirst.set(row[names[1]], (entries = []));
    search: for (const entry of entries) {
      for (let i = 2; i < names.length; i++) if (entry.values[i] !== row[names[i]]) continue search;
      return entry.value;
    }
    const value = create();
    entries.push({values: names.map((name) => row[name]), value});
    return value;
  }
}

/** A run as runs.json lists it. */
export interface RunSummary {
  id: string;
  source_sha256: string;
  file: string;
  line_start: number;
  line_end: number;
  tool: string;
  runtime: string | null;
  format: string;
  origin: string;
  models: string[];
  hardware: string | null;
  /** The run's own hardware label when the store's aliases merged it into another machine. */
  hardware_described_as: string | null;
  backend: string | null;
  build: string | null;
  date: string;
  started_at: string | null;
  imported_at: string;
  results: number;
  tags: Record<string, string>;
  command: string | null;
}

function summarize(run: Run, aliases: MachineAliases): RunSummary {
  // A result without a model of its own has the run's, whose label comes first anyway.
  const models = [
    ...new Set(
      [run.model, ...run.results.filter((r) => r.model).map((r) => ({...run.model, ...r.model}))]
        .map(modelLabel)
        .filter((m): m is string => m !== null)
    )
  ];
  return {
    id: run.id,
    source_sha256: run.source.sha256,
    file: run.source.name,
    line_start: run.source.line_start,
    line_end: run.source.line_end,
    tool: run.tool,
    runtime: run.runtime,
    format: run.format,
    origin: run.origin ?? "measured",
    models,
    hardware: hardwareLabel(run, aliases),
    hardware_described_as: machineLabel(describedHardware(run), aliases).described_as,
    backend: run.hardware.backend,
    build: run.build_commit
      ? `${run.build_commit}${run.build_number !== null ? ` (${run.build_number})` : ""}`
      : (run.tool_version ?? null),
    date: run.started_at ?? run.imported_at,
    started_at: run.started_at,
    imported_at: run.imported_at,
    results: run.results.length,
    tags: run.tags,
    command: run.command
  };
}
