import {resolve} from "node:path";
import {exportStore} from "../../export/export.js";
import {zipSite} from "../../site/zip.js";
import type {Command} from "../command.js";
import {single, valueOf} from "../command.js";
import {UsageError} from "../io.js";
import {STORE_OPTION, storeFrom} from "../store-option.js";

export const exportCommand: Command = {
  name: "export",
  summary: "write the store as Parquet and CSV (and the site's run/source indexes)",
  usage: "[options]",
  about: `Writes results.parquet and results.csv (one row per measured value, columns in
docs/schema.md), runs.json, sources.json, manifest.json, history.json (every
series over builds with its change points, docs/history.md),
results.duckdb (the same rows for the site's Explorer, docs/building.md) and
raw/<sha256>.txt into the output directory. \`npm run build\` runs this before building the site.

With --zip, packs the built site (dist/, from \`npm run build\`) into one zip
file to share: unpacked and served by any static server it works offline.`,
  options: [
    {name: "out", value: "DIR", default: "src/data", description: "output directory"},
    {
      name: "zip",
      value: "[FILE]",
      description: "instead: pack the built site into FILE (default: benchbook-site.zip)"
    },
    {name: "dir", value: "DIR", default: "dist", description: "the built site to pack"},
    {
      name: "jobs",
      value: "N",
      description:
        "read the store in N shards on worker threads (default: up to 4, one per core, for a store of 32 MB or more; else 1)"
    },
    {name: "keep-paths", description: "publish absolute local paths as they are (default: base names)"},
    {name: "json", description: "print the summary as JSON"},
    STORE_OPTION
  ],
  async run(args, terminal) {
    if (args.zip !== undefined) {
      const file = resolve(terminal.cwd, single(args, "zip") ?? "benchbook-site.zip");
      const dist = resolve(terminal.cwd, valueOf(args, "dir"));
      let summary;
      try {
        summary = zipSite(dist, file);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      if (args.json) terminal.out(JSON.stringify({...summary, dir: dist}, null, 2) + "\n");
      else
        terminal.out(
          `packed ${summary.files} files from ${dist} into ${file} (${summary.bytes} bytes, ${summary.inputBytes} unpacked); unzip it and serve the folder (npx benchbook serve --dir benchbook-site)\n`
        );
      return 0;
    }
    const store = storeFrom(args, terminal);
    const out = resolve(terminal.cwd, valueOf(args, "out"));
    const jobsText = single(args, "jobs");
    const jobs = jobsText === undefined ? undefined : Number(jobsText);
    if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1))
      throw new UsageError(`--jobs takes a whole number of threads, 1 or more (got ${JSON.stringify(jobsText)})`);
    const started = performance.now();
    const summary = await exportStore(store, out, {jobs, keepPaths: args["keep-paths"]});
    const seconds = (performance.now() - started) / 1000;
    if (args.json) terminal.out(JSON.stringify({...summary, out, seconds}, null, 2) + "\n");
    else
      terminal.out(
        `exported ${summary.rows} results from ${summary.runs} runs (${summary.inputs} inputs) to ${out} in ${seconds.toFixed(2)} s: results.parquet ${summary.parquetBytes} bytes, results.csv ${summary.csvBytes} bytes\n`
      );
    return 0;
  }
};
