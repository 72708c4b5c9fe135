import minimist from "minimist";
import type {Terminal} from "./io.js";
import {UsageError} from "./io.js";

/** One option of a command. The parser, the keyword checks and `--help` are all made from this definition. */
export interface Option {
  name: string;
  /** The value's name in help (`--tag KEY=VALUE`); none for a flag. `[FILE]`: the value may be left out. */
  value?: string;
  description: string;
  /** Taken more than once (`--tag a=1 --tag b=2`). */
  repeatable?: boolean;
  /** Put in the args when the option is not given, and shown in help. */
  default?: string;
  /** The keywords the value must be one of (compared lower-cased; the listed spelling is kept). */
  choices?: () => readonly string[];
  /** A comma-separated list of keywords; `open` also takes items it matches (`tag.NAME`). */
  list?: {open?: {test(item: string): boolean; names: string}};
  /** A heading of `Command.groups`: listed under it instead of under "Options". */
  group?: string;
  /** Parsed but not listed: set by benchbook itself, never typed (why, in a comment beside it). */
  internal?: boolean;
}

export interface Command {
  name: string;
  /** One line for `benchbook --help`. */
  summary: string;
  /** What follows `benchbook NAME` on the usage line. */
  usage: string;
  /** The paragraphs between the usage line and the options. */
  about?: string;
  options: Option[];
  /** Headings (with a line or two of text) of option groups after the main list. */
  groups?: Record<string, string>;
  /** After the options: exit statuses, lists of choices. */
  footer?: string;
  run(args: ParsedArgs, terminal: Terminal): Promise<number>;
}

export type ParsedArgs = minimist.ParsedArgs;

/** The minimist configuration an option list stands for. */
export function minimistOptions(options: Option[]): minimist.Opts {
  return {
    string: options.filter((o) => o.value !== undefined).map((o) => o.name),
    boolean: ["help", ...options.filter((o) => o.value === undefined).map((o) => o.name)],
    alias: {h: "help"},
    default: Object.fromEntries(options.filter((o) => o.default !== undefined).map((o) => [o.name, o.default]))
  };
}

/**
 * Parse argv for a command: unknown options are refused (a typo must not be silently ignored), a value given twice
 * to a single-valued option too, and keyword values are checked and spelled as listed.
 */
export function parseArgs(command: Command, argv: string[]): ParsedArgs {
  const known = new Set(["help", "h", ...command.options.map((o) => o.name)]);
  const args = minimist(argv, {
    ...minimistOptions(command.options),
    unknown: (arg: string) => {
      if (arg.startsWith("-") && arg !== "-" && !known.has(arg.replace(/^--?(no-)?/, "").split("=")[0])) {
        throw new UsageError(`unknown option ${arg} (see benchbook ${command.name} --help)`);
      }
      return true;
    }
  });
  if (args.help) return args;
  for (const option of command.options) {
    if (option.value === undefined || args[option.name] === undefined) continue;
    if (!option.repeatable) single(args, option.name);
    if (option.choices && args[option.name] !== "") {
      const choices = option.choices();
      const check = (item: string) => checkKeyword(option.name, item, choices, option.list?.open);
      args[option.name] = option.list
        ? String(args[option.name])
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean)
            .map(check)
            .join(",")
        : check(String(args[option.name]));
    }
  }
  return args;
}

const WIDTH = 80;

/** `benchbook NAME --help`, from the command's definition. */
export function helpText(command: Command): string {
  const visible = command.options.filter((o) => !o.internal);
  const label = (o: Option) => `--${o.name}${o.value ? ` ${o.value}` : ""}`;
  const column = Math.max(15, ...visible.map((o) => label(o).length)) + 4;
  const line = (option: Option) => {
    const choices = option.choices && !option.list ? `; one of: ${option.choices().join(", ")}` : "";
    const text = `${option.description}${option.default !== undefined ? ` (default: ${option.default})` : ""}${choices}`;
    return wrap(text, WIDTH - column)
      .map((l, i) => (i ? " ".repeat(column) : `  ${label(option)}`.padEnd(column)) + l)
      .join("\n");
  };
  const sections = [`Usage: benchbook ${command.name} ${command.usage}`];
  if (command.about) sections.push(command.about);
  const main = visible.filter((o) => !o.group);
  if (main.length) sections.push(`Options:\n${main.map(line).join("\n")}`);
  for (const [group, heading] of Object.entries(command.groups ?? {}))
    sections.push(
      `${heading}\n${visible
        .filter((o) => o.group === group)
        .map(line)
        .join("\n")}`
    );
  if (command.footer) sections.push(command.footer);
  return sections.join("\n\n");
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = "";
  for (const word of text.split(" ")) {
    if (current && current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  return [...lines, current];
}

/** `--tag k=v` (repeatable) → {k: v}. */
export function parseTags(value: unknown): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const item of ([] as unknown[]).concat(value ?? [])) {
    const text = String(item);
    const eq = text.indexOf("=");
    if (eq <= 0) throw new UsageError(`--tag expects key=value, got "${text}"`);
    tags[text.slice(0, eq).trim()] = text.slice(eq + 1).trim();
  }
  return tags;
}

/** A string option given at most once. */
export function single(args: ParsedArgs, name: string): string | undefined {
  const value = args[name];
  if (Array.isArray(value)) throw new UsageError(`--${name} given more than once`);
  return value === undefined || value === "" ? undefined : String(value);
}

/** A string option with a default (Option.default): its one value. */
export function valueOf(args: ParsedArgs, name: string): string {
  const value = single(args, name);
  if (value === undefined) throw new UsageError(`--${name} expects a value`);
  return value;
}

function checkKeyword(
  name: string,
  value: string,
  choices: readonly string[],
  open?: {test(item: string): boolean; names: string}
): string {
  if (open?.test(value)) return value;
  const found = choices.find((choice) => choice.toLowerCase() === value.trim().toLowerCase());
  if (found === undefined)
    throw new UsageError(
      `invalid --${name}: ${JSON.stringify(value)}; expected one of: ${choices.join(", ")}${open ? `, or ${open.names}` : ""}`
    );
  return found;
}
