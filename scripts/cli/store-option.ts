import {resolve} from "node:path";
import {Store, type StoredInput} from "../store/store.js";
import type {Option, ParsedArgs} from "./command.js";
import {single} from "./command.js";
import type {Terminal} from "./io.js";

/** The store: `--store DIR`, else $BENCHBOOK_STORE, else ./data. */
export function storeFrom(args: ParsedArgs, terminal: Terminal): Store {
  return new Store(resolve(terminal.cwd, single(args, "store") ?? terminal.env.BENCHBOOK_STORE ?? "data"));
}

export const STORE_OPTION: Option = {
  name: "store",
  value: "DIR",
  description: "the store (default: $BENCHBOOK_STORE or ./data)"
};

/**
 * After a command wrote the store: bring its index up to date
 * (scripts/query/index.ts). A failure here loses nothing: the runs files are
 * written, and the next read rebuilds what is stale.
 */
export async function indexAfterWrite(
  store: Store,
  terminal: Terminal,
  fresh?: ReadonlyMap<string, StoredInput>
): Promise<void> {
  try {
    await (await import("../query/index.js")).updateIndex(store, fresh);
  } catch (error) {
    terminal.err(
      `benchbook: the store's index was not updated (${(error as Error).message}); the next read rebuilds it\n`
    );
  }
}
