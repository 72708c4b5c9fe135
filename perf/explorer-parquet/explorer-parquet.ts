/**
 * SQL over every result, in the browser: DuckDB-wasm 1.32 from node_modules
 * (the `eh` bundle only), run in a module worker, with results.parquet read
 * by hyparquet and handed to DuckDB as Arrow — so DuckDB never needs its
 * parquet extension, which it would otherwise fetch from the internet. The
 * table is `results` (columns in docs/schema.md). Loaded only by the page
 * that imports this module.
 *
 * @example
 *   const db = await openResultsDb(await FileAttachment("data/results.parquet").arrayBuffer());
 *   const result = await db.query("SELECT hardware, count(*) AS n FROM results GROUP BY ALL");
 *   display(resultTable(result));
 */
import * as duckdb from "@duckdb/duckdb-wasm";
import * as arrow from "apache-arrow";
import {parquetMetadata, parquetRead, parquetSchema} from "hyparquet";
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

interface SchemaNode {
  element: {name: string; type?: string; converted_type?: string; logical_type?: {type: string}};
  children: SchemaNode[];
}

/** Rows converted and handed to DuckDB at a time: bounds the page's memory at any store size. */
const BATCH_ROWS = 65_536;

/** A column's values (as hyparquet decodes them) → Arrow data, by the column's Parquet type. */
type ColumnBuilder = (values: unknown[]) => arrow.Data;

function nullBitmap(values: unknown[]): {nullBitmap: Uint8Array; nullCount: number} {
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null || values[i] === undefined) nullCount++;
    else bitmap[i >> 3] |= 1 << (i & 7);
  }
  return {nullBitmap: bitmap, nullCount};
}

function numbers(
  type: arrow.Int32 | arrow.Float64,
  Typed: Int32ArrayConstructor | Float64ArrayConstructor
): ColumnBuilder {
  return (values) => {
    const data = new Typed(values.length);
    for (let i = 0; i < values.length; i++)
      data[i] = values[i] === null || values[i] === undefined ? 0 : Number(values[i]);
    return arrow.makeData({type, length: values.length, data, ...nullBitmap(values)} as never);
  };
}

function int64s(): ColumnBuilder {
  const type = new arrow.Int64();
  return (values) => {
    const data = new BigInt64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v !== null && v !== undefined) data[i] = typeof v === "bigint" ? v : BigInt(v as number);
    }
    return arrow.makeData({type, length: values.length, data, ...nullBitmap(values)});
  };
}

/**
 * Text as a dictionary (indices into the distinct values of the batch): most
 * text columns repeat a few values (a run's command on each of its rows), and
 * encoding each distinct string once is what makes a million rows cheap.
 */
function strings(): ColumnBuilder {
  const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
  return (values) => {
    const ids = new Map<string, number>();
    const distinct: string[] = [];
    const indices = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || v === undefined) continue;
      const text = typeof v === "string" ? v : String(v);
      let id = ids.get(text);
      if (id === undefined) {
        id = distinct.length;
        ids.set(text, id);
        distinct.push(text);
      }
      indices[i] = id;
    }
    const dictionary = arrow.vectorFromArray(distinct, new arrow.Utf8());
    return arrow.makeData({type, length: values.length, data: indices, dictionary, ...nullBitmap(values)});
  };
}

/** Per-repetition samples: a list of doubles per row. */
function doubleLists(): ColumnBuilder {
  const type = new arrow.List(new arrow.Field("item", new arrow.Float64(), true));
  return (values) => {
    const offsets = new Int32Array(values.length + 1);
    let total = 0;
    for (let i = 0; i < values.length; i++) {
      total += Array.isArray(values[i]) ? (values[i] as unknown[]).length : 0;
      offsets[i + 1] = total;
    }
    const items = new Float64Array(total);
    const itemValid = new Uint8Array((total + 7) >> 3);
    let itemNulls = 0;
    let at = 0;
    for (const v of values) {
      if (!Array.isArray(v)) continue;
      for (const x of v) {
        if (x === null || x === undefined) itemNulls++;
        else {
          items[at] = Number(x);
          itemValid[at >> 3] |= 1 << (at & 7);
        }
        at++;
      }
    }
    const child = arrow.makeData({
      type: type.children[0].type,
      length: total,
      data: items,
      nullBitmap: itemValid,
      nullCount: itemNulls
    });
    return arrow.makeData({type, length: values.length, valueOffsets: offsets, child, ...nullBitmap(values)});
  };
}

