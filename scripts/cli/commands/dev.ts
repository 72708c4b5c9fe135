import {startPreview} from "../../site/preview.js";
import type {Command} from "../command.js";
import {single} from "../command.js";
import {UsageError} from "../io.js";
import {STORE_HELP, storeFrom} from "../store-option.js";
import {hostWarning} from "./serve.js";

export const devCommand: Command = {
  name: "dev",
  summary:
    "live preview while writing a report: export the store, then serve src/ and re-render pages as they are saved",
  help: `Usage: benchbook dev [options]

Exports the store into src/data/ and starts Observable Framework's preview
server on src/: a page re-renders when its Markdown is saved, so a report
can be written beside its charts. Telemetry is off. Import more results?
Stop it and start it again (the export runs at start).

Options:
  --port N         port (default: 3000; 0 picks a free one)
  --host HOST      address to listen on (default: 127.0.0.1)
  --keep-paths     publish home-directory paths as they are
${STORE_HELP}`,
  options: {string: ["store", "port", "host"], boolean: ["keep-paths"]},
  async run(args, terminal) {
    const port = Number(single(args, "port") ?? 3000);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--port expects a port number, got "${args.port}"`);
    const host = single(args, "host") ?? "127.0.0.1";
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
