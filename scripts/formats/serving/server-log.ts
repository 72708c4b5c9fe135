/** What the serving engines' own logs (vLLM, SGLang) share: reading a line's prefix, config facts, detection. */
import type {Result} from "../../schema/schema.js";
import type {LineHit, LineLogFormat, LineReader, RunFacts} from "../logs/line-log.js";
import {lineLogFormat} from "../logs/line-log.js";
import type {LogPrefix} from "../logs/log-prefix.js";
import {splitLogPrefix} from "../logs/log-prefix.js";
import {pythonScalar, splitAssignments} from "../logs/values.js";
import {applyServerContext} from "./server-context.js";

export interface LogLine {
  prefix: LogPrefix;
  /** The text after the prefix. */
  message: string;
  hit(results: Result[], facts?: RunFacts): LineHit;
}

/** A line split from its log prefix; null for one too long to be a log line (a logged prompt). */
export function logLine(text: string): LogLine | null {
  if (text.length > 20000) return null;
  const prefix = splitLogPrefix(text);
  return {prefix, message: prefix.message, hit: (results, facts) => ({results, facts, prefixed: prefix.prefixed})};
}

/**
 * The engine's configuration as it logs it (`key=value, …` in Python's repr): the first string of a `modelKeys`
 * key is the model file, `skip` keys are left out, every other value is a setting under its own name.
 */
export function configFacts(body: string, modelKeys: string[], skip: string[]): RunFacts {
  const settings: Record<string, string | number | boolean | null> = {};
  const model: Record<string, string> = {};
  for (const [key, raw] of splitAssignments(body)) {
    const value = pythonScalar(raw);
    if (value === undefined || skip.includes(key)) continue;
    if (modelKeys.includes(key)) {
      if (typeof value === "string" && !model.file) model.file = value;
      continue;
    }
    settings[key] = value;
  }
  return {model, settings};
}

export interface ServerLogSpec {
  id: string;
  tool: string;
  runtime: string;
  /** The engine's name in a block's reason (`vLLM`). */
  name: string;
  description: string;
  read(text: string, line: number): LineHit | null;
  /** A block without the engine's log prefix: how sure it is, and how many lines it needs (a lone line may be prose). */
  unprefixed: {confidence: number; minHits: number};
}

/** A server log's format: its lines read one by one, its launch command and hardware read from the text before it. */
export function serverLogFormat(spec: ServerLogSpec): LineLogFormat {
  return lineLogFormat({
    id: spec.id,
    tool: spec.tool,
    runtime: spec.runtime,
    description: spec.description,
    createReader: (): LineReader => ({read: spec.read}),
    judge(stats) {
      if (stats.prefixed === 0 && stats.hits < spec.unprefixed.minHits) return null;
      return {
        confidence: stats.prefixed > 0 ? 0.95 : spec.unprefixed.confidence,
        reason: `${stats.hits} ${spec.name} log line${stats.hits === 1 ? "" : "s"} (${stats.prefixed ? `${stats.prefixed} with ${spec.name}'s log prefix` : "without a log prefix"}), ${stats.results} values`
      };
    },
    applyContext: (run, context) => applyServerContext(run, context, spec.runtime, {deviceLines: false})
  });
}
