/**
 * Command lines printed before a tool's output (`$ llama-bench -p 1024 …`,
 * `CUDA_VISIBLE_DEVICES=0,1 ./build/bin/llama-bench …`, `uvx llama-benchy@v0.3.5 …`).
 * They are context: the block that follows inherits settings from them, and
 * the run keeps the command verbatim (secrets redacted).
 */
import {parse as shellParse} from "shell-quote";
import {redactEnv, redactText} from "./redact.js";
import type {Runtime} from "./runtimes.js";
import {RUNTIMES, serverRuntime} from "./runtimes.js";

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
  /** Environment assignments before the program (`CUDA_VISIBLE_DEVICES=0,1`, a container's `-e K=V`), secrets redacted. */
  env: Record<string, string>;
  /** `#` comment lines directly above the command, without the `#` (`vllm 0.17.2rc1…`). */
  comments?: string[];
  /**
   * When the program runs in a container (`podman run … vllm/vllm-openai:v0.21.0 <model> --port 8000`):
   * the engine and the image as printed. A vLLM image's entrypoint is `vllm serve`,
   * so such a command reads as program `vllm` with argv `["serve", …]`.
   */
  container?: {engine: string; image: string};
}

/** Programs whose command lines are context: every runtime's (runtimes.ts), and the benchmark clients and tools that belong to none. */
const PROGRAMS = new Set([...RUNTIMES.flatMap((r) => r.programs), "llama-benchy", "nvidia-smi"]);

