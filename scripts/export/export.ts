/**
 * Store → the site's data: results.parquet and results.csv written by DuckDB
 * (one flat row per measured value, see scripts/schema/row.ts), runs.json and
 * sources.json for the overview, raw/<sha256>.txt copies of every raw input
 * (so pages can show the lines each number came from) and of every writeup a
 * hand-entered file attached (its values link to the writeup's lines), and
 * manifest.json.
 *
 * For the site at scale, results.parquet keeps each run's rows together,
 * runs ordered by machine and model (runOrder), in small row groups; and
 * results-classes.parquet holds one real row per class of results (classKey)
 * with where its run's rows are. A page of a large store reads the classes to
 * offer its filters and then only the rows of the runs they select
 * (src/components/data.ts); row order within a run is the store's.
 *
 * These are plain files under src/data/, not Framework data loaders: the
 * build content-hashes static files every time, while a cached loader output
 * would be reused after the store changed (Framework does not track a
 * loader's inputs). Every file is written atomically (a temporary file
 * renamed into place; not flushed to disk, since all of it can be exported
 * again); files that no longer belong (a removed input's raw copy) are deleted.
 */
import {DuckDBDataChunk, DuckDBInstance, listValue, type DuckDBType, BIGINT, DOUBLE, INTEGER, LIST, VARCHAR} from "@duckdb/node-api";
import type {DuckDBAppender, DuckDBConnection, DuckDBValue} from "@duckdb/node-api";
import {createHash} from "node:crypto";
import {closeSync, copyFileSync, existsSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync} from "node:fs";
import {StringDecoder} from "node:string_decoder";
import {join} from "node:path";
import {COLUMNS, CSV_COLUMNS, hardwareLabel, modelLabel, resultColumns, runColumns, type Row} from "../schema/row.js";
import type {Result, Run} from "../schema/schema.js";
import {SCHEMA_VERSION} from "../schema/schema.js";
import type {SourceRecord, Store} from "../store/store.js";

export interface ExportSummary {
  inputs: number;
  runs: number;
  rows: number;
  parquetBytes: number;
  csvBytes: number;
  /** results-classes.parquet: its size and rows (classes of results, see classKey). */
  classesBytes: number;
  classes: number;
  /** sha256 over the store's runs files: the same store exports the same data. */
  storeHash: string;
  /** Wall-clock seconds per phase (for `npm run perf`): reading the store, filling DuckDB, run files, raw copies, Parquet, CSV, classes. */
  seconds: Record<string, number>;
  /** CPU seconds per phase, every thread of the process (DuckDB's included). */
  cpuSeconds: Record<string, number>;
}

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
  backend: string | null;
  build: string | null;
  date: string;
  started_at: string | null;
  imported_at: string;
  results: number;
  tags: Record<string, string>;
  command: string | null;
}

const TYPES: Record<string, DuckDBType> = {VARCHAR, DOUBLE, INTEGER, BIGINT, "DOUBLE[]": LIST(DOUBLE)};
const RUN_COLUMNS = COLUMNS.filter((c) => c.level === "run");
const RESULT_COLUMNS = COLUMNS.filter((c) => c.level === "result");
/**
 * Result columns that few distinct combinations of values fill (the test, the
 * metric and how it was summarized): staged once per combination ("shape")
 * and joined back, so a million rows do not each carry a dozen strings into
 * DuckDB. The other result columns are staged per row.
 */
const SHAPE_NAMES = new Set(["test", "kind", "n_prompt", "n_gen", "n_depth", "concurrency", "scope", "metric", "unit", "stat", "stddev_kind", "status"]);
const SHAPE_COLUMNS = RESULT_COLUMNS.filter((c) => SHAPE_NAMES.has(c.name));
const ROW_COLUMNS = RESULT_COLUMNS.filter((c) => !SHAPE_NAMES.has(c.name));
const CHUNK = 2048;

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const quoted = (name: string) => `"${name}"`;

