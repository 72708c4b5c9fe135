import {removeInputs, selectInputs} from "../../store/curate.js";
import type {Command} from "../command.js";
import {UsageError} from "../io.js";
import {STORE_OPTION, storeFrom} from "../store-option.js";

export const removeCommand: Command = {
  name: "remove",
  summary: "remove stored inputs and their runs",
  usage: "<run-id|sha256-prefix|file>... [options]",
  about: `Removes inputs from the store: the runs read from each, its raw copy, and its
attachments that no other input uses. Runs come from an input and go with it:
naming one run (its id, or an id prefix) removes the whole input it came from,
and says which runs go. An input can also be named by the start of its sha256
(4 hex digits or more) or by its file name as imported (or its base name). The runs file goes
first, so the input is gone at once or not at all; importing the same bytes
again brings it back.`,
  options: [
    {name: "dry-run", description: "report what would be removed, remove nothing"},
    {name: "json", description: "print the outcome as JSON (one object per input)"},
    STORE_OPTION
  ],
  footer: "Exit status 2 if a name matches nothing.",
  async run(args, terminal) {
    const names = args._.map(String);
    if (names.length === 0)
      throw new UsageError("remove needs the runs or inputs to remove (run ids, sha256 prefixes or file names)");
    const store = storeFrom(args, terminal);
    const {selected, unmatched} = selectInputs(store, names);
    if (unmatched.length)
      throw new UsageError(
        `no stored run or input matches ${unmatched.map((n) => JSON.stringify(n)).join(", ")} in ${store.root}`
      );
    const outcomes = removeInputs(store, selected, {dryRun: args["dry-run"]});
    if (args.json) {
      terminal.out(JSON.stringify(outcomes, null, 2) + "\n");
      return 0;
    }
    const verb = args["dry-run"] ? "would remove" : "removed";
    for (const o of outcomes) {
      terminal.out(
        `${verb.padEnd(13)}${o.name} (input ${o.sha256.slice(0, 12)}; named by ${o.by.join(", ")}): ${o.runs.length} run${o.runs.length === 1 ? "" : "s"} (${o.runs.join(", ")}), ${o.results} results, ${o.files.length} files\n`
      );
    }
    terminal.out(
      `${outcomes.length} input${outcomes.length === 1 ? "" : "s"} ${verb}${args["dry-run"] ? " (dry run, nothing removed)" : ""}\n`
    );
    return 0;
  }
};
