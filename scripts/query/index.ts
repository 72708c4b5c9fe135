/**
 * The store's columnar index: each runs file's rows and runs as Parquet in `<store>/.index/<version>/`, named by
 * the runs file's sha256, size and mtime, so any rewrite is seen at the next read. The runs files stay the truth;
 * the index is a cache.
 */
import {DuckDBInstance, type DuckDBConnection} from "@duckdb/node-api";
import {createHash} from "node:crypto";
import {existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {COLUMNS, hardwareLabel, modelLabel, resultColumns, runColumns, type Row} from "../schema/row.js";
import type {Result} from "../schema/schema.js";
import type {StoredInput, Store} from "../store/store.js";
import {converter, createTable, sqlString, type ColumnSpec} from "../export/duckdb-table.js";
import {runEfficiency, type RunEfficiency} from "../efficiency/efficiency.js";

/** Bump when what an index file holds changes without the flat row's columns changing. */
const INDEX_FORMAT = 1;

const RUN_COLUMNS = COLUMNS.filter((c) => c.level === "run");
const RESULT_COLUMNS = COLUMNS.filter((c) => c.level === "result");

/**
 * An input's index is three tables. `groups`: the run-level columns of the
 * flat row, once per run and per model/settings its results override (as
 * the export stages them), with `_input` (the input's sha256), `_group`
 * (from 0 in the input) and `_run` (the run's place in the input).
 * `results`: the result-level columns, with `_input`, `_group` and `_ord`
 * (the result's place in the input: store order). `runs`: one row per run,
 * what `benchbook list` prints. connection.ts joins groups and results into
 * the flat row; queries on run-level columns read only the groups.
 */
export const GROUPS_SPEC: ColumnSpec[] = [
  {name: "_input", type: "VARCHAR"},
  {name: "_group", type: "INTEGER"},
  {name: "_run", type: "INTEGER"},
  ...RUN_COLUMNS
];
export const RESULTS_SPEC: ColumnSpec[] = [
  {name: "_input", type: "VARCHAR"},
  {name: "_group", type: "INTEGER"},
  {name: "_ord", type: "INTEGER"},
  ...RESULT_COLUMNS
];
export const RUNS_SPEC: ColumnSpec[] = [
  {name: "_input", type: "VARCHAR"},
  {name: "_run", type: "INTEGER"},
  {name: "run_id", type: "VARCHAR"},
  {name: "file", type: "VARCHAR"},
  {name: "run_line_start", type: "INTEGER"},
  {name: "run_line_end", type: "INTEGER"},
  {name: "tool", type: "VARCHAR"},
  {name: "model_label", type: "VARCHAR"},
  {name: "hardware", type: "VARCHAR"},
  {name: "date", type: "VARCHAR"},
  {name: "results", type: "INTEGER"},
  {name: "tags", type: "VARCHAR"}
];

/** The tables of an index entry, each one Parquet file. */
export const TABLES = {groups: GROUPS_SPEC, results: RESULTS_SPEC, runs: RUNS_SPEC};
export type Table = keyof typeof TABLES;
const TABLE_NAMES = Object.keys(TABLES) as Table[];

/** The index folder of a store, named by the index format and the flat row's columns. */
export function indexDir(store: Store): string {
  const version = createHash("sha1")
    .update(JSON.stringify([INDEX_FORMAT, TABLES]))
    .digest("hex")
    .slice(0, 12);
  return join(store.root, ".index", version);
}

/** An input's index files, named by its runs file as it is now. */
export interface IndexEntry {
  sha256: string;
  /** `<sha>.<size>.<mtimeNs>`: the runs file this entry was (or is to be) built from. */
  key: string;
  /** Its Parquet files. */
  files: Record<Table, string>;
}

function entryFor(store: Store, dir: string, sha256: string): IndexEntry | null {
  const key = store.runsKey(sha256);
  if (key === null) return null; // removed since the store was listed
  return {
    sha256,
    key,
    files: Object.fromEntries(TABLE_NAMES.map((t) => [t, join(dir, `${key}.${t}.parquet`)])) as Record<Table, string>
  };
}

/** One DuckDB database for building index files, opened when the first one is built. */
class Builder {
  private connection: Promise<{instance: DuckDBInstance; connection: DuckDBConnection}> | null = null;
  private readonly toGroup = RUN_COLUMNS.map((c) => converter(c.type));
  private readonly toResult = RESULT_COLUMNS.map((c) => converter(c.type));
  private readonly toRun = RUNS_SPEC.map((c) => converter(c.type));

  private open() {
    return (this.connection ??= (async () => {
      const instance = await DuckDBInstance.create(":memory:", {threads: "1"});
      return {instance, connection: await instance.connect()};
    })());
  }

  /** Write an input's index files (each through a temporary file renamed into place, `runs` last). */
  async build(entry: IndexEntry, input: StoredInput): Promise<void> {
    const {connection} = await this.open();
    for (const table of TABLE_NAMES) await connection.run(`DROP TABLE IF EXISTS ${table}`);
    const groups = await createTable(connection, "groups", GROUPS_SPEC);
    const results = await createTable(connection, "results", RESULTS_SPEC);
    const runs = await createTable(connection, "runs", RUNS_SPEC);
    const sha = input.source.sha256;
    let ord = 0;
    let groupCount = 0;
    input.runs.forEach((run, runOrdinal) => {
      // A group: the run with the model and settings its results override, and its efficiency (the same for each of them).
      const groupIds = new Map<string, {id: number; efficiency: RunEfficiency}>();
      // Results that share their override objects (the fast path's, plain-runs.ts) share their group: looked up once.
      let last: {model?: object; settings?: object; group: {id: number; efficiency: RunEfficiency}} | null = null;
      const groupOf = (r: Result) => {
        if (last !== null && r.model === last.model && r.settings === last.settings && (r.model || r.settings))
          return last.group;
        const key = r.model || r.settings ? JSON.stringify([r.model ?? null, r.settings ?? null]) : "";
        let group = groupIds.get(key);
        if (group === undefined) {
          const efficiency = runEfficiency(run, r);
          const columns = runColumns(run, r, true, efficiency);
          groupIds.set(key, (group = {id: groupCount++, efficiency}));
          groups.push([sha, group.id, runOrdinal, ...RUN_COLUMNS.map((c, i) => this.toGroup[i](columns[c.name]))]);
        }
        last = {model: r.model, settings: r.settings, group};
        return group;
      };
      // A run without results still has its run-level row (list and the selectors see it).
      if (run.results.length === 0) groupOf({} as Result);
      for (const r of run.results) {
        const group = groupOf(r);
        const columns: Row = resultColumns(r, true, group.efficiency);
        const row = [sha, group.id, ord++];
        for (let i = 0; i < RESULT_COLUMNS.length; i++)
          row.push(this.toResult[i](columns[RESULT_COLUMNS[i].name]) as number);
        results.push(row);
      }
      const runRow: Row = {
        _input: sha,
        _run: runOrdinal,
        run_id: run.id,
        file: input.source.name,
        run_line_start: run.source.line_start,
        run_line_end: run.source.line_end,
        tool: run.tool,
        model_label: modelLabel(run.model),
        hardware: hardwareLabel(run),
        date: run.started_at ?? run.imported_at,
        results: run.results.length,
        tags: JSON.stringify(run.tags)
      };
      runs.push(RUNS_SPEC.map((c, i) => this.toRun[i](runRow[c.name])));
    });
    groups.close();
    results.close();
    runs.close();
    const tmp = (path: string) => `${path}.tmp-${process.pid}`;
    try {
      for (const table of TABLE_NAMES)
        await connection.run(`COPY ${table} TO ${sqlString(tmp(entry.files[table]))} (FORMAT parquet)`);
      for (const table of TABLE_NAMES) renameSync(tmp(entry.files[table]), entry.files[table]);
    } finally {
      for (const table of TABLE_NAMES) rmSync(tmp(entry.files[table]), {force: true});
    }
  }

  close(): void {
    void this.connection?.then(({instance, connection}) => {
      connection.closeSync();
      instance.closeSync();
    });
  }
}

export interface SyncOptions {
  /** Delete index files no runs file has now (a writer's or reindex's job: a reader leaves them). */
  prune?: boolean;
  /** Build every input's files again. */
  rebuild?: boolean;
  /**
   * Inputs a write has in memory, by the runs file key (Store.runsKey) it
   * read right after writing them: built from these instead of reading the
   * runs file back, while the file still has that key. Only inputs whose
   * runs read back the same from JSON (the import's fast path).
   */
  fresh?: ReadonlyMap<string, StoredInput>;
}

export interface IndexState {
  /** Every input's entry, in store order. */
  entries: IndexEntry[];
  /** Inputs whose files were built now. */
  built: number;
  /** Files deleted (prune). */
  pruned: number;
}

/**
 * Bring the index up to date with the runs files: build the files of every
 * input whose runs file has no entry under its current size and mtime. One
 * input's runs are in memory at a time.
 */
export async function syncIndex(store: Store, options: SyncOptions = {}): Promise<IndexState> {
  const dir = indexDir(store);
  const entries = store.inputs().flatMap((sha) => entryFor(store, dir, sha) ?? []);
  const present = existsSync(dir) ? new Set(readdirSync(dir)) : new Set<string>();
  const complete = (e: IndexEntry) => TABLE_NAMES.every((t) => present.has(`${e.key}.${t}.parquet`));
  const missing = entries.filter((e) => options.rebuild || !complete(e));
  if (missing.length) {
    mkdirSync(dir, {recursive: true});
    const ignore = join(store.root, ".index", ".gitignore");
    if (!existsSync(ignore))
      writeFileSync(ignore, "# benchbook's index of the runs files (a cache: `benchbook reindex` rebuilds it)\n*\n");
    const builder = new Builder();
    try {
      for (const entry of missing)
        await builder.build(entry, options.fresh?.get(entry.key) ?? store.read(entry.sha256));
    } finally {
      builder.close();
    }
  }
  let pruned = 0;
  if (options.prune) {
    const wanted = new Set(entries.flatMap((e) => TABLE_NAMES.map((t) => `${e.key}.${t}.parquet`)));
    for (const name of present) {
      if (!wanted.has(name) && !name.includes(".tmp-")) {
        rmSync(join(dir, name), {force: true});
        pruned++;
      }
    }
    // Index folders of other versions of benchbook.
    const top = join(store.root, ".index");
    if (existsSync(top))
      for (const name of readdirSync(top))
        if (name !== ".gitignore" && join(top, name) !== dir) rmSync(join(top, name), {recursive: true, force: true});
  }
  return {entries, built: missing.length, pruned};
}

/** What a write calls when it is done: the index follows the runs files it wrote. */
export function updateIndex(store: Store, fresh?: ReadonlyMap<string, StoredInput>): Promise<IndexState> {
  return syncIndex(store, {prune: true, fresh});
}
