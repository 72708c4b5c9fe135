/**
 * SQL over every result in the browser: DuckDB-wasm (`eh` bundle) in a worker, attaching results.duckdb
 * (scripts/export/explorer-db.ts) by URL, so DuckDB never fetches its parquet extension from the internet.
 */
import * as duckdb from "@duckdb/duckdb-wasm";
import * as Inputs from "@observablehq/inputs";

export interface QueryResult {
  columns: string[];
  rows: Record<string, unknown>[];
}

export interface ResultsDb {
  /** Rows loaded into `results`. */
  rows: number;
  query(sql: string): Promise<QueryResult>;
  close(): Promise<void>;
}

/** Example queries shown under the editor: each runs on any store. */
export const EXAMPLE_QUERIES: {label: string; sql: string}[] = [
  {
    label: "Results per tool and metric",
    sql: "SELECT tool, metric, unit, count(*) AS results\nFROM results\nGROUP BY ALL\nORDER BY results DESC"
  },
  {
    label: "Fastest generation per machine",
    sql: "SELECT hardware, model_label, test, max(value) AS tok_s\nFROM results\nWHERE metric = 'throughput' AND kind = 'tg' AND stat = 'mean' AND status = 'ok'\nGROUP BY ALL\nORDER BY tok_s DESC\nLIMIT 20"
  },
  {
    label: "Serving latency percentiles",
    sql: "SELECT runtime, model_label, concurrency, metric, stat, value, unit\nFROM results\nWHERE metric IN ('ttft', 'tpot', 'itl', 'e2el') AND scope = 'run'\nORDER BY runtime, concurrency, metric, stat"
  },
  {
    label: "Failed configurations",
    sql: "SELECT run_id, test, status, status_detail\nFROM results\nWHERE status <> 'ok'"
  },
  {
    label: "Hand-entered values",
    sql: "SELECT run_id, metric, stat, value, unit, text\nFROM results\nWHERE origin = 'hand-entered'"
  }
];

/** Plain JS values for display and downloads: BigInt → number, Arrow lists → arrays. */
function plain(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (value && typeof value === "object" && typeof (value as {toArray?: unknown}).toArray === "function")
    return Array.from((value as {toArray(): ArrayLike<unknown>}).toArray(), plain);
  return value;
}

/** DuckDB-wasm started offline, with one connection. */
export interface StartedDuckDB {
  db: duckdb.AsyncDuckDB;
  connection: duckdb.AsyncDuckDBConnection;
  worker: Worker;
}

/** Start DuckDB-wasm: the eh bundle, in a module worker, never fetching an extension. */
export async function startDuckDB(): Promise<StartedDuckDB> {
  // Framework copies both files from node_modules into the build; the worker is rebundled as an ES module.
  const wasm = import.meta.resolve("@duckdb/duckdb-wasm/dist/duckdb-eh.wasm");
  const workerUrl = import.meta.resolve("@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js");
  const worker = new Worker(workerUrl, {type: "module"});
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  await db.instantiate(wasm);
  await db.open({
    query: {castBigIntToDouble: true},
    // Offline: never fetch an extension from the internet (json, parquet… are not bundled).
    allowUnsignedExtensions: false,
    autoLoadExtensions: false,
    // Read files by URL with range requests (by default DuckDB-wasm 1.32 fetches them whole);
    // a whole read remains the fallback for a server that answers no ranges.
    filesystem: {forceFullHTTPReads: false, allowFullHTTPReads: true}
  } as duckdb.DuckDBConfig);
  const connection = await db.connect();
  await connection.query("SET autoinstall_known_extensions = false");
  await connection.query("SET autoload_known_extensions = false");
  return {db, connection, worker};
}

/** The page's handle on a started DuckDB whose table or view `results` holds `rows` rows. */
export function resultsDb({db, connection, worker}: StartedDuckDB, rows: number): ResultsDb {
  return {
    rows,
    async query(sql: string): Promise<QueryResult> {
      const result = await connection.query(sql);
      const columns = result.schema.fields.map((f) => f.name);
      const rows = result.toArray().map((row) => {
        const object = row.toJSON() as Record<string, unknown>;
        for (const key of columns) object[key] = plain(object[key]);
        return object;
      });
      return {columns, rows};
    },
    async close() {
      await connection.close();
      await db.terminate();
      worker.terminate();
    }
  };
}

/**
 * DuckDB-wasm with the explorer's database (results.duckdb, written by the
 * export from results.parquet) at `url` attached read-only: DuckDB reads the
 * blocks each query needs with HTTP range requests, so nothing is converted
 * or copied before the first query. `results` is a view over its table, so
 * queries may still create tables of their own (in memory).
 */
export async function openResultsDb(url: string): Promise<ResultsDb> {
  const started = await startDuckDB();
  // The worker fetches the file itself: give it an absolute URL.
  await started.db.registerFileURL(
    "results.duckdb",
    new URL(url, location.href).href,
    duckdb.DuckDBDataProtocol.HTTP,
    false
  );
  await started.connection.query("ATTACH 'results.duckdb' AS explorer (READ_ONLY)");
  await started.connection.query("CREATE VIEW results AS SELECT * FROM explorer.results");
  const [{n}] = (await started.connection.query("SELECT count(*) AS n FROM results")).toArray();
  return resultsDb(started, Number(n));
}

/** Cells for CSV/Markdown downloads: lists and objects as JSON text. */
export function downloadRows(result: QueryResult): Record<string, string | number | boolean | null>[] {
  return result.rows.map((row) =>
    Object.fromEntries(
      result.columns.map((c) => {
        const v = row[c];
        return [
          c,
          v === null || v === undefined
            ? null
            : typeof v === "object"
              ? JSON.stringify(v)
              : (v as string | number | boolean)
        ];
      })
    )
  );
}

export function resultTable(result: QueryResult): HTMLElement {
  return Inputs.table(downloadRows(result), {
    columns: result.columns,
    rows: 20,
    layout: "auto",
    select: false
  }) as HTMLElement;
}

/**
 * A SQL editor whose value is the query last run: Run (or Ctrl/⌘+Enter) and
 * the example buttons set it and dispatch `input`, so `view(sqlEditor(…))`
 * re-runs dependent cells.
 */
export function sqlEditor(initial: string, examples = EXAMPLE_QUERIES): HTMLElement & {value: string} {
  const form = document.createElement("form") as unknown as HTMLFormElement & {value: string};
  form.className = "bb-sql";
  const textarea = document.createElement("textarea");
  textarea.name = "sql";
  textarea.rows = 8;
  textarea.spellcheck = false;
  textarea.value = initial;
  textarea.setAttribute("aria-label", "SQL query");
  const run = document.createElement("button");
  run.type = "submit";
  run.textContent = "Run";
  const list = document.createElement("div");
  list.className = "bb-sql-examples";
  list.append("Examples: ");
  for (const example of examples) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = example.label; // text, never HTML
    button.dataset.example = example.label;
    button.onclick = () => {
      textarea.value = example.sql;
      submit();
    };
    list.append(button, " ");
  }
  const submit = () => {
    form.value = textarea.value;
    form.dispatchEvent(new Event("input", {bubbles: true}));
  };
  form.onsubmit = (event) => {
    event.preventDefault();
    submit();
  };
  // Typing is not running: without this, each keystroke's input event would reach view() and run the last query again.
  textarea.oninput = (event) => event.stopPropagation();
  textarea.onkeydown = (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  };
  form.append(textarea, run, list);
  form.value = initial;
  return form;
}