/** A column's value as DuckDB takes it (one function per column type, chosen once). */
function converter(type: string): (value: Row[string]) => DuckDBValue {
  if (type === "BIGINT") return (value) => (value === null || value === undefined ? null : BigInt(value as number));
  if (type === "DOUBLE[]") return (value) => (value === null || value === undefined ? null : listValue(value as number[]));
  if (type === "VARCHAR") return (value) => (value === null || value === undefined ? null : String(value));
  return (value) => (value === null || value === undefined ? null : (value as number));
}

/**
 * Appends rows to a table a chunk at a time: numbers go in without a call
 * into DuckDB per value, which matters at a million rows.
 */
class ChunkWriter {
  private columns: DuckDBValue[][];
  private readonly types: DuckDBType[];
  constructor(
    private readonly appender: DuckDBAppender,
    private readonly spec: readonly {name: string; type: string}[]
  ) {
    this.types = spec.map((c) => TYPES[c.type]);
    this.columns = spec.map(() => []);
  }
  push(values: DuckDBValue[]): void {
    for (let i = 0; i < values.length; i++) this.columns[i].push(values[i]);
    if (this.columns[0].length === CHUNK) this.flush();
  }
  flush(): void {
    const rows = this.columns[0].length;
    if (rows === 0) return;
    const chunk = DuckDBDataChunk.create(this.types, rows);
    this.columns.forEach((values, i) => chunk.setColumnValues(i, values));
    this.appender.appendDataChunk(chunk);
    this.columns = this.spec.map(() => []);
  }
  close(): void {
    this.flush();
    this.appender.closeSync();
  }
}

async function createTable(connection: DuckDBConnection, name: string, spec: readonly {name: string; type: string}[]): Promise<ChunkWriter> {
  await connection.run(`CREATE TABLE ${name} (${spec.map((c) => `${quoted(c.name)} ${c.type}`).join(", ")})`);
  return new ChunkWriter(await connection.createAppender(name), spec);
}

/**
 * A copy of a staged table whose text columns are ENUM types made of their
 * own distinct values; its name. The site's row order needs an ORDER BY
 * over the joined rows (DuckDB keeps no row order through a join), and a
 * sort carries every column along: as ENUM codes, the run-level text a
 * million rows repeat costs the sort a byte or two per value instead of the
 * string. `decoded` turns them back into text after the sort.
 */
async function codedTable(connection: DuckDBConnection, table: string, spec: readonly {name: string; type: string}[]): Promise<string> {
  const select = [];
  for (const c of spec) {
    if (c.type !== "VARCHAR") select.push(quoted(c.name));
    else {
      const type = quoted(`${table}_${c.name}`);
      await connection.run(`CREATE TYPE ${type} AS ENUM (SELECT DISTINCT ${quoted(c.name)} FROM ${table} WHERE ${quoted(c.name)} IS NOT NULL)`);
      select.push(`${quoted(c.name)}::${type} AS ${quoted(c.name)}`);
    }
  }
  await connection.run(`CREATE TABLE ${table}_coded AS SELECT ${select.join(", ")} FROM ${table}`);
  return `${table}_coded`;
}

const TEXT_COLUMNS = new Set(COLUMNS.filter((c) => c.type === "VARCHAR").map((c) => c.name));

/** A column as written: text columns cast back from their ENUM codes (a no-op for those never coded). */
function decoded(name: string): string {
  return TEXT_COLUMNS.has(name) ? `${quoted(name)}::VARCHAR AS ${quoted(name)}` : quoted(name);
}

/** Rows per Parquet row group: a page reading one run's rows decodes at most about this many rows per column around them. */
export const ROW_GROUP_ROWS = 16384;

/** What a run contributes to ordering the site's rows. */
interface RunPlace {
  ordinal: number;
  hardware: string | null;
  model: string | null;
  file: string;
  rows: number;
}

/**
 * The order of runs in results.parquet: by machine, then by the model of
 * the run's first result, then by input file name, then in store order
 * (inputs by hash, runs as read). Filters most often pick a machine, a model
 * and files (src/components/data.ts opens a large page with the first of
 * each, in this same order), so a selection's runs sit next to each other in
 * a few row groups. Plain code-unit comparison: the same on every machine
 * and locale (and the order of the filters' sorted values).
 */
