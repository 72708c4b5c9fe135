/** Every result of a store as a flat row (objects kept as objects), in store order. */
import {toRow, type Row} from "../schema/row.js";
import type {Store} from "../store/store.js";

export function storeRows(store: Store): Row[] {
  const rows: Row[] = [];
  for (const input of store.readAll())
    for (const run of input.runs) for (const result of run.results) rows.push(toRow(run, result, false));
  return rows;
}
