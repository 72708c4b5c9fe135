import {resolve} from "node:path";
import {Store} from "../store/store.js";
import type {ParsedArgs} from "./command.js";
import {single} from "./command.js";
import type {Terminal} from "./io.js";

/** The store: `--store DIR`, else $BENCHBOOK_STORE, else ./data. */
export function storeFrom(args: ParsedArgs, terminal: Terminal): Store {
  return new Store(resolve(terminal.cwd, single(args, "store") ?? terminal.env.BENCHBOOK_STORE ?? "data"));
}

export const STORE_HELP = "  --store DIR      the store (default: $BENCHBOOK_STORE or ./data)";