function runOrder(runs: RunPlace[]): RunPlace[] {
  const cmp = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);
  return [...runs].sort((a, b) => cmp(a.hardware, b.hardware) || cmp(a.model, b.model) || cmp(a.file, b.file) || a.ordinal - b.ordinal);
}

/**
 * Results of one run that a page's filters and predicates cannot tell apart:
 * the same model and split mode (the run-level columns a result can
 * override that pages filter on), metric, kind, stat, status and scope, and
 * whether value and depth are present. Every other column pages filter on is
 * the run's. classPrefix is the group's part (computed once per group).
 */
function classPrefix(runOrdinal: number, run: Row): string {
  return JSON.stringify([runOrdinal, run.model, run.model_file, run.model_label, run.quant, run.split_mode]);
}

function classKey(prefix: string, result: Result): string {
  return `${prefix}${keyPart(result.metric)}${keyPart(result.kind)}${keyPart(result.stat)}${keyPart(result.status)}${keyPart(result.scope ?? "run")}${result.value === null ? "v" : "V"}${result.n_depth === null ? "d" : "D"}`;
}

/** A value as an unambiguous piece of a string key: its type, and a string's length before it. */
function keyPart(value: unknown): string {
  if (value === null || value === undefined) return "-";
  if (typeof value === "string") return `s${value.length}:${value}`;
  if (typeof value === "number") return `n${value};`;
  return `j${JSON.stringify(value).length}:${JSON.stringify(value)}`;
}

/** A row's values of some columns as one string key. */
function keyOf(columns: readonly {name: string}[], row: Row): string {
  let key = "";
  for (const c of columns) key += keyPart(row[c.name]);
  return key;
}

