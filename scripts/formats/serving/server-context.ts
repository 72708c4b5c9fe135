/**
 * What the text before a server log says (launch command, hardware). The log's own statements win; options
 * keep the server's names without dashes, as the HTTP benchmark formats keep them, so both share keys.
 */
import type {ParsedCommand} from "../../context/command.js";
import {serverArguments} from "../../context/command.js";
import {serverRuntime} from "../../context/runtimes.js";
import {emptyHardware} from "../../schema/schema.js";
import {scalarFromText} from "../shared/scalar.js";
import {quantFromFile} from "../shared/model-name.js";
import type {Context, ParsedRun} from "../types.js";

/**
 * A Hugging Face cache path names the repository in a directory, not in the
 * file: `/hf/hub/models--nvidia--Gemma-4-31B-IT-NVFP4/snapshots/<sha>` → the
 * quantization is read from `Gemma-4-31B-IT-NVFP4`.
 */
function quantOf(file: string | null): string | null {
  const repo = file ? /models--[^/\\]+--([^/\\]+)[/\\]snapshots[/\\]/.exec(file)?.[1] : null;
  return quantFromFile(repo ?? file);
}

/** How a setting a log states (`max_model_len`) and a command option (`--max-model-len`) are matched. */
const comparable = (key: string) => key.replace(/^-+/, "").replace(/-/g, "_").toLowerCase();

function serverCommandFor(context: Context, runtime: string): ParsedCommand | null {
  const matches = (c: ParsedCommand) => serverRuntime(c)?.runtime.id === runtime;
  const server = (context as Partial<Context>).server ?? null;
  if (server && matches(server)) return server;
  return [...context.commands].reverse().find(matches) ?? null;
}

/** Fill a server-log run from the command that launched the server, and the hardware stated before it. */
export function applyServerContext(
  run: ParsedRun,
  context: Context,
  runtime: string,
  how: {deviceLines: boolean}
): void {
  const hw = context.hardware;
  run.hardware = how.deviceLines ? {...hw} : {...emptyHardware(), stated: hw.stated};
  const command = serverCommandFor(context, runtime);
  if (!command) {
    run.model.quant ??= quantOf(run.model.file);
    return;
  }
  run.command = command.text;
  if (Object.keys(command.env).length) run.extra.env = command.env;
  if (command.container) run.extra.container = command.container;
  run.tool_version ??= command.program_version;
  const args = serverArguments(command)!;
  // The model the server was started with (`vllm serve <model>`, `--model-path`, `-m`), unless the log named one.
  run.model.file ??= args.model;
  const stated = new Map(Object.keys(run.settings).map((k) => [comparable(k), k]));
  for (const [option, values] of args.options) {
    const value = values.at(-1)!;
    // Under the server's own option name without dashes, as the HTTP-benchmark formats store it (docs/importing.md).
    const given = value === "" ? true : scalarFromText(value);
    const printedKey = stated.get(comparable(option));
    if (printedKey !== undefined) {
      const printed = run.settings[printedKey];
      if (String(printed) !== String(given))
        run.notes.push(
          `${printedKey}: the command says ${JSON.stringify(given)}, the log says ${JSON.stringify(printed)}; the log is kept`
        );
      continue;
    }
    const key = option.replace(/^-+/, "");
    run.settings[key] = given;
    run.settings_from_command.push(key);
  }
  run.model.quant ??= quantOf(run.model.file);
}
