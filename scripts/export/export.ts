/**
 * Store → the site's data files (src/data/: results.parquet/csv, runs.json, runs/<id>.json, raw copies,
 * history.json, manifest.json, the explorer's results.duckdb: explorer-db.ts). Rows are ordered by run in small
 * row groups and results-classes.parquet indexes them, so a page of a large store reads only the runs it selects.
 * Inputs are read in shards (shard.ts), on worker threads when large; the output does not depend on the shard
 * count. Plain files, not Framework loaders: a cached loader output would survive a store change.
 */
import {DuckDBInstance} from "@duckdb/node-api";
import {createHash} from "node:crypto";
import {mkdirSync, mkdtempSync, renameSync, rmSync, statSync} from "node:fs";
import {availableParallelism} from "node:os";
import {join} from "node:path";
import {Worker} from "node:worker_threads";
import {COLUMNS, CSV_COLUMNS, ROW_COLUMNS} from "../schema/row.js";
import {SCHEMA_VERSION} from "../schema/schema.js";
import type {Store} from "../store/store.js";
import {codedTable, createTable, quoted, sqlString} from "./duckdb-table.js";
import {prune, writeDerived} from "./files.js";
import {detachExplorerDb, EXPLORER_CODED, sameExport, writeExplorerDb} from "./explorer-db.js";
import {writeHistory} from "./history.js";
import {phaseClock} from "./phases.js";
import {runOrder, type RunPlace} from "./run-order.js";
import {exportShard, GROUP_SPEC, SHAPE_SPEC, type RunSummary, type ShardResult, type ShardTask} from "./shard.js";

export type {RunSummary} from "./shard.js";

export interface ExportSummary {
  inputs: number;
  runs: number;
  rows: number;
  parquetBytes: number;
  csvBytes: number;
  /** results.duckdb (the explorer's copy of results.parquet, explorer-db.ts): its size. */
  explorerBytes: number;
  /** results-classes.parquet: its size and rows (classes of results, see classPrefix in shard.ts). */
  classesBytes: number;
  classes: number;
  /** sha256 over the sha256 of each of the store's runs files, in order: the same store exports the same data. */
  storeHash: string;
  /** Shards the store was read in (all but the first on worker threads). */
  shards: number;
  /**
   * Wall-clock seconds per phase (for `npm run perf`): the shards (`shards`,
   * and the slowest shard's own phases as `shard_<phase>`), loading their
   * fragments, Parquet, CSV (with results-classes.parquet beside it), the
   * explorer's results.duckdb, the JSON files, and history.json.
   */
  seconds: Record<string, number>;
  /** CPU seconds per phase of `seconds` (not the shards' own), over every thread of the process: workers' and DuckDB's included. */
  cpuSeconds: Record<string, number>;
}

export interface ExportOptions {
  /** Shards to read the store in: the first on this thread, each other one on a worker thread (default: by the store's size, see exportJobs). */
  jobs?: number;
  /** Publish absolute local paths as they are (default: their base names; scripts/export/local-paths.ts). */
  keepPaths?: boolean;
}

/** Rows per Parquet row group: a page reading one run's rows decodes at most about this many rows per column around them. */
export const ROW_GROUP_ROWS = 16384;

/** Stores whose runs files are smaller than this are read on this thread: starting workers costs more. */
export const SHARD_MIN_BYTES = 32 * 1024 * 1024;

/** Shards for a store whose runs files have these sizes: the cores there are (at most 4) for a large store, else 1. */
export function exportJobs(sizes: number[]): number {
  const bytes = sizes.reduce((n, s) => n + s, 0);
  return bytes >= SHARD_MIN_BYTES ? Math.min(4, availableParallelism(), sizes.length) : 1;
}

/**
 * Contiguous slices of `items`, one per weight at most, each holding about
 * its weight's share of the total size (never none: a store without inputs
 * is one empty shard).
 */
