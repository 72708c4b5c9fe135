import {syncIndex} from "../../query/index.js";
import type {Command} from "../command.js";
import {STORE_OPTION, storeFrom} from "../store-option.js";

export const reindexCommand: Command = {
  name: "reindex",
  summary: "rebuild the store's index (the Parquet files every read queries) from its runs files",
  usage: "[options]",
  about: `Reads every runs file of the store and writes its index again
(<store>/.index/, Parquet files that list, compare and the other reads query
through DuckDB), deleting index files no runs file has. The runs files are
the source of truth: every write updates the index, and every read rebuilds
the part of it whose runs file changed, so this is only needed to start
afresh (docs/performance.md, "The store's index").`,
  options: [{name: "json", description: "print what was done as JSON"}, STORE_OPTION],
  async run(args, terminal) {
    const store = storeFrom(args, terminal);
    const started = performance.now();
    // Under the write lock: pruning must not delete the index of an input another import is adding.
    const state = await store.withLock(() => syncIndex(store, {rebuild: true, prune: true}));
    const seconds = (performance.now() - started) / 1000;
    if (args.json)
      terminal.out(
        JSON.stringify({inputs: state.entries.length, built: state.built, pruned: state.pruned, seconds}, null, 2) +
          "\n"
      );
    else
      terminal.out(
        `indexed ${state.built} input${state.built === 1 ? "" : "s"} of ${store.root} in ${seconds.toFixed(2)} s${state.pruned ? `; ${state.pruned} stale index files deleted` : ""}\n`
      );
    return 0;
  }
};
