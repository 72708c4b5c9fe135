/**
 * What the text before a server log says about the run: the server's launch
 * command (model, flags) and the hardware. A log's own statements win; the
 * command fills what the log leaves out, and `settings_from_command` says
 * which settings came from it.
 */
import type {ParsedCommand} from "../../context/command.js";
import {commandOptions} from "../../context/command.js";
import type {Scalar} from "../../schema/schema.js";
import {emptyHardware} from "../../schema/schema.js";
import {quantFromFile} from "../model-name.js";
import type {Context, ParsedRun} from "../types.js";

/** Programs whose command launches the server of each runtime. */
const SERVER_PROGRAMS: Record<string, (c: ParsedCommand) => boolean> = {
  vllm: (c) => (c.program === "vllm" && c.argv[0] === "serve") || c.program === "vllm.entrypoints.openai.api_server",
  sglang: (c) => c.program === "sglang.launch_server",
  "llama.cpp": (c) => c.program === "llama-server"
};

/** Options that take no value, per runtime (the rest take one). */
const FLAGS: Record<string, ReadonlySet<string>> = {
  vllm: new Set(["--trust-remote-code", "--enforce-eager", "--async-scheduling", "--enable-auto-tool-choice", "--enable-prefix-caching", "--no-enable-prefix-caching", "--disable-log-requests", "--enable-chunked-prefill", "--disable-log-stats"]),
  sglang: new Set(["--trust-remote-code", "--enable-metrics", "--disable-radix-cache", "--enable-torch-compile", "--disable-cuda-graph", "--enable-dp-attention", "--enable-cache-report", "--allow-auto-truncate"]),
  "llama.cpp": new Set(["--metrics", "--jinja", "--no-mmap", "--mlock", "--cont-batching", "-cb", "--no-webui", "--verbose", "-v", "--embedding", "--slots", "--no-warmup", "--context-shift", "--kv-unified", "-kvu", "--swa-full"])
};

/** Options that name the model file or repository. */
const MODEL_OPTIONS: Record<string, string[]> = {
  vllm: ["--model"],
  sglang: ["--model-path", "--model"],
  "llama.cpp": ["-m", "--model", "-hf", "--hf-repo", "-mu", "--model-url"]
};

/** Short aliases, to the long name a setting is keyed by. */
const ALIASES: Record<string, Record<string, string>> = {
  vllm: {"-tp": "--tensor-parallel-size", "-pp": "--pipeline-parallel-size", "-dp": "--data-parallel-size", "-q": "--quantization"},
  sglang: {"--tp": "--tp-size", "--dp": "--dp-size", "--ep": "--ep-size"},
  "llama.cpp": {
    "-c": "--ctx-size",
    "-ngl": "--n-gpu-layers",
    "-np": "--parallel",
    "-t": "--threads",
    "-b": "--batch-size",
    "-ub": "--ubatch-size",
    "-fa": "--flash-attn",
    "-ctk": "--cache-type-k",
    "-ctv": "--cache-type-v",
    "-sm": "--split-mode",
    "-ts": "--tensor-split",
    "-md": "--model-draft",
    "-ot": "--override-tensor",
    "-ncmoe": "--n-cpu-moe"
  }
};

/** `--kv-cache-dtype` → `kv_cache_dtype`; values as printed, numbers as numbers. */
function settingKey(option: string): string {
  return option.replace(/^-+/, "").replace(/-/g, "_");
}

function scalar(text: string): Scalar {
  if (text === "") return true;
  return /^-?\d+(?:\.\d+)?$/.test(text) ? Number(text) : text;
}

export function serverCommandFor(context: Context, runtime: string): ParsedCommand | null {
  const matches = SERVER_PROGRAMS[runtime];
  if (!matches) return null;
  const server = (context as Partial<Context>).server ?? null;
  if (server && matches(server)) return server;
  return [...context.commands].reverse().find(matches) ?? null;
}

/** Fill a server-log run from the command that launched the server, and the hardware stated before it. */
export function applyServerContext(run: ParsedRun, context: Context, runtime: string, how: {deviceLines: boolean}): void {
  const hw = context.hardware;
  run.hardware = how.deviceLines ? {...hw} : {...emptyHardware(), stated: hw.stated};
  const command = serverCommandFor(context, runtime);
  if (!command) {
    run.model.quant ??= quantFromFile(run.model.file);
    return;
  }
  run.command = command.text;
  if (Object.keys(command.env).length) run.extra.env = command.env;
  if (command.container) run.extra.container = command.container;
  run.tool_version ??= command.program_version;
  const argv = command.argv[0] === "serve" ? command.argv.slice(1) : command.argv;
  const options = commandOptions(argv, FLAGS[runtime]);
  const aliases = ALIASES[runtime] ?? {};
  for (const [option, values] of options) {
    if (option === "") {
      // vLLM takes the model as its first positional argument.
      if (runtime === "vllm" && !run.model.file) run.model.file = values[0];
      continue;
    }
    const long = aliases[option] ?? option;
    if ((MODEL_OPTIONS[runtime] ?? []).includes(option) || (MODEL_OPTIONS[runtime] ?? []).includes(long)) {
      run.model.file ??= values.at(-1)!;
      continue;
    }
    const key = settingKey(long);
    if (key in run.settings) {
      const printed = run.settings[key];
      const given = scalar(values.at(-1)!);
      if (String(printed) !== String(given)) run.notes.push(`${key}: the command says ${JSON.stringify(given)}, the log says ${JSON.stringify(printed)}; the log is kept`);
      continue;
    }
    run.settings[key] = scalar(values.at(-1)!);
    run.settings_from_command.push(key);
  }
  run.model.quant ??= quantFromFile(run.model.file);
}
