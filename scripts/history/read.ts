/**
 * The rows `benchbook history` reads: every result of the store as a flat
 * row. The one place history reads the store, so that the read can move to
 * DuckDB without touching the rest.
 */
import {storeRows} from "../compare/rows.js";
import type {Row} from "../schema/row.js";
import type {Store} from "../store/store.js";

export function readHistoryRows(store: Store): Row[] {
  return storeRows(store);
}
