/**
 * Store → the site's data: results.parquet and results.csv written by DuckDB
 * (one flat row per measured value, see scripts/schema/row.ts), runs.json and
 * sources.json for the overview, raw/<sha256>.txt copies of every raw input
 * (so pages can show the lines each number came from), and manifest.json.
 *
 * These are plain files under src/data/, not Framework data loaders: the
 * build content-hashes static files every time, while a cached loader output
 * would be reused after the store changed (Framework does not track a
 * loader's inputs). Every file is written atomically; files that no longer
 * belong (a removed input's raw copy) are deleted.
 */
import {DOUBLE, DuckDBInstance, LIST} from "@duckdb/node-api";
import type {DuckDBAppender} from "@duckdb/node-api";
import {createHash} from "node:crypto";
import {copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync} from "node:fs";
import {join} from "node:path";
import {hardwareLabel, modelLabel, ROW_COLUMNS, toRow} from "../schema/row.js";
import {SCHEMA_VERSION} from "../schema/schema.js";
import type {Store} from "../store/store.js";
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

const LIST_OF_DOUBLE = LIST(DOUBLE);

function append(appender: DuckDBAppender, type: string, value: unknown): void {
  if (value === null || value === undefined) return appender.appendNull();
  switch (type) {
    case "VARCHAR":
      return appender.appendVarchar(String(value));
    case "DOUBLE":
      return appender.appendDouble(value as number);
    case "INTEGER":
      return appender.appendInteger(value as number);
    case "BIGINT":
      return appender.appendBigInt(BigInt(value as number));
    case "DOUBLE[]":
      return appender.appendList(value as number[], LIST_OF_DOUBLE);
    default:
      throw new Error(`no appender for column type ${type}`);
  }
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

export async function exportStore(store: Store, outDir: string): Promise<ExportSummary> {
  mkdirSync(join(outDir, "raw"), {recursive: true});
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const runs: RunSummary[] = [];
  const sources = [];
  const hash = createHash("sha256");
  let rows = 0;
  try {
    await connection.run(`CREATE TABLE results (${ROW_COLUMNS.map(([name, type]) => `"${name}" ${type}`).join(", ")})`);
    const appender = await connection.createAppender("results");
    for (const sha of store.inputs()) {
      hash.update(readFileSync(store.runsPath(sha)));
      const input = store.read(sha);
      sources.push({...input.source, runs: input.runs.map((r) => r.id)});
      copyIfChanged(store.rawPath(input.source), join(outDir, "raw", `${sha}.txt`));
      for (const run of input.runs) {
        for (const result of run.results) {
          const row = toRow(run, result, true);
          for (const [name, type] of ROW_COLUMNS) append(appender, type, row[name]);
          appender.endRow();
          rows++;
        }
        runs.push(summarize(run));
      }
    }
    appender.closeSync();
    const ordered = `SELECT * FROM results ORDER BY source_sha256, run_id, line, metric`;
    const parquetTmp = join(outDir, `.results-${process.pid}.parquet`);
    const csvTmp = join(outDir, `.results-${process.pid}.csv`);
    await connection.run(`COPY (${ordered}) TO ${sqlString(parquetTmp)} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 100000)`);
    await connection.run(`COPY (${ordered}) TO ${sqlString(csvTmp)} (FORMAT csv, HEADER true)`);
    renameSync(parquetTmp, join(outDir, "results.parquet"));
    renameSync(csvTmp, join(outDir, "results.csv"));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  pruneRaw(join(outDir, "raw"), new Set(store.inputs()));
  const storeHash = hash.digest("hex");
  writeFileAtomic(join(outDir, "runs.json"), JSON.stringify(runs));
  writeFileAtomic(join(outDir, "sources.json"), JSON.stringify(sources));
  writeFileAtomic(join(outDir, "manifest.json"), JSON.stringify({schema: SCHEMA_VERSION, store: storeHash, inputs: store.inputs(), runs: runs.length, rows}, null, 2));
  return {
    inputs: sources.length,
    runs: runs.length,
    rows,
    parquetBytes: statSync(join(outDir, "results.parquet")).size,
    csvBytes: statSync(join(outDir, "results.csv")).size,
    storeHash
  };
}

function summarize(run: import("../schema/schema.js").Run): RunSummary {
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
