/**
 * `benchbook <command> …`: a thin shell over the modules in scripts/.
 */
import type {Command} from "./command.js";
import {parseArgs} from "./command.js";
import {benchCommand} from "./commands/bench.js";
import {buildCommand} from "./commands/build.js";
import {compareCommand} from "./commands/compare.js";
import {exportCommand} from "./commands/export.js";
import {importCommand} from "./commands/import.js";
import {listCommand} from "./commands/list.js";
import {newReportCommand} from "./commands/new-report.js";
import {parseCommand} from "./commands/parse.js";
import {reparseCommand} from "./commands/reparse.js";
import {serveCommand} from "./commands/serve.js";
import type {Terminal} from "./io.js";
import {processTerminal, UsageError} from "./io.js";
import {InputError} from "../document/read.js";
import {StoreError} from "../store/store.js";

export const COMMANDS: Command[] = [importCommand, parseCommand, listCommand, compareCommand, reparseCommand, benchCommand, exportCommand, buildCommand, serveCommand, newReportCommand];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `benchbook: reproducible benchmark notebook for local LLM inference

Usage: benchbook <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n")}

Run benchbook <command> --help for a command's options.
`;
}

export async function main(argv: string[], terminal: Terminal = processTerminal()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    terminal.out(usage());
    return name ? 0 : 2;
  }
  if (name === "--version" || name === "-v") {
    terminal.out("benchbook 0.1.0\n");
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    terminal.err(`benchbook: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    const args = parseArgs(command, rest);
    if (args.help) {
      terminal.out(command.help + "\n");
      return 0;
    }
    return await command.run(args, terminal);
  } catch (error) {
    if (error instanceof UsageError) {
      terminal.err(`benchbook ${name}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof InputError || error instanceof StoreError) {
      terminal.err(`benchbook ${name}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
