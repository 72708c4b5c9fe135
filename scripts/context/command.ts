/**
 * Command lines printed before a tool's output (`$ llama-bench -p 1024 …`,
 * `CUDA_VISIBLE_DEVICES=0,1 ./build/bin/llama-bench …`, `uvx llama-benchy@v0.3.5 …`).
 * They are context: the block that follows inherits settings from them, and
 * the run keeps the command verbatim (secrets redacted).
 */
import {parse as shellParse} from "shell-quote";
import {redactEnv, redactText} from "./redact.js";

export interface ParsedCommand {
  /** As printed, continuation lines joined with newlines, secrets redacted. */
  text: string;
  /** 1-based physical lines. */
  line_start: number;
  line_end: number;
  /** Program name: the executable's base name, or `python -m <module>`'s module, or a `uvx` package. */
  program: string;
  /** Version pinned in the command (`llama-benchy@v0.3.5`), if any. */
  program_version: string | null;
  /** Arguments after the program (and after a subcommand for `vllm serve`, kept in argv). */
  argv: string[];
  /** Environment assignments before the program (`CUDA_VISIBLE_DEVICES=0,1`), secrets redacted. */
  env: Record<string, string>;
}

/** Programs whose command lines are context. */
const PROGRAMS = new Set([
  "llama-bench",
  "llama-server",
  "llama-batched-bench",
  "llama-sweep-bench",
  "llama-cli",
  "llama-benchy",
  "vllm",
  "sglang.launch_server",
  "sglang.bench_serving",
  "sglang.bench_one_batch",
  "mlx_lm.benchmark",
  "mlx_lm.server",
  "mlx_lm",
  "lms",
  "nvidia-smi"
]);

const PROMPT = /^\s*(?:[$>%]|PS>|\w+@[\w.-]+:\S*[$#])\s+/;
const ENV_ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** Tokens of a shell command; variables are kept literally, operators end the command. */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  for (const token of shellParse(text, (key) => `$${key}`)) {
    if (typeof token === "string") words.push(token);
    else if ("op" in token && token.op === "glob") words.push(token.pattern);
    else break; // `|`, `&&`, `;`, `>`, comments: the command ends here
  }
  return words;
}

/** Where the program name sits in the words, skipping env assignments and launchers. */
function locateProgram(words: string[]): {index: number; program: string; version: string | null} | null {
  let i = 0;
  while (i < words.length && ENV_ASSIGNMENT.test(words[i])) i++;
  if (words[i] === "env") for (i++; i < words.length && ENV_ASSIGNMENT.test(words[i]); i++);
  // launchers: uv run, uvx, pipx run, python -m, sudo, time, nohup
  for (;;) {
    const word = words[i];
    if (word === undefined) return null;
    const base = word.split("/").pop()!;
    if (base === "sudo" || base === "time" || base === "nohup" || base === "exec") i++;
    else if (base === "uv" && words[i + 1] === "run") i += 2;
    else if (base === "pipx" && words[i + 1] === "run") i += 2;
    else if (base === "uvx") i++;
    else if (/^python[\d.]*$/.test(base)) {
      const m = words.indexOf("-m", i);
      if (m !== i + 1 || !words[m + 1]) return null;
      return {index: m + 1, program: words[m + 1], version: null};
    } else {
      const [name, version] = base.split("@");
      return {index: i, program: name, version: version ?? null};
    }
  }
}

/**
 * Parse one logical line (plus backslash continuations already joined) as a
 * command of a known program; null when it is not one. A bare program name
 * followed by prose is not a command: the next word must be an option.
 */
export function parseCommandLine(text: string, line_start: number, line_end = line_start): ParsedCommand | null {
  const stripped = text.replace(PROMPT, "");
  if (!stripped.trim()) return null;
  let words: string[];
  try {
    words = shellWords(stripped.replace(/\\\r?\n/g, " "));
  } catch {
    return null;
  }
  const located = locateProgram(words);
  if (!located) return null;
  const program = located.program.replace(/\.exe$/i, "");
  if (!PROGRAMS.has(program)) return null;
  const argv = words.slice(located.index + 1);
  if (argv.length > 0 && !argv[0].startsWith("-") && !/^(?:serve|bench|server|load|get|ps|log)$/.test(argv[0])) return null;
  const env: Record<string, string> = {};
  for (const word of words.slice(0, located.index)) {
    const eq = word.indexOf("=");
    if (eq > 0 && ENV_ASSIGNMENT.test(word)) env[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return {
    text: redactText(stripped.trim()),
    line_start,
    line_end,
    program,
    program_version: located.version,
    argv: argv.map(redactText),
    env: redactEnv(env)
  };
}

/**
 * Options of a command as a map from option to its values, in order, for
 * tools whose options all take one value or none. `flags` lists options that
 * take no value.
 */
export function commandOptions(argv: string[], flags: ReadonlySet<string> = new Set()): Map<string, string[]> {
  const options = new Map<string, string[]>();
  const add = (key: string, value: string) => options.set(key, [...(options.get(key) ?? []), value]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("-") || /^-\d/.test(arg)) {
      add("", arg); // positional
      continue;
    }
    const eq = arg.indexOf("=");
    if (arg.startsWith("--") && eq > 0) add(arg.slice(0, eq), arg.slice(eq + 1));
    else if (flags.has(arg) || i + 1 >= argv.length || (argv[i + 1].startsWith("-") && !/^-\d/.test(argv[i + 1]))) add(arg, "");
    else add(arg, argv[++i]);
  }
  return options;
}