const PROMPT = /^\s*(?:[$>%]|PS>|\w+@[\w.-]+:\S*[$#])\s+/;

const ENV_ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
/** A line can only be a command of a known program, or a container (whose image may be any name), if it names one. */
const MENTIONS_PROGRAM = new RegExp(
  [...PROGRAMS, "docker", "podman", "nerdctl"].map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"),
  "i"
);

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
  // Cheap test first: most lines of a log or a post name no known program (shell parsing is the slow part).
  if (!MENTIONS_PROGRAM.test(text)) return null;
  const stripped = text.replace(PROMPT, "");
  if (!stripped.trim()) return null;
  let words: string[];
  try {
    words = shellWords(stripped.replace(/\\\r?\n/g, " "));
  } catch {
    return null;
  }
  const container = locateContainer(words);
  const located = container ?? locateProgram(words);
  if (!located) return null;
  const program = located.program.replace(/\.exe$/i, "");
  if (!PROGRAMS.has(program)) return null;
  const argv = container ? container.argv : words.slice(located.index + 1);
  // `llama-benchy (0.3.8.dev2+gff162bcfc)`: a tool's banner names the program and its version in parentheses; no command opens a subshell there.
  if (!container && argv.length === 0 && opensParenthesis(stripped, located.index)) return null;
  if (
    argv.length > 0 &&
    !argv[0].startsWith("-") &&
    !/^(?:serve|bench|server|load|get|ps|log|benchmark)$/.test(argv[0])
  )
    return null;
  const env: Record<string, string> = {};
  for (const word of words.slice(0, container ? container.envEnd : located.index)) {
    const eq = word.indexOf("=");
    if (eq > 0 && ENV_ASSIGNMENT.test(word)) env[word.slice(0, eq)] = word.slice(eq + 1);
  }
  Object.assign(env, container?.env);
  return {
    text: redactText(stripped.trim()),
    line_start,
    line_end,
    program,
    program_version: located.version,
    argv: argv.map(redactText),
    env: redactEnv(env),
    ...(container ? {container: {engine: container.engine, image: container.image}} : {})
  };
}

/** Whether the shell token right after word `index` is `(`. */
function opensParenthesis(text: string, index: number): boolean {
  try {
    const next = shellParse(text.replace(/\\\r?\n/g, " "), (key) => `$${key}`)[index + 1];
    return typeof next === "object" && next !== null && "op" in next && next.op === "(";
  } catch {
    return false;
  }
}

/** Container engines whose `run` subcommand starts a program from an image. */
const CONTAINER_ENGINES = new Set(["docker", "podman", "nerdctl"]);
/** `docker run` / `podman run` options that take no value. */
const CONTAINER_FLAGS = new Set([
  "--rm",
  "-d",
  "--detach",
  "-i",
  "--interactive",
  "-t",
  "--tty",
  "-it",
  "-ti",
  "--privileged",
  "--init",
  "--read-only",
  "-P",
  "--publish-all",
  "--no-healthcheck",
  "--replace"
]);

interface ContainerProgram {
  index: number;
  program: string;
  version: string | null;
  argv: string[];
  engine: string;
  image: string;
  env: Record<string, string>;
  /** Words before this index may hold host environment assignments. */
  envEnd: number;
}

/**
 * `podman run --rm -e K=V … vllm/vllm-openai:v0.21.0 <model> --port 8000`:
 * the program inside the container. A command after the image names it
 * (`lmsysorg/sglang:… python3 -m sglang.launch_server …`); otherwise a
 * runtime's official image runs its server (runtimes.ts `image`: vLLM's
 * `vllm serve`), and the image's tag is the version. Other images are not
 * benchmark context.
 */
function locateContainer(words: string[]): ContainerProgram | null {
  let i = 0;
  while (i < words.length && ENV_ASSIGNMENT.test(words[i])) i++;
  if (words[i] === "sudo") i++;
  const engine = words[i]?.split("/").pop();
  if (!engine || !CONTAINER_ENGINES.has(engine) || words[i + 1] !== "run") return null;
  const envEnd = i;
  const env: Record<string, string> = {};
  let j = i + 2;
  for (; j < words.length && words[j].startsWith("-"); j++) {
    const word = words[j];
    const eq = word.indexOf("=");
    let value: string | undefined;
    if (word.startsWith("--") && eq > 0) value = word.slice(eq + 1);
    else if (!CONTAINER_FLAGS.has(word)) value = words[++j];
    const name = word.startsWith("--") && eq > 0 ? word.slice(0, eq) : word;
    if ((name === "-e" || name === "--env") && value) {
      const assign = value.indexOf("=");
      if (assign > 0) env[value.slice(0, assign)] = value.slice(assign + 1);
    }
  }
  const image = words[j];
  if (!image) return null;
  const rest = words.slice(j + 1);
  const inner = rest.length ? locateProgram(rest) : null;
  if (inner && PROGRAMS.has(inner.program)) {
    return {
      index: j + 1 + inner.index,
      program: inner.program,
      version: inner.version,
      argv: rest.slice(inner.index + 1),
      engine,
      image,
      env,
      envEnd
    };
  }
  const repository = image.replace(/@.*$/, "");
  const name =
    repository
      .replace(/:[^/]*$/, "")
      .split("/")
      .pop() ?? "";
  const runtime = RUNTIMES.find((r) => r.image?.name.test(name));
  if (!runtime?.image) return null;
  const {program, subcommand} = runtime.image;
  const tag = /:([^/:]+)$/.exec(repository)?.[1] ?? null;
  return {
    index: j,
    program,
    version: tag,
    argv: rest[0] === subcommand ? rest : [subcommand, ...rest],
    engine,
    image,
    env,
    envEnd
  };
}

/**
 * Whether a command launches an inference server. A server command stays
 * context for every following block (the benchmark clients that talk to it)
 * until the next server command.
 */
export function isServerCommand(command: ParsedCommand): boolean {
  return serverRuntime(command) !== null;
}

/**
 * A version stated in a comment line (`# vllm 0.17.2rc1.dev13+gf34032433`,
 * `# mlx-lm 0.31.1`, `# llama-server version: 8396 (054d8b0f2)`,
 * `# sglang commit 7f99319c`), for one of `names` (matched case-insensitively,
 * `-`/`_` alike). The latest matching comment wins. Returns the text as printed.
 */
export function versionFromComments(comments: readonly string[], names: readonly string[]): string | null {
  const alternatives = names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/[-_]/g, "[-_]")).join("|");
  const pattern = new RegExp(
    `^\\s*(?:${alternatives})(?:\\s+version)?\\s*[:=]?\\s*(v?\\d[\\w.+-]*(?:\\s*\\([0-9a-f]{6,40}\\))?|commit\\s+[0-9a-f]{6,40})\\s*$`,
    "i"
  );
  for (const comment of [...comments].reverse()) {
    const m = pattern.exec(comment);
    if (m) return m[1];
  }
  return null;
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
    else if (flags.has(arg) || i + 1 >= argv.length || (argv[i + 1].startsWith("-") && !/^-\d/.test(argv[i + 1])))
      add(arg, "");
    else add(arg, argv[++i]);
  }
  return options;
}

/**
 * A server command's options (after its subcommand) and the model it serves:
 * the last model option's value, else the first positional where the runtime
 * takes the model that way (`vllm serve <model>`, `lms load <model>`).
 * `options` leaves out positionals and the model options.
 */
export function serverArguments(
  command: ParsedCommand
): {runtime: Runtime; model: string | null; options: Map<string, string[]>} | null {
  const found = serverRuntime(command);
  if (!found) return null;
  const {runtime, subcommand} = found;
  const all = commandOptions(command.argv.slice(subcommand));
  let model: string | null = null;
  const options = new Map<string, string[]>();
  for (const [option, values] of all) {
    if (option === "") {
      if (runtime.positionalModel) model ??= values[0];
    } else if (runtime.modelOptions.includes(option)) model = values.at(-1) ?? model;
    else options.set(option, values);
  }
  return {runtime, model, options};
}
