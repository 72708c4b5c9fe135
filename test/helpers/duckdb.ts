/**
 * What DuckDB in Node answers to a query, as plain JavaScript row objects
 * (a fresh in-memory database for each query).
 */
import {DuckDBInstance} from "@duckdb/node-api";

export async function duckdbRows(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Column names and types, and every row in order, of a table as DuckDB in Node reads it. */
export interface TableContent {
  columns: {name: string; type: string}[];
  rows: Record<string, unknown>[];
}

/**
 * What results.duckdb's table `results` holds and what results.parquet
 * holds, read the same way: the explorer's copy must equal the Parquet file.
 */
export async function explorerDbAndParquet(
  database: string,
  parquet: string
): Promise<{database: TableContent; parquet: TableContent}> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const read = async (from: string): Promise<TableContent> => ({
    columns: (await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${from}`))
      .getRowObjectsJS()
      .map((c) => ({name: c.column_name as string, type: c.column_type as string})),
    rows: (await connection.runAndReadAll(`SELECT * FROM ${from}`)).getRowObjectsJS() as Record<string, unknown>[]
  });
  try {
    await connection.run(`ATTACH ${quote(database)} AS explorer (READ_ONLY)`);
    return {database: await read("explorer.results"), parquet: await read(`read_parquet(${quote(parquet)})`)};
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
