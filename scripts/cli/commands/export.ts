import {resolve} from "node:path";
import {exportStore} from "../../export/export.js";
import type {Command} from "../command.js";
import {single} from "../command.js";
import {STORE_HELP, storeFrom} from "../store-option.js";

export const exportCommand: Command = {
  name: "export",
  summary: "write the store as Parquet and CSV (and the site's run/source indexes)",
  help: `Usage: benchbook export [options]

Writes results.parquet and results.csv (one row per measured value, columns in
docs/schema.md), runs.json, sources.json, manifest.json and raw/<sha256>.txt
into the output directory. \`npm run build\` runs this before building the site.

Options:
  --out DIR        output directory (default: src/data)
  --json           print the summary as JSON
${STORE_HELP}`,
  options: {string: ["out", "store"], boolean: ["json"]},
  async run(args, terminal) {
    const store = storeFrom(args, terminal);
    const out = resolve(terminal.cwd, single(args, "out") ?? "src/data");
    const started = performance.now();
    const summary = await exportStore(store, out);
    const seconds = (performance.now() - started) / 1000;
    if (args.json) terminal.out(JSON.stringify({...summary, out, seconds}, null, 2) + "\n");
    else terminal.out(`exported ${summary.rows} results from ${summary.runs} runs (${summary.inputs} inputs) to ${out} in ${seconds.toFixed(2)} s: results.parquet ${summary.parquetBytes} bytes, results.csv ${summary.csvBytes} bytes\n`);
    return 0;
  }
};