export async function exportStore(store: Store, outDir: string): Promise<ExportSummary> {
  mkdirSync(join(outDir, "raw"), {recursive: true});
  mkdirSync(join(outDir, "runs"), {recursive: true});
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const runs: RunSummary[] = [];
  const sources = [];
  /** Writeups hand-entered files attached (role `writeup`): copied like raw inputs, each with its own raw-input page. */
  const writeups = new Set<string>();
  const hash = createHash("sha256");
  let rows = 0;
  const seconds: Record<string, number> = {read: 0, append: 0, run_files: 0, raw_copies: 0, order: 0, parquet: 0, csv: 0, classes: 0};
  const cpuSeconds: Record<string, number> = Object.fromEntries(Object.keys(seconds).map((k) => [k, 0]));
  let clock = performance.now();
  let cpu = process.cpuUsage();
  const lap = (phase: string) => {
    const now = performance.now();
    const used = process.cpuUsage(cpu);
    seconds[phase] += (now - clock) / 1000;
    cpuSeconds[phase] += (used.user + used.system) / 1e6;
    clock = now;
    cpu = process.cpuUsage();
  };
  const places: RunPlace[] = [];
  const runFiles: {source: SourceRecord; run: Run; total: number; raw: RawLines}[] = [];
  /** Per class of results: its last row (by ord) and how many rows it has. */
  const classes = new Map<string, {ord: number; rows: number; run: number}>();
  try {
    // Run-level columns are stored once per (run, overridden model/settings) group and joined back.
    const groupSpec = [{name: "group_id", type: "INTEGER"}, ...RUN_COLUMNS];
    const shapeSpec = [{name: "shape_id", type: "INTEGER"}, ...SHAPE_COLUMNS];
    const resultSpec = [{name: "ord", type: "INTEGER"}, {name: "run_ordinal", type: "INTEGER"}, {name: "group_id", type: "INTEGER"}, {name: "shape_id", type: "INTEGER"}, ...ROW_COLUMNS];
    const groups = await createTable(connection, "groups", groupSpec);
    const shapes = await createTable(connection, "shapes", shapeSpec);
    const results = await createTable(connection, "results", resultSpec);
    const toGroupValue = RUN_COLUMNS.map((c) => converter(c.type));
    const toShapeValue = SHAPE_COLUMNS.map((c) => converter(c.type));
    const toRowValue = ROW_COLUMNS.map((c) => converter(c.type));
    const shapeIds = new Map<string, number>();
    let groupCount = 0;
    for (const sha of store.inputs()) {
      const bytes = readFileSync(store.runsPath(sha));
      hash.update(bytes);
      const input = store.parse(sha, bytes);
      sources.push({...input.source, runs: input.runs.map((r) => r.id)});
      lap("read");
      linkOrCopy(store.rawPath(input.source), join(outDir, "raw", `${sha}.txt`));
      for (const attachment of input.source.attachments ?? []) {
        if (attachment.role !== "writeup" || writeups.has(attachment.sha256)) continue;
        linkOrCopy(join(store.root, attachment.raw), join(outDir, "raw", `${attachment.sha256}.txt`));
        writeups.add(attachment.sha256);
      }
      lap("raw_copies");
      const raw = new RawLines(store.rawPath(input.source), input.source.lines);
      for (const run of input.runs) {
        const ordinal = places.length;
        const groupIds = new Map<string, {id: number; columns: Row; classPrefix: string}>();
        const groupOf = (result: Result): {id: number; columns: Row; classPrefix: string} => {
          const key = result.model || result.settings ? JSON.stringify([result.model ?? null, result.settings ?? null]) : "";
          let group = groupIds.get(key);
          if (group === undefined) {
            const columns = runColumns(run, result, true);
            group = {id: groupCount++, columns, classPrefix: classPrefix(ordinal, columns)};
            groupIds.set(key, group);
            groups.push([group.id, ...RUN_COLUMNS.map((c, i) => toGroupValue[i](columns[c.name]))]);
          }
          return group;
        };
        let firstGroup: Row | null = null;
        for (const result of run.results) {
          const group = groupOf(result);
          firstGroup ??= group.columns;
          const columns = resultColumns(result, true);
          const shapeKey = keyOf(SHAPE_COLUMNS, columns);
          let shape = shapeIds.get(shapeKey);
          if (shape === undefined) {
            shape = shapeIds.size;
            shapeIds.set(shapeKey, shape);
            shapes.push([shape, ...SHAPE_COLUMNS.map((c, i) => toShapeValue[i](columns[c.name]))]);
          }
          const ord = rows++;
          results.push([ord, ordinal, group.id, shape, ...ROW_COLUMNS.map((c, i) => toRowValue[i](columns[c.name]))]);
          const key = classKey(group.classPrefix, result);
          const known = classes.get(key);
          if (known) {
            known.ord = ord;
            known.rows++;
          } else classes.set(key, {ord, rows: 1, run: ordinal});
        }
        places.push({ordinal, hardware: hardwareLabel(run), model: (firstGroup?.model_label as string | null | undefined) ?? modelLabel(run.model), file: run.source.name, rows: run.results.length});
        runs.push(summarize(run));
        // Written while DuckDB writes the Parquet file: a run's first results are all its file needs.
        runFiles.push({source: input.source, run: {...run, results: run.results.slice(0, RUN_RESULTS_MAX)}, total: run.results.length, raw});
        lap("append");
      }
    }
    shapes.close();
    groups.close();
    results.close();
    lap("append");

    // Where each run's rows land in results.parquet.
    const placesInOrder = runOrder(places);
    const starts = new Map<number, {rank: number; start: number}>();
    let start = 0;
    placesInOrder.forEach((place, rank) => {
      starts.set(place.ordinal, {rank, start});
      start += place.rows;
    });
    const ranks = await createTable(connection, "ranks", [{name: "run_ordinal", type: "INTEGER"}, {name: "run_rank", type: "INTEGER"}]);
    for (const [ordinal, {rank}] of starts) ranks.push([ordinal, rank]);
    ranks.close();
    const names = (list: readonly string[]) => list.map(quoted).join(", ");
    const allColumns = COLUMNS.map((c) => c.name);
    // Every query below says its order: DuckDB may then write in parallel.
    await connection.run("SET preserve_insertion_order = false");
    const coded = `results JOIN ${await codedTable(connection, "shapes", shapeSpec)} USING (shape_id) JOIN ${await codedTable(connection, "groups", groupSpec)} USING (group_id) JOIN ranks USING (run_ordinal)`;
    /** The site's rows in site order (runOrder, then store order), text decoded after the sort. */
    const inSiteOrder = (columns: readonly string[], from: string) => `SELECT ${columns.map(decoded).join(", ")} FROM (SELECT ${names(columns)}, run_rank, ord FROM ${from} ORDER BY run_rank, ord)`;
    lap("order");
    const parquetTmp = join(outDir, `.results-${process.pid}.parquet`);
    const csvTmp = join(outDir, `.results-${process.pid}.csv`);
    const classesTmp = join(outDir, `.results-classes-${process.pid}.parquet`);
    // The run files are written meanwhile.
    const parquetDone = connection.run(`COPY (${inSiteOrder(allColumns, coded)}) TO ${sqlString(parquetTmp)} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`);
    for (const pending of runFiles) writeRunFile(store, pending.source, pending.run, pending.total, join(outDir, "runs"), pending.raw);
    lap("run_files");
    await parquetDone;
    lap("parquet");
    // The CSV reads the Parquet just written: a single-table scan keeps its order, and nothing is joined or sorted twice.
    await connection.run("SET preserve_insertion_order = true");
    await connection.run(`COPY (SELECT ${names(CSV_COLUMNS)} FROM read_parquet(${sqlString(parquetTmp)})) TO ${sqlString(csvTmp)} (FORMAT csv, HEADER true)`);
    lap("csv");
    // One real row per class (its last), with how many rows it stands for and where its run's rows are.
    const classSpec = [{name: "ord", type: "INTEGER"}, {name: "class_rows", type: "INTEGER"}, {name: "run_row_start", type: "BIGINT"}, {name: "run_rows", type: "INTEGER"}];
    const classTable = await createTable(connection, "classes", classSpec);
    for (const c of classes.values()) classTable.push([c.ord, c.rows, BigInt(starts.get(c.run)!.start), places[c.run].rows]);
    classTable.close();
    await connection.run(`COPY (${inSiteOrder([...allColumns, "class_rows", "run_row_start", "run_rows"], `${coded} JOIN classes USING (ord)`)}) TO ${sqlString(classesTmp)} (FORMAT parquet, COMPRESSION snappy)`);
    renameSync(parquetTmp, join(outDir, "results.parquet"));
    renameSync(csvTmp, join(outDir, "results.csv"));
    renameSync(classesTmp, join(outDir, "results-classes.parquet"));
    lap("classes");
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  pruneRaw(join(outDir, "raw"), new Set([...store.inputs(), ...writeups]));
  pruneRuns(join(outDir, "runs"), new Set(runs.map((r) => r.id)));
  const storeHash = hash.digest("hex");
  writeDerived(join(outDir, "runs.json"), JSON.stringify(runs));
  writeDerived(join(outDir, "sources.json"), JSON.stringify(sources));
  writeDerived(
    join(outDir, "manifest.json"),
    JSON.stringify({schema: SCHEMA_VERSION, store: storeHash, inputs: store.inputs(), writeups: [...writeups].sort(), runs: runs.length, rows, classes: classes.size, run_ids: runs.map((r) => r.id)}, null, 2)
  );
  return {
    inputs: sources.length,
    runs: runs.length,
    rows,
    parquetBytes: statSync(join(outDir, "results.parquet")).size,
    csvBytes: statSync(join(outDir, "results.csv")).size,
    classesBytes: statSync(join(outDir, "results-classes.parquet")).size,
    classes: classes.size,
    storeHash,
    seconds,
    cpuSeconds
  };
}

function summarize(run: Run): RunSummary {
  const models = [...new Set([run.model, ...run.results.map((r) => ({...run.model, ...r.model}))].map(modelLabel).filter((m): m is string => m !== null))];
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
    hardware: hardwareLabel(run),
    backend: run.hardware.backend,
    build: run.build_commit ? `${run.build_commit}${run.build_number !== null ? ` (${run.build_number})` : ""}` : (run.tool_version ?? null),
    date: run.started_at ?? run.imported_at,
    started_at: run.started_at,
    imported_at: run.imported_at,
    results: run.results.length,
    tags: run.tags,
    command: run.command
  };
}

