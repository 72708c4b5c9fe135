/**
 * The server behind an HTTP benchmark, from the latest server command printed before the block, shell comments
 * above it, or `--runtime`. A server outlives several benchmarks, so this looks back past the previous block.
 */
import type {ParsedCommand} from "../../context/command.js";
import {parseCommandLine, serverArguments} from "../../context/command.js";
import {runtimeById, serverRuntime} from "../../context/runtimes.js";
import type {Settings} from "../../schema/schema.js";
import {scalarFromText} from "../shared/scalar.js";
import type {Block, Context, Doc} from "../types.js";

export interface ServerContext {
  /** llama.cpp | sglang | vllm | mlx | lmstudio, or null when nothing says. */
  runtime: string | null;
  /** The runtime's version as a comment above its command states it (`0.17.2rc1.dev13+gf34032433`, `8396 (054d8b0f2)`). */
  runtime_version: string | null;
  /** The runtime's build commit/number as a comment states it (`# sglang commit 7f99319c`, `# llama-server version: 8396 (054d8b0f2)`). */
  build_commit: string | null;
  build_number: number | null;
  /** The server command, verbatim (secrets redacted). */
  command: ParsedCommand | null;
  /** The server's options under its own names, without leading dashes (`ctx-size`, `tp`, `speculative-config`). */
  settings: Settings;
  /** The model the server loaded (`--model`, `-m`, `--model-path`, `vllm serve <model>`). */
  model_file: string | null;
  notes: string[];
}

/** The runtime a command starts, or null when it is not a server command (scripts/context/runtimes.ts). */
function runtimeOfCommand(command: ParsedCommand): string | null {
  return serverRuntime(command)?.runtime.id ?? null;
}

interface Located {
  command: ParsedCommand;
  /** Logical line index of the command's first line. */
  index: number;
}

/** A command starting at logical line i, joining backslash continuations. */
function commandAt(doc: Doc, i: number, end: number): ParsedCommand | null {
  let last = i;
  let joined = doc.lines[i].text;
  while (/\\\s*$/.test(doc.lines[last].text) && last + 1 < end) joined += "\n" + doc.lines[++last].text;
  return parseCommandLine(joined, doc.lines[i].line, doc.lines[last].line);
}

/**
 * The latest server command before the block: the reader's persistent
 * `context.server` first, then the block's own commands, else further back.
 */
function findServerCommand(doc: Doc, block: Block, context: Context): Located | null {
  const fromContext =
    (context.server && runtimeOfCommand(context.server) ? context.server : null) ??
    context.commands.filter((c) => runtimeOfCommand(c) !== null).at(-1);
  if (fromContext) {
    // On a flattened physical line several logical lines share the number: pick the one holding this command.
    for (let i = 0; i < block.start; i++) {
      if (doc.lines[i].line !== fromContext.line_start) continue;
      if (commandAt(doc, i, block.start)?.text === fromContext.text) return {command: fromContext, index: i};
    }
    return {command: fromContext, index: doc.lines.findIndex((l) => l.line === fromContext.line_start)};
  }
  for (let i = block.start - 1; i >= 0; i--) {
    if (i > 0 && /\\\s*$/.test(doc.lines[i - 1].text)) continue; // a continuation line: the command starts above
    const command = commandAt(doc, i, block.start);
    if (command && runtimeOfCommand(command)) return {command, index: i};
  }
  return null;
}

/** `# …` comment lines directly above logical line `index`, nearest first, without the `#`. */
function commentsAbove(doc: Doc, index: number): string[] {
  const comments: string[] = [];
  for (let i = index - 1; i >= 0 && doc.lines[i].text.trim().startsWith("#"); i--)
    comments.push(doc.lines[i].text.trim().replace(/^#+\s*/, ""));
  return comments;
}

/** Version facts stated by comment lines directly above the server command (nearest first). */
function readComments(
  comments: string[],
  runtime: string
): Pick<ServerContext, "runtime_version" | "build_commit" | "build_number"> {
  const facts: Pick<ServerContext, "runtime_version" | "build_commit" | "build_number"> = {
    runtime_version: null,
    build_commit: null,
    build_number: null
  };
  const alias = runtimeById(runtime)?.aliases ?? /^$/;
  for (const comment of comments) {
    const words = comment.trim();
    const name = words.split(/\s+/)[0] ?? "";
    if (!alias.test(name)) continue;
    const rest = words.slice(name.length).trim();
    // `llama-server version: 8396 (054d8b0f2)`: llama.cpp's build number and commit.
    const build = /^(?:version\s*:?\s*)?(\d+)\s*\(([0-9a-f]{6,40})\)$/i.exec(rest);
    const commit = /^commit\s*:?\s*([0-9a-f]{6,40})$/i.exec(rest);
    const version = /^(?:version\s*:?\s*)?(v?\d+(?:\.\d+)+\S*)$/i.exec(rest);
    if (build && facts.build_number === null) {
      facts.build_number = Number(build[1]);
      facts.build_commit = build[2];
      facts.runtime_version ??= rest.replace(/^version\s*:?\s*/i, "");
    } else if (commit && facts.build_commit === null) facts.build_commit = commit[1];
    else if (version && facts.runtime_version === null) facts.runtime_version = version[1];
  }
  return facts;
}

/** The server's options, under its own names without leading dashes; the model path apart. */
export function readServerOptions(command: ParsedCommand): {settings: Settings; model_file: string | null} {
  const args = serverArguments(command);
  const settings: Settings = {};
  for (const [option, values] of args?.options ?? []) {
    const value = values[values.length - 1];
    settings[option.replace(/^-+/, "")] = value === "" ? true : scalarFromText(value);
  }
  return {settings, model_file: args?.model ?? null};
}

export function serverBehind(doc: Doc, block: Block, context: Context): ServerContext {
  const notes: string[] = [];
  const found = findServerCommand(doc, block, context);
  const fromCommand = found ? runtimeOfCommand(found.command) : null;
  let runtime = fromCommand;
  if (context.runtime) {
    if (fromCommand && fromCommand !== context.runtime)
      notes.push(
        `runtime: the server command says ${fromCommand}, --runtime says ${context.runtime}; --runtime is kept`
      );
    runtime = context.runtime;
  }
  if (!found || !fromCommand) {
    return {
      runtime,
      runtime_version: null,
      build_commit: null,
      build_number: null,
      command: null,
      settings: {},
      model_file: null,
      notes
    };
  }
  const {settings, model_file} = readServerOptions(found.command);
  // The reader attaches the comments right above a command; read them from the text when it did not.
  const comments = found.command.comments ? [...found.command.comments].reverse() : commentsAbove(doc, found.index);
  const facts = readComments(comments, fromCommand);
  // A container image's tag (`vllm/vllm-openai:v0.21.0`) is the runtime's version.
  facts.runtime_version ??= found.command.container ? found.command.program_version : null;
  return {runtime, ...facts, command: found.command, settings, model_file, notes};
}
