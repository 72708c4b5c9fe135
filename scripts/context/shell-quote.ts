/**
 * argv → one line a person can read and paste into a POSIX shell. For
 * display and for the command text stored with a run only: benchbook itself
 * never runs a command through a shell.
 */
import {REDACTED} from "./redact.js";

const SAFE = /^[A-Za-z0-9_@%+=:,./~-]+$/;

function quoteArg(arg: string): string {
  if (arg === REDACTED) return arg;
  if (arg !== "" && SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

function shellQuote(argv: readonly string[]): string {
  return argv.map(quoteArg).join(" ");
}

/** `K=V … program args`: the variables a command ran with, then the command. */
export function commandLine(argv: readonly string[], env: Record<string, string> = {}): string {
  const assignments = Object.entries(env).map(([key, value]) => `${key}=${quoteArg(value)}`);
  return [...assignments, shellQuote(argv)].join(" ");
}
