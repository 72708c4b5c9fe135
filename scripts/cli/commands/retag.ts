import {retag, selectInputs} from "../../store/curate.js";
import type {Command} from "../command.js";
import {parseTags} from "../command.js";
import {UsageError} from "../io.js";
import {STORE_OPTION, storeFrom} from "../store-option.js";

export const retagCommand: Command = {
  name: "retag",
  summary: "add, change or remove tags of stored runs",
  usage: "<run-id|sha256-prefix|file>... [--tag KEY=VALUE]... [--untag KEY]... [options]",
  about: `Changes the tags of stored inputs and every run read from them. Tags belong to
an input, as import gives them: naming one run (its id, or an id prefix such
as 3f2a9c01d4e5-L1) retags the whole input it came from, and says so. An input
can also be named by the start of its sha256 (4 hex digits or more) or by its
file name as imported (or its base name). Each input's runs file is rewritten atomically; reparse
keeps the new tags.`,
  options: [
    {name: "tag", value: "KEY=VALUE", repeatable: true, description: "add the tag, or change its value (repeatable)"},
    {name: "untag", value: "KEY", repeatable: true, description: "remove the tag (repeatable)"},
    {name: "dry-run", description: "report what would change, write nothing"},
    {name: "json", description: "print the outcome as JSON (one object per input)"},
    STORE_OPTION
  ],
  footer: "Exit status 2 if a name matches nothing or no change is given.",
  async run(args, terminal) {
    const names = args._.map(String);
    const set = parseTags(args.tag);
    const remove = ([] as unknown[]).concat(args.untag ?? []).map(String);
    if (names.length === 0)
      throw new UsageError("retag needs the runs or inputs to change (run ids, sha256 prefixes or file names)");
    if (Object.keys(set).length === 0 && remove.length === 0)
      throw new UsageError("retag needs --tag KEY=VALUE or --untag KEY");
    const store = storeFrom(args, terminal);
    const {selected, unmatched} = selectInputs(store, names);
    if (unmatched.length)
      throw new UsageError(
        `no stored run or input matches ${unmatched.map((n) => JSON.stringify(n)).join(", ")} in ${store.root}`
      );
    const outcomes = retag(store, selected, {set, remove}, {dryRun: args["dry-run"]});
    if (args.json) {
      terminal.out(JSON.stringify(outcomes, null, 2) + "\n");
      return 0;
    }
    const verb = args["dry-run"] ? "would retag" : "retagged";
    const show = (tags: Record<string, string>) =>
      Object.entries(tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ") || "(no tags)";
    for (const o of outcomes) {
      const what = `${o.name} (input ${o.sha256.slice(0, 12)}, ${o.runs.length} run${o.runs.length === 1 ? "" : "s"}; named by ${o.by.join(", ")})`;
      terminal.out(
        o.changed
          ? `${verb.padEnd(12)}${what}: ${show(o.before)} → ${show(o.after)}\n`
          : `${"unchanged".padEnd(12)}${what}: already ${show(o.after)}\n`
      );
    }
    const changed = outcomes.filter((o) => o.changed).length;
    terminal.out(
      `${outcomes.length} input${outcomes.length === 1 ? "" : "s"}: ${changed} ${verb}${args["dry-run"] ? " (dry run, nothing written)" : ""}\n`
    );
    return 0;
  }
};
