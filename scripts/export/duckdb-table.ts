/**
 * Staging rows in DuckDB from Node: tables filled a chunk at a time, and the
 * ENUM-coded copies the export sorts (export.ts).
 */
import {DuckDBDataChunk, listValue, type DuckDBType, BIGINT, DOUBLE, INTEGER, LIST, VARCHAR} from "@duckdb/node-api";
import type {DuckDBAppender, DuckDBConnection, DuckDBValue} from "@duckdb/node-api";
import type {Row} from "../schema/row.js";

/** A staged column: its name and DuckDB type (scripts/schema/row.ts types). */
export interface ColumnSpec {
  name: string;
  type: string;
}

const TYPES: Record<string, DuckDBType> = {VARCHAR, DOUBLE, INTEGER, BIGINT, "DOUBLE[]": LIST(DOUBLE)};
const CHUNK = 2048;

export const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
export const quoted = (name: string) => `"${name}"`;

/** A column's value as DuckDB takes it (one function per column type, chosen once). */
export function converter(type: string): (value: Row[string]) => DuckDBValue {
  if (type === "BIGINT") return (value) => (value === null || value === undefined ? null : BigInt(value as number));
  if (type === "DOUBLE[]")
    return (value) => (value === null || value === undefined ? null : listValue(value as number[]));
  if (type === "VARCHAR") return (value) => (value === null || value === undefined ? null : String(value));
  return (value) => (value === null || value === undefined ? null : (value as number));
}

/**
 * Appends rows to a table a chunk at a time: numbers go in without a call
 * into DuckDB per value, which matters at a million rows.
 */
export class ChunkWriter {
  private columns: DuckDBValue[][];
  private readonly types: DuckDBType[];
  constructor(
    private readonly appender: DuckDBAppender,
    private readonly spec: readonly ColumnSpec[]
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

export async function createTable(
  connection: DuckDBConnection,
  name: string,
  spec: readonly ColumnSpec[]
): Promise<ChunkWriter> {
  await connection.run(`CREATE TABLE ${name} (${spec.map((c) => `${quoted(c.name)} ${c.type}`).join(", ")})`);
  return new ChunkWriter(await connection.createAppender(name), spec);
}

/**
 * Text columns whose ENUM has at most this many values are written as ENUMs:
 * DuckDB then writes the type's own dictionary into each row group instead
 * of hashing every string (about three times faster for results.parquet),
 * and the column reads back as plain UTF8 text. Every value of the type is
 * in every row group's dictionary, so a column with more values is cast
 * back to text first: a page reading one row group never fetches a long
 * dictionary of other runs' values.
 */
export const ENUM_WRITE_MAX = 1024;

/** A staged table's coded copy (codedTable). */
export interface CodedTable {
  name: string;
  /** Coded columns with more than ENUM_WRITE_MAX values: cast back to text before they are written. */
  castBack: Set<string>;
  /** Each coded column's ENUM type, quoted. */
  types: Map<string, string>;
}

/**
 * A copy of a staged table whose text columns are ENUM types made of their
 * own distinct values. The site's row order needs an ORDER BY over the
 * joined rows (DuckDB keeps no row order through a join), and a sort
 * carries every column along: as ENUM codes, the run-level text a million
 * rows repeat costs the sort a byte or two per value instead of the string.
 */
export async function codedTable(
  connection: DuckDBConnection,
  table: string,
  spec: readonly ColumnSpec[]
): Promise<CodedTable> {
  const text = spec.filter((c) => c.type === "VARCHAR");
  const counts = text.length
    ? ((
        await connection.runAndReadAll(
          `SELECT ${text.map((c) => `count(DISTINCT ${quoted(c.name)})`).join(", ")} FROM ${table}`
        )
      ).getRows()[0] as bigint[])
    : [];
  const castBack = new Set(text.filter((_, i) => Number(counts[i]) > ENUM_WRITE_MAX).map((c) => c.name));
  const select = [];
  const types = new Map<string, string>();
  for (const c of spec) {
    if (c.type !== "VARCHAR") select.push(quoted(c.name));
    else {
      const type = quoted(`${table}_${c.name}`);
      await connection.run(
        `CREATE TYPE ${type} AS ENUM (SELECT DISTINCT ${quoted(c.name)} FROM ${table} WHERE ${quoted(c.name)} IS NOT NULL)`
      );
      select.push(`${quoted(c.name)}::${type} AS ${quoted(c.name)}`);
      types.set(c.name, type);
    }
  }
  await connection.run(`CREATE TABLE ${table}_coded AS SELECT ${select.join(", ")} FROM ${table}`);
  return {name: `${table}_coded`, castBack, types};
}
