/**
 * `npm run dev` (`benchbook dev`): the store exported into src/data, then Framework's preview
 * server, which re-renders a page as its Markdown is saved. Telemetry is off; the preview server
 * listens on loopback unless told otherwise.
 */
import {spawn} from "node:child_process";
import {createServer, type AddressInfo} from "node:net";
import {resolve} from "node:path";
import {exportStore, type ExportSummary} from "../export/export.js";
import type {Store} from "../store/store.js";
import {observableBin} from "./build.js";

export interface PreviewOptions {
  root: string;
  store: Store;
  host?: string;
  /** 0 picks a free port (Framework's preview takes a number and prints it as given). */
  port?: number;
  keepPaths?: boolean;
  /** Each line the preview server prints. */
  log?: (line: string) => void;
}

export interface Preview {
  url: string;
  export: ExportSummary;
  /** Everything the preview server printed so far. */
  output(): string;
  /** Stop the server. */
  close(): Promise<void>;
}

async function freePort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok, fail) => server.once("error", fail).listen(0, host, ok));
  const {port} = server.address() as AddressInfo;
  await new Promise((ok) => server.close(ok));
  return port;
}

const ANSI = /\x1b\[[0-9;]*m/g;

export async function startPreview({
  root,
  store,
  host = "127.0.0.1",
  port = 3000,
  keepPaths = false,
  log = () => {}
}: PreviewOptions): Promise<Preview> {
  const summary = await exportStore(store, resolve(root, "src/data"), {keepPaths});
  const listen = port === 0 ? await freePort(host) : port;
  const child = spawn(
    process.execPath,
    [observableBin(), "preview", "--no-open", "--host", host, "--port", String(listen)],
    {
      cwd: root,
      env: {...process.env, OBSERVABLE_TELEMETRY_DISABLE: "1"},
      stdio: ["ignore", "pipe", "pipe"]
    }
  );
  let output = "";
  const exited = new Promise<number | null>((done) => child.once("exit", done));
  const started = new Promise<string>((ok, fail) => {
    const read = (chunk: Buffer) => {
      const text = chunk.toString("utf8").replace(ANSI, "");
      output += text;
      for (const line of text.split("\n")) if (line) log(line);
      const url = /(https?:\/\/\S+:\d+\/)/.exec(output)?.[1];
      if (url) ok(url);
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    void exited.then((code) => fail(new Error(`observable preview exited (${code}) before serving:\n${output}`)));
  });
  const url = await started;
  return {
    url,
    export: summary,
    output: () => output,
    close: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    }
  };
}
