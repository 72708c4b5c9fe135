import type {AddressInfo} from "node:net";
import {existsSync} from "node:fs";
import {resolve} from "node:path";
import {createStaticServer} from "../../serve/static-server.js";
import type {Command} from "../command.js";
import {valueOf} from "../command.js";
import {UsageError} from "../io.js";

/** What to tell someone who serves beyond loopback: the site (raw inputs included) is then open to the network. */
export function hostWarning(host: string): string | null {
  if (/^(?:127\.\d+\.\d+\.\d+|::1|localhost)$/i.test(host)) return null;
  const everyone = host === "0.0.0.0" || host === "::" || host === "";
  return `--host ${host} serves the site, its raw inputs included, to ${everyone ? "every machine that can reach this one" : `whoever can reach ${host}`}; the default 127.0.0.1 keeps it on this machine`;
}

export const serveCommand: Command = {
  name: "serve",
  summary: "serve the built site (dist/) on localhost",
  usage: "[options]",
  about: `A built site needs an HTTP server (browsers refuse module scripts from
file://). This serves it on loopback only; nothing leaves your machine.`,
  options: [
    {name: "dir", value: "DIR", default: "dist", description: "the built site"},
    {name: "port", value: "N", default: "3000", description: "port; 0 picks a free one"},
    {name: "host", value: "HOST", default: "127.0.0.1", description: "address to listen on"}
  ],
  async run(args, terminal) {
    const dir = resolve(terminal.cwd, valueOf(args, "dir"));
    if (!existsSync(resolve(dir, "index.html")))
      throw new UsageError(`${dir} has no index.html: build the site first (npm run build)`);
    const port = Number(valueOf(args, "port"));
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--port expects a port number, got "${args.port}"`);
    const host = valueOf(args, "host");
    const warning = hostWarning(host);
    if (warning) terminal.err(`benchbook serve: warning: ${warning}\n`);
    const server = createStaticServer(dir);
    try {
      await new Promise<void>((ok, fail) => server.once("error", fail).listen(port, host, ok));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EADDRINUSE")
        throw new UsageError(
          `port ${port} on ${host} is in use (another server?); pick another with --port N, or --port 0 for a free one`
        );
      if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EACCES")
        throw new UsageError(
          `cannot listen on ${host}:${port} (${code}); the default --host 127.0.0.1 serves this machine only`
        );
      throw error;
    }
    const address = server.address() as AddressInfo;
    terminal.out(
      `serving ${dir} at http://${host === "0.0.0.0" ? "localhost" : host}:${address.port}/ (Ctrl-C to stop)\n`
    );
    await new Promise<void>((done) => {
      const stop = () => server.close(() => done());
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    return 0;
  }
};