export function splitBySize<T>(items: T[], sizes: number[], weights: number[]): T[][] {
  const total = sizes.reduce((a, s) => a + s, 0);
  const weight = weights.reduce((a, w) => a + w, 0);
  const slices: T[][] = [[]];
  let filled = 0;
  let share = weights[0];
  items.forEach((item, i) => {
    // Start the next slice once this one holds its share of the bytes.
    if (slices.length < weights.length && slices.at(-1)!.length > 0 && filled >= (total * share) / weight) {
      share += weights[slices.length];
      slices.push([]);
    }
    slices.at(-1)!.push(item);
    filled += sizes[i];
  });
  return slices;
}

/**
 * How much more than a worker's share the shard on this thread reads: it
 * starts at once, while a worker first spends about half a second loading
 * tsx, the export's modules and DuckDB (of about five seconds' work per
 * shard for a million results on two cores).
 */
const HEAD_START = 0.1;

export async function exportStore(store: Store, outDir: string, options: ExportOptions = {}): Promise<ExportSummary> {
  mkdirSync(join(outDir, "raw"), {recursive: true});
  mkdirSync(join(outDir, "runs"), {recursive: true});
  const {seconds, cpuSeconds, lap} = phaseClock(["shards", "load", "parquet", "csv", "explorer", "indexes", "history"]);
  const inputs = store.inputs();
  const sizes = inputs.map((sha) => statSync(store.runsPath(sha)).size);
  const jobs = options.jobs ?? exportJobs(sizes);
  const work = mkdtempSync(join(outDir, ".export-"));
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const weights = Array.from({length: jobs}, (_, k) => (k === 0 && jobs > 1 ? 1 + HEAD_START : 1));
    const tasks: ShardTask[] = splitBySize(inputs, sizes, weights).map((slice, k) => ({
      root: store.root,
      inputs: slice,
      outDir,
      fragments: join(work, `shard-${k}`),
      ...(options.keepPaths ? {keepPaths: true} : {}),
      ...(jobs > 1 ? {threads: 1} : {})
    }));
    // The first shard is read on this thread while the workers read the others.
    const workers = tasks.slice(1).map(onWorker);
    const shards = await allShards([exportShard(tasks[0]), ...workers]);
    for (const shard of shards)
      for (const [phase, s] of Object.entries(shard.seconds))
        seconds[`shard_${phase}`] = Math.max(seconds[`shard_${phase}`] ?? 0, s);
    lap("shards");

    // Ids counted from 0 in each shard, offset by the shards before it.
    const places: RunPlace[] = [];
    const classes: {ord: number; rows: number; run: number}[] = [];
    const fragments = {results: [] as string[], sparse: [] as string[], groups: [] as string[], shapes: [] as string[]};
    const offset = {rows: 0, runs: 0, groups: 0, shapes: 0};
    shards.forEach((shard, k) => {
      const from = (table: string) => `FROM read_parquet(${sqlString(`${tasks[k].fragments}-${table}.parquet`)})`;
      fragments.results.push(
        `SELECT * REPLACE (ord + ${offset.rows} AS ord, run_ordinal + ${offset.runs} AS run_ordinal, group_id + ${offset.groups} AS group_id, shape_id + ${offset.shapes} AS shape_id) ${from("results")}`
      );
      fragments.sparse.push(`SELECT * REPLACE (ord + ${offset.rows} AS ord) ${from("sparse")}`);
      fragments.groups.push(`SELECT * REPLACE (group_id + ${offset.groups} AS group_id) ${from("groups")}`);
      fragments.shapes.push(`SELECT * REPLACE (shape_id + ${offset.shapes} AS shape_id) ${from("shapes")}`);
      for (const place of shard.places) places.push({...place, ordinal: place.ordinal + offset.runs});
      for (const c of shard.classes) classes.push({ord: c.ord + offset.rows, rows: c.rows, run: c.run + offset.runs});
      offset.rows += shard.rows;
      offset.runs += shard.places.length;
      offset.groups += shard.groups;
      offset.shapes += shard.shapes;
    });
    await connection.run(`CREATE VIEW results AS ${fragments.results.join(" UNION ALL ")}`);
    await connection.run(`CREATE TABLE sparse AS ${fragments.sparse.join(" UNION ALL ")}`);
    await connection.run(`CREATE TABLE groups AS ${fragments.groups.join(" UNION ALL ")}`);
    await connection.run(`CREATE TABLE shapes AS ${fragments.shapes.join(" UNION ALL ")}`);

    // Where each run's rows land in results.parquet.
    const starts = new Map<number, {rank: number; start: number}>();
    let start = 0;
    runOrder(places).forEach((place, rank) => {
      starts.set(place.ordinal, {rank, start});
      start += place.rows;
    });
    const ranks = await createTable(connection, "ranks", [
      {name: "run_ordinal", type: "INTEGER"},
      {name: "run_rank", type: "INTEGER"}
    ]);
    for (const [ordinal, {rank}] of starts) ranks.push([ordinal, rank]);
    ranks.close();
    const names = (list: readonly string[]) => list.map(quoted).join(", ");
    const allColumns = COLUMNS.map((c) => c.name);
    // Every query below says its order: DuckDB may then write in parallel.
    await connection.run("SET preserve_insertion_order = false");
    const shapes = await codedTable(connection, "shapes", SHAPE_SPEC);
    const groups = await codedTable(connection, "groups", GROUP_SPEC);
    /** `rows` (results, or some of them) with every column: the sparse ones, the coded shape and group ones, and the run's rank. */
    const coded = (rows: string) =>
      `${rows} LEFT JOIN sparse USING (ord) JOIN ${shapes.name} USING (shape_id) JOIN ${groups.name} USING (group_id) JOIN ranks USING (run_ordinal)`;
    const written = (name: string) =>
      shapes.castBack.has(name) || groups.castBack.has(name)
        ? `${quoted(name)}::VARCHAR AS ${quoted(name)}`
        : quoted(name);
    /** The site's rows in site order (runOrder, then store order); ENUM codes with many values cast back to text after the sort. */
    const inSiteOrder = (columns: readonly string[], from: string) =>
      `SELECT ${columns.map(written).join(", ")} FROM (SELECT ${names(columns)}, run_rank, ord FROM ${from} ORDER BY run_rank, ord)`;
    lap("load");
    const parquetTmp = join(work, "results.parquet");
    const csvTmp = join(work, "results.csv");
    const classesTmp = join(work, "results-classes.parquet");
    // Sorted once into the explorer's database, text columns still ENUM codes where they have few values
    // (explorer-db.ts), and written to Parquet from there: a table scan keeps its order.
    const explorerTmp = join(work, "results.duckdb");
    await connection.run("SET preserve_insertion_order = true");
    const enums = [...shapes.types.keys(), ...groups.types.keys()].filter(
      (name) => !shapes.castBack.has(name) && !groups.castBack.has(name)
    );
    await writeExplorerDb(connection, explorerTmp, inSiteOrder(allColumns, coded("results")), enums);
    lap("explorer");
    await connection.run(
      `COPY (SELECT * FROM ${EXPLORER_CODED}) TO ${sqlString(parquetTmp)} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`
    );
    await detachExplorerDb(connection);
    lap("parquet");
    // One real row per class (its last), with how many rows it stands for and where its run's rows are:
    // written on a second connection while the CSV is.
    const classSpec = [
      {name: "ord", type: "INTEGER"},
      {name: "class_rows", type: "INTEGER"},
      {name: "run_row_start", type: "BIGINT"},
      {name: "run_rows", type: "INTEGER"}
    ];
    const classTable = await createTable(connection, "classes", classSpec);
    for (const c of classes) classTable.push([c.ord, c.rows, BigInt(starts.get(c.run)!.start), places[c.run].rows]);
    classTable.close();
    const beside = await instance.connect();
    const threads = Number((await connection.runAndReadAll("SELECT current_setting('threads')")).getRows()[0][0]);
    try {
      // The CSV reads the Parquet just written: nothing is joined or sorted twice. On one thread, since DuckDB's parallel
      // CSV writer did not keep this scan's order (results.csv came out in another order at each export of 20,000
      // rows or more); the classes file written beside it takes the other core.
      await connection.run("SET preserve_insertion_order = true");
      await connection.run("SET threads = 1");
      await Promise.all([
        connection.run(
          `COPY (SELECT ${csvSafeColumns(CSV_COLUMNS, quoted)} FROM read_parquet(${sqlString(parquetTmp)})) TO ${sqlString(csvTmp)} (FORMAT csv, HEADER true)`
        ),
        beside.run(
          `COPY (${inSiteOrder([...allColumns, "class_rows", "run_row_start", "run_rows"], coded("results JOIN classes USING (ord)"))}) TO ${sqlString(classesTmp)} (FORMAT parquet, COMPRESSION snappy)`
        )
      ]);
    } finally {
      beside.closeSync();
      await connection.run(`SET threads = ${threads}`);
    }
    lap("csv");
    // The same rows as the last export's keep its database file (and the site its content hash).
    const explorerWritten = !sameExport(parquetTmp, join(outDir, "results.parquet"), join(outDir, "results.duckdb"));
    lap("explorer");
    renameSync(parquetTmp, join(outDir, "results.parquet"));
    renameSync(csvTmp, join(outDir, "results.csv"));
    renameSync(classesTmp, join(outDir, "results-classes.parquet"));
    if (explorerWritten) renameSync(explorerTmp, join(outDir, "results.duckdb"));

    const runs = shards.flatMap((s) => s.runs);
    const sources = shards.flatMap((s) => s.sources);
    const writeups = [...new Set(shards.flatMap((s) => s.writeups))].sort();
    const rows = offset.rows;
    const storeHash = createHash("sha256")
      .update(shards.flatMap((s) => s.digests).join("\n"))
      .digest("hex");
    prune(join(outDir, "raw"), ".txt", new Set([...inputs, ...writeups]));
    prune(join(outDir, "runs"), ".json", new Set(runs.map((r) => r.id)));
    writeDerived(join(outDir, "runs.json"), JSON.stringify(runs));
    writeDerived(join(outDir, "sources.json"), JSON.stringify(sources));
    writeDerived(
      join(outDir, "manifest.json"),
      JSON.stringify(
        {
          schema: SCHEMA_VERSION,
          store: storeHash,
          inputs,
          writeups,
          runs: runs.length,
          rows,
          classes: classes.length,
          run_ids: runs.map((r) => r.id)
        },
        null,
        2
      )
    );
    lap("indexes");
    await writeHistory(connection, join(outDir, "results.parquet"), outDir);
    lap("history");
    return {
      inputs: sources.length,
      runs: runs.length,
      rows,
      parquetBytes: statSync(join(outDir, "results.parquet")).size,
      csvBytes: statSync(join(outDir, "results.csv")).size,
      classesBytes: statSync(join(outDir, "results-classes.parquet")).size,
      explorerBytes: statSync(join(outDir, "results.duckdb")).size,
      classes: classes.length,
      storeHash,
      shards: shards.length,
      seconds,
      cpuSeconds
    };
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(work, {recursive: true, force: true});
  }
}

