import {reparseStore} from "../../import/reparse.js";
import type {Command} from "../command.js";
import {indexAfterWrite, STORE_OPTION, storeFrom} from "../store-option.js";

export const reparseCommand: Command = {
  name: "reparse",
  summary: "re-read every raw input in the store with the current parsers",
  usage: "[options]",
  about: `Reads every raw input kept in the store again, with the parsers of this
benchbook, and rewrites its runs file (atomically) where the result changed.
Each input keeps its file name, tags and import time, so run ids stay the
same. Use it after benchbook learned a new format or fixed a parser. An input
that can no longer be read keeps its old runs and is reported; the exit status
is then 1.`,
  options: [
    {name: "dry-run", description: "report what would change, write nothing"},
    {name: "json", description: "print the outcome as JSON (one object per input)"},
    STORE_OPTION
  ],
  async run(args, terminal) {
    const store = storeFrom(args, terminal);
    const outcomes = reparseStore(store, {dryRun: args["dry-run"]});
    if (!args["dry-run"] && outcomes.some((o) => o.status === "changed")) await indexAfterWrite(store, terminal);
    const failed = outcomes.filter((o) => o.status === "failed");
    if (args.json) {
      terminal.out(
        JSON.stringify(
          outcomes.map((o) =>
            o.status === "failed"
              ? {name: o.name, sha256: o.sha256, status: o.status, before: o.before, error: o.error.message}
              : o
          ),
          null,
          2
        ) + "\n"
      );
      return failed.length ? 1 : 0;
    }
    if (outcomes.length === 0) {
      terminal.out(`no inputs in ${store.root}\n`);
      return 0;
    }
    const verb = args["dry-run"] ? "would change" : "changed";
    for (const o of outcomes) {
      if (o.status === "failed") {
        terminal.err(`${"failed".padEnd(13)}${o.name}: ${o.error.message} (its runs are kept as they were)\n`);
        continue;
      }
      const counts = `runs ${o.before.runs} → ${o.after.runs}, results ${o.before.results} → ${o.after.results}`;
      const formats =
        o.before.formats.join(", ") === o.after.formats.join(", ")
          ? ""
          : `; formats ${o.before.formats.join(", ") || "none"} → ${o.after.formats.join(", ")}`;
      terminal.out(`${(o.status === "changed" ? verb : "unchanged").padEnd(13)}${o.name}: ${counts}${formats}\n`);
      for (const note of o.notes) terminal.out(`${" ".repeat(13)}note: ${note}\n`);
    }
    const changed = outcomes.filter((o) => o.status === "changed").length;
    terminal.out(
      `${outcomes.length} input${outcomes.length === 1 ? "" : "s"}: ${changed} ${verb}, ${outcomes.length - changed - failed.length} unchanged${failed.length ? `, ${failed.length} failed` : ""}${args["dry-run"] ? " (dry run, nothing written)" : ""}\n`
    );
    return failed.length ? 1 : 0;
  }
};
