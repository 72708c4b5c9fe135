/**
 * What a `llama-bench …` command line printed before a table says: settings
 * the table omits (its Markdown printer hides default values, e.g.
 * `--split-mode layer`), the model path, repetitions.
 */
import type {ParsedCommand} from "../../context/command.js";
import {commandOptions} from "../../context/command.js";
import type {Settings} from "../../schema/schema.js";
import {scalarFromText} from "../shared/scalar.js";
import {CLI_OPTIONS} from "./fields.js";

export interface LlamaBenchCommand {
  command: ParsedCommand;
  /** Single-valued parameters; comma lists and ranges are left to the table. */
  settings: Settings;
  /** Model paths (`-m a.gguf,b.gguf` or repeated `-m`). */
  models: string[];
  repetitions: number | null;
  notes: string[];
}

const FLAGS = new Set(["--no-warmup", "--progress", "-v", "--verbose", "--cpu-strict", "--no-host"]);

/** Read a llama-bench command; null for other programs. */
export function readLlamaBenchCommand(command: ParsedCommand): LlamaBenchCommand | null {
  if (command.program !== "llama-bench") return null;
  const notes: string[] = [];
  const argv = healSplitExtension(command.argv, notes);
  const options = commandOptions(argv, FLAGS);
  const settings: Settings = {};
  for (const [option, values] of options) {
    const field = CLI_OPTIONS[option];
    if (!field) continue;
    const value = values[values.length - 1];
    // A list or range (`-ub 128,256`, `-t 1-8+1`) runs several values: the table says which row had which.
    if (value === "" || /[,]|^\d+-\d+/.test(value)) continue;
    settings[field] = scalarFromText(value);
  }
  const models = [...(options.get("-m") ?? []), ...(options.get("--model") ?? [])].flatMap((v) => v.split(","));
  const reps = options.get("-r")?.at(-1) ?? options.get("--repetitions")?.at(-1);
  const repetitions = reps !== undefined && /^\d+$/.test(reps) ? Number(reps) : null;
  return {command, settings, models, repetitions, notes};
}

/**
 * A translating site turned `model.gguf` into `model. gguf`: the shell then
 * sees two words. Join them back and say so.
 */
function healSplitExtension(argv: string[], notes: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].endsWith(".") && /^(?:gguf|bin|safetensors)$/i.test(argv[i + 1] ?? "")) {
      notes.push(`joined "${argv[i]} ${argv[i + 1]}" into one path (a space had been inserted before the extension)`);
      out.push(argv[i] + argv[i + 1]);
      i++;
    } else out.push(argv[i]);
  }
  return out;
}