/** The builder of a top-level Parquet column, from its schema element. */
function columnBuilder(node: SchemaNode): ColumnBuilder {
  if (node.children.length) return doubleLists();
  switch (node.element.type) {
    case "INT32":
      return numbers(new arrow.Int32(), Int32Array);
    case "INT64":
      return int64s();
    case "FLOAT":
    case "DOUBLE":
      return numbers(new arrow.Float64(), Float64Array);
    default:
      return strings();
  }
}

/**
 * A results.parquet as Arrow tables of at most BATCH_ROWS rows, read row
 * group by row group (hyparquet), column by column. Types follow the Parquet
 * schema, so every batch has the same Arrow schema: INT32 → Int32, INT64 →
 * Int64, DOUBLE → Float64, text → dictionary-encoded Utf8, samples → List of
 * Float64. Values are passed through unchanged.
 */
export async function* parquetToArrow(file: ArrayBuffer, batchRows = BATCH_ROWS): AsyncGenerator<arrow.Table> {
  const metadata = parquetMetadata(file);
  const schema = parquetSchema(metadata) as unknown as SchemaNode;
  const names = schema.children.map((node) => node.element.name);
  const builders = schema.children.map(columnBuilder);
  let rowStart = 0;
  const groups = metadata.row_groups.map((g) => Number(g.num_rows));
  // An empty store still makes a table with every column.
  if (groups.length === 0)
    yield new arrow.Table(Object.fromEntries(names.map((name, i) => [name, arrow.makeVector(builders[i]([]))])));
  for (let g = 0; g < groups.length;) {
    let rows = 0;
    while (g < groups.length && (rows === 0 || rows + groups[g] <= batchRows)) rows += groups[g++];
    const columns = new Map<string, unknown[]>(names.map((name) => [name, new Array(rows).fill(null)]));
    await parquetRead({
      file,
      metadata,
      rowStart,
      rowEnd: rowStart + rows,
      onChunk({columnName, columnData, rowStart: chunkStart}) {
        const target = columns.get(columnName)!;
        const offset = chunkStart - rowStart;
        for (let i = 0; i < columnData.length; i++)
          if (offset + i >= 0 && offset + i < rows) target[offset + i] = columnData[i];
      }
    });
    const vectors: Record<string, arrow.Vector> = {};
    names.forEach((name, i) => (vectors[name] = arrow.makeVector(builders[i](columns.get(name)!))));
    yield new arrow.Table(vectors);
    rowStart += rows;
  }
}

/** Plain JS values for display and downloads: BigInt → number, Arrow lists → arrays. */
function plain(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (value && typeof value === "object" && typeof (value as {toArray?: unknown}).toArray === "function")
    return Array.from((value as {toArray(): ArrayLike<unknown>}).toArray(), plain);
  return value;
}

/** Start DuckDB-wasm (eh bundle, module worker) and load the results into table `results`. */
/** `onProgress(rows, total)` after each batch of rows DuckDB has taken. */
export async function openResultsDb(
  file: ArrayBuffer,
  onProgress?: (rows: number, total: number) => void
): Promise<ResultsDb> {
  // Framework copies both files from node_modules into the build; the worker is rebundled as an ES module.
  const wasm = import.meta.resolve("@duckdb/duckdb-wasm/dist/duckdb-eh.wasm");
  const workerUrl = import.meta.resolve("@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js");
  const worker = new Worker(workerUrl, {type: "module"});
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  await db.instantiate(wasm);
  // Offline: never fetch an extension from the internet (json, parquet… are not bundled).
  await db.open({
    query: {castBigIntToDouble: true},
    allowUnsignedExtensions: false,
    autoLoadExtensions: false
  } as duckdb.DuckDBConfig);
  const connection = await db.connect();
  await connection.query("SET autoinstall_known_extensions = false");
  await connection.query("SET autoload_known_extensions = false");
  const total = Number(parquetMetadata(file).num_rows);
  let rows = 0;
  for await (const batch of parquetToArrow(file)) {
    await connection.insertArrowFromIPCStream(arrow.tableToIPC(batch, "stream"), {name: "results", create: rows === 0});
    rows += batch.numRows;
    onProgress?.(rows, total);
  }
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
