import {buildSite} from "../../site/build.js";
import type {Command} from "../command.js";
import {STORE_OPTION, storeFrom} from "../store-option.js";

export const buildCommand: Command = {
  name: "build",
  summary: "build the static site (dist/) from the store",
  usage: "[options]",
  about: `Exports the store into src/data/ (Parquet, CSV, run and source indexes, raw
copies) and builds the site into dist/ with Observable Framework. Run it after
every import; the site always shows the store as it is now.

Open the result with \`benchbook serve\` (a built site needs an HTTP server).

Absolute local paths (/home/alice/…, /mnt/…, C:\\Users\\…) are published
as their base names (docs/security.md).`,
  options: [
    {name: "keep-paths", description: "publish absolute local paths as they are (default: base names)"},
    {name: "json", description: "print timings as JSON"},
    STORE_OPTION
  ],
  async run(args, terminal) {
    const store = storeFrom(args, terminal);
    const summary = await buildSite({
      root: terminal.cwd,
      store,
      keepPaths: args["keep-paths"],
      log: args.json ? undefined : (line) => terminal.out(line + "\n")
    });
    if (args.json) terminal.out(JSON.stringify(summary, null, 2) + "\n");
    else terminal.out(`site ready in dist/ — open it with: npx benchbook serve  (then http://127.0.0.1:3000/)\n`);
    return 0;
  }
};