/** Every shard's result; a failure is thrown once every worker has stopped (none still writes into the output). */
async function allShards(pending: Promise<ShardResult>[]): Promise<ShardResult[]> {
  const settled = await Promise.allSettled(pending);
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<ShardResult>).value);
}

/** A shard on its own worker thread (shard-worker.ts). */
function onWorker(task: ShardTask): Promise<ShardResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./shard-worker-entry.mjs", import.meta.url), {workerData: task});
    let answer: {result?: ShardResult; error?: {message: string}} | null = null;
    worker.once("message", (message) => (answer = message));
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (answer?.result) resolve(answer.result);
      else reject(new Error(answer?.error?.message ?? `an export worker stopped (exit code ${code}) before answering`));
    });
  });
}

/**
 * results.csv's columns, text cells that a spreadsheet would run as a formula
 * (starting with = + - @, a tab or a carriage return) prefixed with ' (OWASP's
 * CSV-injection advice). Numbers stay numbers: numeric columns are not text,
 * and a text cell that is a plain number (`-5.2`) is left as it is.
 */
export function csvSafeColumns(columns: readonly string[], quoted: (name: string) => string): string {
  const types = new Map(ROW_COLUMNS);
  return columns
    .map((name) => {
      const c = quoted(name);
      if (types.get(name) !== "VARCHAR") return c;
      return `CASE WHEN left(${c}, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) AND NOT regexp_full_match(${c}, '[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?') THEN '''' || ${c} ELSE ${c} END AS ${c}`;
    })
    .join(", ");
}