/** Attachments shown on a run's page, as text (a bench plan, a capture record), when small. */
const RUN_ATTACHMENT_ROLES = new Set(["plan", "capture"]);
const RUN_ATTACHMENT_MAX_BYTES = 256 * 1024;
/** Results embedded in a run's file (per-repetition samples left out: their count stays). */
const RUN_RESULTS_MAX = 100;

/**
 * runs/<run id>.json: everything a run's page shows — the run as stored
 * (provenance, hardware, model, settings, command, environment, its first
 * RUN_RESULTS_MAX results, the raw lines they came from),
 * its labels as the other files name them, and the text of its plan and
 * capture record. Rewritten by every export (a file is only replaced when
 * its bytes change), so the page can never show an older import.
 */
function writeRunFile(store: Store, source: SourceRecord, run: Run, total: number, dir: string, raw: RawLines): void {
  const attachments = (source.attachments ?? [])
    .filter((a) => RUN_ATTACHMENT_ROLES.has(a.role))
    .map((a) => {
      const path = join(store.root, a.raw);
      const size = existsSync(path) ? statSync(path).size : null;
      return {role: a.role, sha256: a.sha256, bytes: size, text: size !== null && size <= RUN_ATTACHMENT_MAX_BYTES ? readFileSync(path, "utf8") : null};
    });
  const blocks = source.blocks.filter((b) => b.line_start <= run.source.line_end && b.line_end >= run.source.line_start);
  // A page shows the first results; a run of thousands (a long log) is queried in the explorer instead.
  const results = run.results.slice(0, RUN_RESULTS_MAX).map(({samples, ...r}) => (samples ? {...r, samples_n: samples.length} : r));
  const excerpt = excerptLines(run.source.line_start, raw.clamp(run.source.line_end), results.map((r) => r.line)).map((n) => [n, raw.line(n) ?? ""]);
  const detail = {
    schema: SCHEMA_VERSION,
    hardware_label: hardwareLabel(run),
    model_label: modelLabel(run.model),
    source: {sha256: source.sha256, name: source.name, bytes: source.bytes, lines: source.lines, imported_at: source.imported_at, tags: source.tags, blocks},
    attachments,
    excerpt,
    results_total: total,
    run: {...run, results}
  };
  const path = join(dir, `${run.id}.json`);
  const text = JSON.stringify(detail);
  if (unchanged(path, text)) return;
  writeDerived(path, text);
}

