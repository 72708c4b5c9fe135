import type {AddressInfo} from "node:net";
import {existsSync} from "node:fs";
import {resolve} from "node:path";
import {createStaticServer} from "../../serve/static-server.js";
import type {Command} from "../command.js";
import {single} from "../command.js";
import {UsageError} from "../io.js";

export const serveCommand: Command = {
  name: "serve",
  summary: "serve the built site (dist/) on localhost",
  help: `Usage: benchbook serve [options]

A built site needs an HTTP server (browsers refuse module scripts from
file://). This serves it on loopback only; nothing leaves your machine.

Options:
  --dir DIR        the built site (default: dist)
  --port N         port (default: 3000; 0 picks a free one)
  --host HOST      address to listen on (default: 127.0.0.1)`,
  options: {string: ["dir", "port", "host"]},
  async run(args, terminal) {
    const dir = resolve(terminal.cwd, single(args, "dir") ?? "dist");
    if (!existsSync(resolve(dir, "index.html"))) throw new UsageError(`${dir} has no index.html: build the site first (npm run build)`);
    const port = Number(single(args, "port") ?? 3000);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port expects a port number, got "${args.port}"`);
    const host = single(args, "host") ?? "127.0.0.1";
    const server = createStaticServer(dir);
    await new Promise<void>((ok, fail) => server.once("error", fail).listen(port, host, ok));
    const address = server.address() as AddressInfo;
    terminal.out(`serving ${dir} at http://${host === "0.0.0.0" ? "localhost" : host}:${address.port}/ (Ctrl-C to stop)\n`);
    await new Promise<void>((done) => {
      const stop = () => server.close(() => done());
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    return 0;
  }
};
