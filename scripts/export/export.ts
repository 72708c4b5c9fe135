/**
 * Store → the site's data: results.parquet and results.csv written by DuckDB
 * (one flat row per measured value, see scripts/schema/row.ts), runs.json and
 * sources.json for the overview, raw/<sha256>.txt copies of every raw input
 * (so pages can show the lines each number came from) and of every writeup a
 * hand-entered file attached (its values link to the writeup's lines), and
 * manifest.json.
 *
 * These are plain files under src/data/, not Framework data loaders: the
 * build content-hashes static files every time, while a cached loader output
 * would be reused after the store changed (Framework does not track a
 * loader's inputs). Every file is written atomically; files that no longer
 * belong (a removed input's raw copy) are deleted.
 */
import {DuckDBDataChunk, DuckDBInstance, listValue, type DuckDBType, BIGINT, DOUBLE, INTEGER, LIST, VARCHAR} from "@duckdb/node-api";
import type {DuckDBAppender, DuckDBConnection, DuckDBValue} from "@duckdb/node-api";
import {createHash} from "node:crypto";
import {copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync} from "node:fs";
import {join} from "node:path";
import {COLUMNS, CSV_COLUMNS, hardwareLabel, modelLabel, resultColumns, runColumns, type Row} from "../schema/row.js";
import type {Result, Run} from "../schema/schema.js";
import {SCHEMA_VERSION} from "../schema/schema.js";
import type {SourceRecord, Store} from "../store/store.js";
import {writeFileAtomic} from "../store/atomic.js";

export interface ExportSummary {
  inputs: number;
  runs: number;
  rows: number;
  parquetBytes: number;
  csvBytes: number;
  /** sha256 over the store's runs files: the same store exports the same data. */
  storeHash: string;
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
const CHUNK = 2048;

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const quoted = (name: string) => `"${name}"`;

function toDuckValue(type: string, value: Row[string]): DuckDBValue {
  if (value === null || value === undefined) return null;
  if (type === "BIGINT") return BigInt(value as number);
  if (type === "DOUBLE[]") return listValue(value as number[]);
  if (type === "VARCHAR") return String(value);
  return value as number;
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
  try {
    // Run-level columns are stored once per (run, overridden model/settings) group and joined back.
    const groupSpec = [{name: "group_id", type: "INTEGER"}, ...RUN_COLUMNS];
    const resultSpec = [{name: "ord", type: "BIGINT"}, {name: "group_id", type: "INTEGER"}, ...RESULT_COLUMNS];
    const groups = await createTable(connection, "groups", groupSpec);
    const results = await createTable(connection, "results", resultSpec);
    let groupCount = 0;
    for (const sha of store.inputs()) {
      hash.update(readFileSync(store.runsPath(sha)));
      const input = store.read(sha);
      sources.push({...input.source, runs: input.runs.map((r) => r.id)});
      copyIfChanged(store.rawPath(input.source), join(outDir, "raw", `${sha}.txt`));
      for (const attachment of input.source.attachments ?? []) {
        if (attachment.role !== "writeup" || writeups.has(attachment.sha256)) continue;
        copyIfChanged(join(store.root, attachment.raw), join(outDir, "raw", `${attachment.sha256}.txt`));
        writeups.add(attachment.sha256);
      }
      let lines: string[] | null = null;
      const rawText = () => (lines ??= rawLines(store, input.source));
      for (const run of input.runs) {
        const groupIds = new Map<string, number>();
        const groupOf = (result: Result): number => {
          const key = result.model || result.settings ? JSON.stringify([result.model ?? null, result.settings ?? null]) : "";
          let id = groupIds.get(key);
          if (id === undefined) {
            id = groupCount++;
            groupIds.set(key, id);
            const columns = runColumns(run, result, true);
            groups.push([id, ...RUN_COLUMNS.map((c) => toDuckValue(c.type, columns[c.name]))]);
          }
          return id;
        };
        for (const result of run.results) {
          const columns = resultColumns(result, true);
          results.push([BigInt(rows++), groupOf(result), ...RESULT_COLUMNS.map((c) => toDuckValue(c.type, columns[c.name]))]);
        }
        runs.push(summarize(run));
        writeRunFile(store, input.source, run, join(outDir, "runs"), rawText);
      }
    }
    groups.close();
    results.close();
    const select = (names: readonly string[]) => `SELECT ${names.map(quoted).join(", ")} FROM results JOIN groups USING (group_id) ORDER BY ord`;
    const parquetTmp = join(outDir, `.results-${process.pid}.parquet`);
    const csvTmp = join(outDir, `.results-${process.pid}.csv`);
    await connection.run(`COPY (${select(COLUMNS.map((c) => c.name))}) TO ${sqlString(parquetTmp)} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 100000)`);
    await connection.run(`COPY (${select(CSV_COLUMNS)}) TO ${sqlString(csvTmp)} (FORMAT csv, HEADER true)`);
    renameSync(parquetTmp, join(outDir, "results.parquet"));
    renameSync(csvTmp, join(outDir, "results.csv"));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  pruneRaw(join(outDir, "raw"), new Set([...store.inputs(), ...writeups]));
  pruneRuns(join(outDir, "runs"), new Set(runs.map((r) => r.id)));
  const storeHash = hash.digest("hex");
  writeFileAtomic(join(outDir, "runs.json"), JSON.stringify(runs));
  writeFileAtomic(join(outDir, "sources.json"), JSON.stringify(sources));
  writeFileAtomic(join(outDir, "manifest.json"), JSON.stringify({schema: SCHEMA_VERSION, store: storeHash, inputs: store.inputs(), writeups: [...writeups].sort(), runs: runs.length, rows, run_ids: runs.map((r) => r.id)}, null, 2));
  return {
    inputs: sources.length,
    runs: runs.length,
    rows,
    parquetBytes: statSync(join(outDir, "results.parquet")).size,
    csvBytes: statSync(join(outDir, "results.csv")).size,
    storeHash
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
function writeRunFile(store: Store, source: SourceRecord, run: Run, dir: string, lines: () => string[]): void {
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
  const raw = lines();
  const excerpt = excerptLines(run.source.line_start, Math.min(run.source.line_end, raw.length), results.map((r) => r.line)).map((n) => [n, raw[n - 1] ?? ""]);
  const detail = {
    schema: SCHEMA_VERSION,
    hardware_label: hardwareLabel(run),
    model_label: modelLabel(run.model),
    source: {sha256: source.sha256, name: source.name, bytes: source.bytes, lines: source.lines, imported_at: source.imported_at, tags: source.tags, blocks},
    attachments,
    excerpt,
    results_total: run.results.length,
    run: {...run, results}
  };
  const path = join(dir, `${run.id}.json`);
  const text = JSON.stringify(detail);
  if (existsSync(path) && readFileSync(path, "utf8") === text) return;
  writeFileAtomic(path, text);
}

/** A raw input's physical lines. */
function rawLines(store: Store, source: SourceRecord): string[] {
  return readFileSync(store.rawPath(source), "utf8").replace(/^\uFEFF/, "").split(/\r\n|\n|\r/);
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

/** Copy unless an identical file is already there (raw files are content-addressed). */
function copyIfChanged(from: string, to: string): void {
  if (existsSync(to) && statSync(to).size === statSync(from).size) return;
  const tmp = `${to}.tmp-${process.pid}`;
  copyFileSync(from, tmp);
  renameSync(tmp, to);
}

function pruneRaw(dir: string, keep: Set<string>): void {
  for (const file of readdirSync(dir)) {
    if (!keep.has(file.replace(/\.txt$/, ""))) rmSync(join(dir, file), {force: true});
  }
}
