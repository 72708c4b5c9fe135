/**
 * An endpoint cell's optional server: start it (argv, never a shell string), keep its output byte for byte,
 * wait for health 200, stop its process group. The log is imported with the run.
 */
import {type ChildProcess, spawn} from "node:child_process";
import {quote} from "shell-quote";
import {parseCommandLine} from "../../context/command.js";
import {serverRuntime} from "../../context/runtimes.js";
import type {ServerParams} from "./config.js";

export interface ServerExit {
  code: number | null;
  signal: string | null;
}

export interface ManagedServer {
  argv: string[];
  pid: number | null;
  /** Everything the server printed so far. */
  log(): Buffer;
  /** The last lines of the log, for a status detail. */
  tail(lines?: number): string;
  /** Null while the server runs; its exit once it has exited. */
  exited(): ServerExit | null;
  /** Why the server is no longer usable (its exit and the log's tail), or null while it runs. */
  gone(): string | null;
  /** Milliseconds from spawn until the health endpoint answered 200. */
  readyMs: number | null;
  healthUrl: string | null;
  stop(): Promise<ServerExit>;
}

/**
 * The inference engine a server command starts: read as a command line, as a
 * pasted server command is (launchers such as `uv run`, `python -m`, `env`
 * skipped; scripts/context/runtimes.ts knows the programs).
 */
export function runtimeOfArgv(argv: readonly string[]): string | null {
  const command = parseCommandLine(quote([...argv]), 1);
  return command ? (serverRuntime(command)?.runtime.id ?? null) : null;
}

function tailOf(log: Buffer, lines: number): string {
  return log.toString("utf8").replace(/\s+$/, "").split(/\r?\n/).slice(-lines).join("\n");
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Spawn the server; resolves once it is healthy, rejects (after stopping it) when it exits or the startup time runs out. */
export async function startServer(
  params: ServerParams,
  healthUrls: string[],
  options: {env: NodeJS.ProcessEnv; signal?: AbortSignal}
): Promise<ManagedServer> {
  const chunks: Buffer[] = [];
  let exit: ServerExit | null = null;
  let spawnError: Error | null = null;
  const started = performance.now();
  const child: ChildProcess = spawn(params.argv[0], params.argv.slice(1), {
    cwd: params.cwd ?? undefined,
    env: {...options.env, ...params.env},
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so stopping it also stops the workers it forks (vLLM, SGLang).
    detached: true
  });
  const exitedPromise = new Promise<ServerExit>((resolve) => {
    child.on("error", (error) => {
      spawnError = error;
      exit ??= {code: null, signal: null};
      resolve(exit);
    });
    child.on("exit", (code, signal) => {
      exit = {code, signal};
      resolve(exit);
    });
  });
  child.stdout!.on("data", (chunk: Buffer) => chunks.push(chunk));
  child.stderr!.on("data", (chunk: Buffer) => chunks.push(chunk));
  // If benchbook itself dies, the server must not outlive it.
  const killOnExit = () => signalGroup(child, "SIGKILL");
  process.once("exit", killOnExit);
  const log = () => Buffer.concat(chunks);
  const server: ManagedServer = {
    argv: params.argv,
    pid: child.pid ?? null,
    log,
    tail: (lines = 20) => tailOf(log(), lines),
    exited: () => exit,
    gone: () => {
      if (!exit) return null;
      const how = spawnError
        ? `could not start: ${spawnError.message}`
        : exit.signal
          ? `was killed by ${exit.signal}`
          : `exited with code ${exit.code}`;
      const tail = tailOf(log(), 20);
      return `the server ${how}${tail ? `; its log ends:\n${tail}` : ""}`;
    },
    readyMs: null,
    healthUrl: null,
    async stop() {
      process.removeListener("exit", killOnExit);
      if (exit) return exit;
      signalGroup(child, "SIGTERM");
      const grace = sleep(params.stop_timeout_s * 1000).then(() => null);
      const stopped = await Promise.race([exitedPromise, grace]);
      if (stopped) return stopped;
      signalGroup(child, "SIGKILL");
      return exitedPromise;
    }
  };
  try {
    const deadline = started + params.startup_timeout_s * 1000;
    for (;;) {
      if (options.signal?.aborted) throw new Error("interrupted while waiting for the server");
      if (exit) throw new Error(server.gone()!);
      for (const url of healthUrls) {
        if (await answers200(url)) {
          server.readyMs = performance.now() - started;
          server.healthUrl = url;
          return server;
        }
      }
      if (performance.now() > deadline) {
        const tail = server.tail();
        throw new Error(
          `the server did not answer 200 on ${healthUrls.join(" or ")} within ${params.startup_timeout_s} s${tail ? `; its log ends:\n${tail}` : ""}`
        );
      }
      await sleep(250);
    }
  } catch (error) {
    const stopped = await server.stop();
    throw Object.assign(error as Error, {server, exit: stopped});
  }
}

async function answers200(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, {signal: AbortSignal.timeout(5000)});
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** Error thrown by startServer: the server (for its log) and how it ended. */
export interface ServerStartError extends Error {
  server?: ManagedServer;
  exit?: ServerExit;
}
