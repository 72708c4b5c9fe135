/**
 * `benchbook <command> …`. Commands are loaded only when they run, so `--help` and `--version` answer at once.
 */
import {readFileSync} from "node:fs";
import type {Command} from "./command.js";
import type {Terminal} from "./io.js";
import {processTerminal, UsageError} from "./io.js";

/** A command as `benchbook --help` lists it; `load` imports its module. */
export interface CommandEntry {
  name: string;
  /** The command's `summary` (a unit test checks they are the same). */
  summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: CommandEntry[] = [
  {
    name: "import",
    summary: "import raw benchmark outputs (files, directories, or - for pasted text) into the store",
    load: async () => (await import("./commands/import.js")).importCommand
  },
  {
    name: "parse",
    summary: "print what would be imported, without touching the store",
    load: async () => (await import("./commands/parse.js")).parseCommand
  },
  {
    name: "list",
    summary: "list the runs in the store",
    load: async () => (await import("./commands/list.js")).listCommand
  },
  {
    name: "compare",
    summary: "compare two runs, tags, runtimes or builds: B/A with intervals and noise marks",
    load: async () => (await import("./commands/compare.js")).compareCommand
  },
  {
    name: "reindex",
    summary: "rebuild the store's index (the Parquet files every read queries) from its runs files",
    load: async () => (await import("./commands/reindex.js")).reindexCommand
  },
  {
    name: "history",
    summary: "every series across builds: change points labelled regression or improvement, for CI",
    load: async () => (await import("./commands/history.js")).historyCommand
  },
  {
    name: "reparse",
    summary: "re-read every raw input in the store with the current parsers",
    load: async () => (await import("./commands/reparse.js")).reparseCommand
  },
  {
    name: "retag",
    summary: "add, change or remove tags of stored runs",
    load: async () => (await import("./commands/retag.js")).retagCommand
  },
  {
    name: "remove",
    summary: "remove stored inputs and their runs",
    load: async () => (await import("./commands/remove.js")).removeCommand
  },
  {
    name: "bench",
    summary: "run a bench plan (llama-bench, an OpenAI endpoint, vLLM/SGLang/MLX benchmarks) into the store",
    load: async () => (await import("./commands/bench.js")).benchCommand
  },
  {
    name: "merge",
    summary: "merge stores made on other machines into this one (idempotent; conflicts reported, never overwritten)",
    load: async () => (await import("./commands/merge.js")).mergeCommand
  },
  {
    name: "export",
    summary: "write the store as Parquet and CSV (and the site's run/source indexes)",
    load: async () => (await import("./commands/export.js")).exportCommand
  },
  {
    name: "build",
    summary: "build the static site (dist/) from the store",
    load: async () => (await import("./commands/build.js")).buildCommand
  },
  {
    name: "serve",
    summary: "serve the built site (dist/) on localhost",
    load: async () => (await import("./commands/serve.js")).serveCommand
  },
  {
    name: "dev",
    summary:
      "live preview while writing a report: export the store, then serve src/ and re-render pages as they are saved",
    load: async () => (await import("./commands/dev.js")).devCommand
  },
  {
    name: "new-report",
    summary: "scaffold a narrative report (src/reports/<slug>.md) over the runs with a tag",
    load: async () => (await import("./commands/new-report.js")).newReportCommand
  }
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `benchbook: reproducible benchmark notebook for local LLM inference

Usage: benchbook <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n")}

Run benchbook <command> --help for a command's options.
`;
}

/** Set by the bundle (scripts/cli/bundle.mjs), where package.json is not two folders up. */
declare const BENCHBOOK_VERSION: string | undefined;

/** package.json's version (two folders up, also in the compiled tree: scripts/cli/compiled.mjs copies it). */
function version(): string {
  if (typeof BENCHBOOK_VERSION === "string") return BENCHBOOK_VERSION;
  return (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {version: string})
    .version;
}

export async function main(argv: string[], terminal: Terminal = processTerminal()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    terminal.out(usage());
    return name ? 0 : 2;
  }
  if (name === "--version" || name === "-v") {
    terminal.out(`benchbook ${version()}\n`);
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    terminal.err(`benchbook: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const [command, {parseArgs, helpText}] = await Promise.all([entry.load(), import("./command.js")]);
  try {
    const args = parseArgs(command, rest);
    if (args.help) {
      terminal.out(helpText(command) + "\n");
      return 0;
    }
    return await command.run(args, terminal);
  } catch (error) {
    if (error instanceof UsageError) {
      terminal.err(`benchbook ${name}: ${error.message}\n`);
      return 2;
    }
    // The document reader (every format) is loaded only when an error may be one of its own.
    if (
      error instanceof (await import("../document/read.js")).InputError ||
      error instanceof (await import("../store/store.js")).StoreError
    ) {
      terminal.err(`benchbook ${name}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
