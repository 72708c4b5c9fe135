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