/** Where RawLines reads into: reads are synchronous, so one buffer serves every instance. */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/**
 * A raw input's physical lines (split at \r\n, \n or \r, BOM dropped), read
 * in chunks as far as asked: run files quote a run's first lines and those
 * its first results came from, and the other megabytes of a large input
 * need not be read. Holds only the lines split so far.
 */
export class RawLines {
  private readonly lines: string[] = [];
  /** Text read but not yet split into lines (a line may continue in the next chunk). */
  private rest = "";
  private position = 0;
  private done = false;
  private started = false;
  private count: number | null = null;
  private atEnd = false;
  private readonly decoder = new StringDecoder("utf8");
  constructor(
    private readonly path: string,
    /** The input's line count as stored (scripts/document/lines.ts: without the empty piece after a final line break). */
    private readonly storedLines: number
  ) {}

  /** Read one more chunk; false at the end of the file. */
  private more(fd: number, buffer: Buffer): boolean {
    const n = readSync(fd, buffer, 0, buffer.length, this.position);
    this.position += n;
    let text = n > 0 ? this.decoder.write(buffer.subarray(0, n)) : this.decoder.end();
    if (!this.started) {
      text = text.replace(/^\uFEFF/, "");
      this.started = text.length > 0 || n === 0;
    }
    this.rest += text;
    return n > 0;
  }

