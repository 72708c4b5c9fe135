/** The benchmark client's command before a serving block: the model, lengths and concurrency the block omits. */
import type {ParsedCommand} from "../../context/command.js";
import {shellWords} from "../../context/command.js";
import {redactText} from "../../context/redact.js";
import type {Block, Context, Doc} from "../types.js";
import {isClosing} from "./serving-block.js";

/** How a tool's benchmark command is recognized: parsed (how many argv words to skip), or inline in a line of text. */
export interface BenchProgram {
  parsed: (c: ParsedCommand) => number | null;
  inline: RegExp;
}

export interface BenchCommand {
  /** Verbatim, secrets redacted. */
  text: string;
  line_start: number;
  options: Map<string, string[]>;
  env: Record<string, string>;
}

/**
 * Options with every value that follows them (argparse `nargs="+"`: `--batch-size 4 8`,
 * `--depth 0 8192`); a flag has none. `--name=value` is one value.
 */
function multiOptions(argv: string[]): Map<string, string[]> {
  const options = new Map<string, string[]>();
  let current = "";
  for (const arg of argv) {
    if (arg.startsWith("-") && !/^-\d/.test(arg)) {
      const eq = arg.indexOf("=");
      current = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
      if (!options.has(current)) options.set(current, []);
      if (arg.startsWith("--") && eq > 0) options.get(current)!.push(arg.slice(eq + 1));
    } else options.set(current, [...(options.get(current) ?? []), arg]);
  }
  return options;
}

function fromParsed(command: ParsedCommand, skip: number): BenchCommand {
  return {
    text: command.text,
    line_start: command.line_start,
    options: multiOptions(command.argv.slice(skip)),
    env: command.env
  };
}

/**
 * The latest matching command since the previous block; else a line in the
 * text just above the block that contains one (`Running: python …/benchmark_serving.py …`,
 * `docker exec … vllm bench serve …`), which the command reader does not take.
 */
export function findBenchCommand(doc: Doc, block: Block, context: Context, match: BenchProgram): BenchCommand | null {
  for (const command of [...context.commands].reverse()) {
    const skip = match.parsed(command);
    if (skip !== null) return fromParsed(command, skip);
  }
  for (let i = block.start - 1; i >= 0 && i >= block.start - 200; i--) {
    const text = doc.lines[i].text;
    if (isClosing(text)) break; // the previous block ends here
    const m = match.inline.exec(text);
    if (!m) continue;
    // The command may go on over lines ending in a backslash.
    let joined = text.slice(m.index);
    for (let j = i; /\\\s*$/.test(doc.lines[j].text) && j + 1 < block.start; j++)
      joined += "\n" + doc.lines[j + 1].text;
    let words: string[];
    try {
      words = shellWords(joined.slice(m[0].length).replace(/\\\r?\n/g, " "));
    } catch {
      continue;
    }
    return {
      text: redactText(joined.trim()),
      line_start: doc.lines[i].line,
      options: multiOptions(words.map(redactText)),
      env: {}
    };
  }
  return null;
}

/** All values of the first of these options that was given (`--batch-size 1 12 14`). Old scripts spell options with `_`. */
export function optionList(command: BenchCommand | null, ...names: string[]): string[] {
  if (!command) return [];
  for (const name of names) {
    for (const spelling of [name, "--" + name.slice(2).replace(/-/g, "_")]) {
      const values = command.options.get(spelling);
      if (values?.length) return values;
    }
  }
  return [];
}

/** The value of an option given exactly one value, or null. */
export function option(command: BenchCommand | null, ...names: string[]): string | null {
  const values = optionList(command, ...names);
  return values.length === 1 ? values[0] : null;
}

export function integer(text: string | null): number | null {
  return text !== null && /^\d+$/.test(text) ? Number(text) : null;
}

/** The options as a plain map for `extra.client_options` (names without leading dashes). */
export function optionsRecord(command: BenchCommand | null): Record<string, string | string[] | true> {
  const out: Record<string, string | string[] | true> = {};
  if (!command) return out;
  for (const [name, values] of command.options) {
    if (name === "") continue;
    const key = name.replace(/^-+/, "");
    out[key] = values.length === 0 ? true : values.length === 1 ? values[0] : values;
  }
  return out;
}
