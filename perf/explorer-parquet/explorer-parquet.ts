/**
 * The explorer's loading path before results.duckdb, kept as the baseline
 * `npm run perf -- site` measures beside it (perf/site.ts copies this file
 * into the site project it builds, beside explorer.ts, with
 * explorer-parquet.md as a page): results.parquet read by hyparquet,
 * converted to Arrow in JavaScript in batches of row groups, and inserted
 * into an in-memory DuckDB-wasm table.
 */
import * as arrow from "apache-arrow";
import {parquetMetadata, parquetRead, parquetSchema} from "hyparquet";
import {resultsDb, startDuckDB, type ResultsDb} from "../../src/components/pages/explorer.js";

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

/** DuckDB-wasm with every row of results.parquet (`file`) inserted into table `results`, batch by batch. */
export async function openParquetResultsDb(
  file: ArrayBuffer,
  onProgress?: (rows: number, total: number) => void
): Promise<ResultsDb> {
  const started = await startDuckDB();
  const total = Number(parquetMetadata(file).num_rows);
  let rows = 0;
  for await (const batch of parquetToArrow(file)) {
    await started.connection.insertArrowFromIPCStream(arrow.tableToIPC(batch, "stream"), {
      name: "results",
      create: rows === 0
    });
    rows += batch.numRows;
    onProgress?.(rows, total);
  }
  return resultsDb(started, rows);
}
