import {startPreview} from "../../site/preview.js";
import type {Command} from "../command.js";
import {valueOf} from "../command.js";
import {UsageError} from "../io.js";
import {STORE_OPTION, storeFrom} from "../store-option.js";
import {hostWarning} from "./serve.js";

export const devCommand: Command = {
  name: "dev",
  summary:
    "live preview while writing a report: export the store, then serve src/ and re-render pages as they are saved",
  usage: "[options]",
  about: `Exports the store into src/data/ and starts Observable Framework's preview
server on src/: a page re-renders when its Markdown is saved, so a report
can be written beside its charts. Telemetry is off. Import more results?
Stop it and start it again (the export runs at start).`,
  options: [
    {name: "port", value: "N", default: "3000", description: "port; 0 picks a free one"},
    {name: "host", value: "HOST", default: "127.0.0.1", description: "address to listen on"},
    {name: "keep-paths", description: "publish home-directory paths as they are"},
    STORE_OPTION
  ],
  async run(args, terminal) {
    const port = Number(valueOf(args, "port"));
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--port expects a port number, got "${args.port}"`);
    const host = valueOf(args, "host");
    const warning = hostWarning(host);
    if (warning) terminal.err(`benchbook dev: warning: ${warning}\n`);
    const store = storeFrom(args, terminal);
    const preview = await startPreview({
      root: terminal.cwd,
      store,
      host,
      port,
      keepPaths: args["keep-paths"],
      log: (line) => terminal.out(line + "\n")
    });
    terminal.out(`exported ${preview.export.rows} results; previewing at ${preview.url} (Ctrl-C to stop)\n`);
    await new Promise<void>((done) => {
      process.once("SIGINT", done);
      process.once("SIGTERM", done);
    });
    await preview.close();
    return 0;
  }
};
