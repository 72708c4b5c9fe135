/**
 * Assembles a llama-bench run from rows read by any of its formats, and fills
 * in what the context says: the command line before the output (settings the
 * output omits, model path, repetitions) and the device lines (hardware).
 */
import {backendsCompatible} from "../../context/devices.js";
import type {Hardware, Model} from "../../schema/schema.js";
import {emptyHardware} from "../../schema/schema.js";
import type {RowWithFacts} from "../shared/hoist.js";
import {hoist} from "../shared/hoist.js";
import {quantFromFile} from "../shared/model-name.js";
import type {Context, ParsedRun} from "../types.js";
import {readLlamaBenchCommand} from "./command.js";

export interface LlamaBenchRunInput {
  format: string;
  line_start: number;
  line_end: number;
  rows: RowWithFacts[];
  /** What the tool itself printed about the machine. */
  backend: string | null;
  cpu: string | null;
  gpu_info: string | null;
  build_commit: string | null;
  build_number: number | null;
  started_at: string | null;
  notes?: string[];
  extra?: Record<string, unknown>;
}

export function llamaBenchRun(input: LlamaBenchRunInput, context: Context): ParsedRun {
  const notes = [...(input.notes ?? [])];
  const commandText = context.commands.filter((c) => c.program === "llama-bench").at(-1);
  const command = commandText ? readLlamaBenchCommand(commandText) : null;
  const settingsFromCommand: string[] = [];
  if (command) {
    notes.push(...command.notes);
    for (const row of input.rows) {
      for (const [key, value] of Object.entries(command.settings)) {
        if (!(key in row.settings)) {
          row.settings[key] = value;
          if (!settingsFromCommand.includes(key)) settingsFromCommand.push(key);
        } else if (String(row.settings[key]) !== String(value) && !notes.some((n) => n.startsWith(`${key}:`))) {
          notes.push(
            `${key}: the command says ${JSON.stringify(value)}, the output says ${JSON.stringify(row.settings[key])}; the output is kept`
          );
        }
      }
      if (!row.model.file && command.models.length === 1) row.model.file = command.models[0];
      if (row.result.repetitions === null && command.repetitions !== null) row.result.repetitions = command.repetitions;
    }
  }
  for (const row of input.rows) fillModel(row.model);
  const {model, settings, results} = hoist(input.rows);
  return {
    tool: "llama-bench",
    tool_version: null,
    runtime: "llama.cpp",
    build_commit: input.build_commit,
    build_number: input.build_number,
    format: input.format,
    started_at: input.started_at,
    command: command?.command.text ?? null,
    hardware: hardwareFor(context.hardware, input),
    model,
    settings,
    settings_from_command: settingsFromCommand,
    notes,
    extra: {...(command && Object.keys(command.command.env).length ? {env: command.command.env} : {}), ...input.extra},
    results,
    line_start: Math.min(input.line_start, command?.command.line_start ?? Infinity),
    line_end: input.line_end
  };
}

export function fillModel(model: Model): void {
  model.quant ??= quantFromFile(model.file) ?? model.ftype?.split(/\s/)[0] ?? null;
}

/** Device lines describe the run when their backend matches what the tool printed. */
function hardwareFor(fromContext: Hardware, input: LlamaBenchRunInput): Hardware {
  const base = backendsCompatible(fromContext.backend, input.backend)
    ? fromContext
    : {...emptyHardware(), stated: fromContext.stated};
  return {
    ...base,
    backend: input.backend ?? base.backend,
    cpu: input.cpu ?? base.cpu,
    gpu_info: input.gpu_info ?? base.gpu_info
  };
}