  /** Line n (1-based), or undefined past the end. */
  line(n: number): string | undefined {
    if (this.lines.length >= n || this.done) return this.lines[n - 1];
    const fd = openSync(this.path, "r");
    try {
      const buffer = READ_BUFFER;
      while (this.lines.length < n && !this.done) {
        const breaks = /\r\n|\n|\r/g;
        let m: RegExpExecArray | null;
        let from = 0;
        // A \r at the very end may be the first half of \r\n: split it only once more text (or the end) is known.
        while ((m = breaks.exec(this.rest)) && this.lines.length < n) {
          if (m[0] === "\r" && m.index === this.rest.length - 1 && !this.atEnd) break;
          this.lines.push(this.rest.slice(from, m.index));
          from = m.index + m[0].length;
        }
        this.rest = this.rest.slice(from);
        if (this.lines.length >= n) break;
        if (this.atEnd) {
          this.lines.push(this.rest);
          this.rest = "";
          this.done = true;
        } else if (!this.more(fd, buffer)) this.atEnd = true;
      }
    } finally {
      closeSync(fd);
    }
    return this.lines[n - 1];
  }

  /** min(lineEnd, number of pieces of the split text); counted only when lineEnd could exceed it. */
  clamp(lineEnd: number): number {
    // The split text has the stored line count of pieces, or one more (the empty piece after a final break).
    if (lineEnd <= this.storedLines) return lineEnd;
    this.count ??= readFileSync(this.path, "utf8").replace(/^\uFEFF/, "").split(/\r\n|\n|\r/).length;
    return Math.min(lineEnd, this.count);
  }
}

/**
 * The raw lines a run's page shows: its whole line range when that is short,
 * else its first lines and a few lines around each line a value came from.
 */
export function excerptLines(lineStart: number, lineEnd: number, valueLines: number[], {maxLines = 200, context = 1} = {}): number[] {
  if (lineEnd - lineStart + 1 <= maxLines) return Array.from({length: Math.max(0, lineEnd - lineStart + 1)}, (_, i) => lineStart + i);
  const keep = new Set<number>();
  for (let n = lineStart; n <= Math.min(lineEnd, lineStart + 2); n++) keep.add(n);
  for (const line of [...new Set(valueLines)].sort((a, b) => a - b)) {
    if (keep.size >= maxLines) break;
    for (let n = Math.max(lineStart, line - context); n <= Math.min(lineEnd, line + context); n++) keep.add(n);
  }
  return [...keep].sort((a, b) => a - b);
}

function pruneRuns(dir: string, keep: Set<string>): void {
  for (const file of readdirSync(dir)) {
    if (!keep.has(file.replace(/\.json$/, ""))) rmSync(join(dir, file), {force: true});
  }
}

/**
 * Place a raw file unless an identical one is already there (raw files are
 * content-addressed): a hard link to the store's copy where the file system
 * allows it (the store never rewrites a raw file in place, and src/data is
 * generated, not edited), else a copy.
 */
function linkOrCopy(from: string, to: string): void {
  if (existsSync(to) && statSync(to).size === statSync(from).size) return;
  const tmp = `${to}.tmp-${process.pid}`;
  rmSync(tmp, {force: true});
  try {
    linkSync(from, tmp);
  } catch {
    copyFileSync(from, tmp);
  }
  renameSync(tmp, to);
}

/** Whether `path` already holds exactly `text` (its size is compared before its bytes are read). */
function unchanged(path: string, text: string): boolean {
  if (!existsSync(path) || statSync(path).size !== Buffer.byteLength(text)) return false;
  return readFileSync(path, "utf8") === text;
}

/** An exported file, replaced atomically (rename); not flushed to disk: an export can always be run again. */
function writeDerived(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

function pruneRaw(dir: string, keep: Set<string>): void {
  for (const file of readdirSync(dir)) {
    if (!keep.has(file.replace(/\.txt$/, ""))) rmSync(join(dir, file), {force: true});
  }
}
