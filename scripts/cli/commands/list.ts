import {listRuns} from "../../query/list.js";
import type {Command} from "../command.js";
import {STORE_OPTION, storeFrom} from "../store-option.js";

export const listCommand: Command = {
  name: "list",
  summary: "list the runs in the store",
  usage: "[options]",
  about: `One line per run: id, source file, tool, model, hardware, date (when the
benchmark ran if the output says, else when it was imported), number of results.`,
  options: [{name: "json", description: "print the runs as JSON (an array of objects)"}, STORE_OPTION],
  async run(args, terminal) {
    const store = storeFrom(args, terminal);
    const rows = await listRuns(store, {keepOpen: terminal.exitsAfter});
    if (args.json) {
      terminal.out(JSON.stringify(rows, null, 2) + "\n");
      return 0;
    }
    if (rows.length === 0) {
      terminal.out(`no runs in ${store.root}\n`);
      return 0;
    }
    const columns = ["id", "source", "tool", "model", "hardware", "date", "results"] as const;
    const cells = rows.map((r) => columns.map((c) => (c === "date" ? r.date.slice(0, 10) : String(r[c]))));
    const widths = columns.map((c, i) => Math.min(48, Math.max(c.length, ...cells.map((row) => row[i].length))));
    const fmt = (row: string[]) =>
      row
        .map((cell, i) => (cell.length > widths[i] ? cell.slice(0, widths[i] - 1) + "…" : cell.padEnd(widths[i])))
        .join("  ")
        .trimEnd();
    terminal.out(fmt([...columns]) + "\n");
    for (const row of cells) terminal.out(fmt(row) + "\n");
    terminal.out(`${rows.length} runs, ${rows.reduce((n, r) => n + r.results, 0)} results\n`);
    return 0;
  }
};
