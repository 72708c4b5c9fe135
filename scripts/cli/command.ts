import minimist from "minimist";
import type {Terminal} from "./io.js";
import {UsageError} from "./io.js";

export interface Command {
  name: string;
  /** One line for `benchbook --help`. */
  summary: string;
  /** Full `--help` text. */
  help: string;
  /** minimist options: which flags are strings, booleans, aliases. */
  options: {string?: string[]; boolean?: string[]; alias?: Record<string, string>; default?: Record<string, unknown>};
  run(args: ParsedArgs, terminal: Terminal): Promise<number>;
}

export type ParsedArgs = minimist.ParsedArgs;

/** Parse argv for a command, refusing unknown options (a typo must not be silently ignored). */
export function parseArgs(command: Command, argv: string[]): ParsedArgs {
  const known = new Set([
    "help",
    "h",
    ...(command.options.string ?? []),
    ...(command.options.boolean ?? []),
    ...Object.keys(command.options.alias ?? {}),
    ...Object.values(command.options.alias ?? {})
  ]);
  return minimist(argv, {
    ...command.options,
    boolean: ["help", ...(command.options.boolean ?? [])],
    alias: {h: "help", ...command.options.alias},
    unknown: (arg: string) => {
      if (arg.startsWith("-") && arg !== "-" && !known.has(arg.replace(/^--?(no-)?/, "").split("=")[0])) {
        throw new UsageError(`unknown option ${arg} (see benchbook ${command.name} --help)`);
      }
      return true;
    }
  });
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

/**
 * A string option whose value must be one of `choices` (given at most once;
 * compared lower-cased): anything else is a usage error listing them.
 */
export function keyword(args: ParsedArgs, name: string, choices: readonly string[]): string | undefined {
  const value = single(args, name);
  return value === undefined ? undefined : checkKeyword(name, value, choices);
}

/** A comma-separated list of keywords (`--by model_label,test`); `open` names the patterns also taken (`tag.NAME`), and accepts them. */
export function keywords(
  args: ParsedArgs,
  name: string,
  choices: readonly string[],
  open?: {test(item: string): boolean; names: string}
): string[] | undefined {
  const value = single(args, name);
  if (value === undefined) return undefined;
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length
    ? items.map((item) => (open?.test(item) ? item : checkKeyword(name, item, choices, open?.names)))
    : undefined;
}

function checkKeyword(name: string, value: string, choices: readonly string[], also?: string): string {
  const found = choices.find((choice) => choice.toLowerCase() === value.trim().toLowerCase());
  if (found === undefined)
    throw new UsageError(
      `invalid --${name}: ${JSON.stringify(value)}; expected one of: ${choices.join(", ")}${also ? `, or ${also}` : ""}`
    );
  return found;
}
