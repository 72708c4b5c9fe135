import {resolve} from "node:path";
import {mergeStore, openStore} from "../../store/merge.js";
import type {Command} from "../command.js";
import type {Terminal} from "../io.js";
import {UsageError} from "../io.js";
import {indexAfterWrite, STORE_OPTION, storeFrom} from "../store-option.js";

export const mergeCommand: Command = {
  name: "merge",
  summary: "merge stores made on other machines into this one (idempotent; conflicts reported, never overwritten)",
  usage: "OTHER_STORE… [options]",
  about: `Copies into the store every input the other stores have and it lacks: raw
files and attachments first, the runs file last, each atomically. Files are
named by content, so merging twice changes nothing and the order of merges
does not matter. The same input imported on two machines is kept with its
earlier import time. Runs files that differ in anything else (tags, another
benchbook version's reading) are conflicts: listed, left as they are, exit 1.`,
  options: [
    {name: "dry-run", description: "say what would be copied, copy nothing"},
    {name: "json", description: "print one report per other store as JSON Lines"},
    STORE_OPTION
  ],
  footer: "Exit status: 0 when merged without conflicts, 1 when a conflict was found.",
  async run(args, terminal: Terminal) {
    const others = args._.map(String);
    if (others.length === 0) throw new UsageError("expected at least one other store (benchbook merge OTHER_STORE…)");
    const target = storeFrom(args, terminal);
    let conflicts = 0;
    let wrote = false;
    for (const path of others) {
      let other;
      try {
        other = openStore(resolve(terminal.cwd, path));
      } catch (error) {
        terminal.err(`benchbook merge: ${(error as Error).message}\n`);
        return 1;
      }
      if (resolve(other.root) === resolve(target.root)) throw new UsageError(`${path} is the store itself`);
      const report = mergeStore(target, other, {dryRun: args["dry-run"]});
      conflicts += report.conflicts.length;
      wrote ||= !args["dry-run"] && report.added.length + report.earlier.length > 0;
      if (args.json) {
        terminal.out(`${JSON.stringify(report)}\n`);
        continue;
      }
      const verb = args["dry-run"] ? "would add" : "added";
      terminal.out(
        `${path}: ${verb} ${report.added.length} input${report.added.length === 1 ? "" : "s"}, ${report.earlier.length} kept with the other store's earlier import time, ${report.unchanged} already here, ${report.conflicts.length} conflict${report.conflicts.length === 1 ? "" : "s"}\n`
      );
      for (const c of report.conflicts) terminal.out(`  conflict ${c.path}: ${c.reason}\n`);
    }
    if (wrote) await indexAfterWrite(target, terminal);
    return conflicts ? 1 : 0;
  }
};
