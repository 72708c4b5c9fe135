/** A plan file → its cells, each runner expanding its own plan (runners/index.ts). */
import {readFileSync} from "node:fs";
import type {KeyPath, LoadedPlan, PlanIssue} from "./plan-file.js";
import {PlanError, readPlan} from "./plan-file.js";
import {passEnv} from "./cells.js";
import {RUNNERS} from "./runners/index.js";
import type {Cell} from "./types.js";

export {PlanError, readPlan} from "./plan-file.js";
export type {LoadedPlan} from "./plan-file.js";
export {llamaBenchExpected} from "./cells.js";
export type {EndpointCellParams} from "./cells.js";

/** Read a plan file from disk. */
export function loadPlan(path: string, name = path): LoadedPlan {
  return readPlan(readFileSync(path, "utf8"), name);
}

export interface ExpandOptions {
  /** The caller's environment, for `pass_env`. */
  env?: NodeJS.ProcessEnv;
}

/** Every cell of a plan, in run order (model-major, like llama-bench's own loops). Throws PlanError. */
export function expandPlan(loaded: LoadedPlan, options: ExpandOptions = {}): Cell[] {
  const {plan} = loaded;
  const issues: PlanIssue[] = [];
  const fail = (path: KeyPath, message: string) => issues.push({line: loaded.lineOf(path), path, message});
  const callerEnv = options.env ?? process.env;
  const env = {...plan.env, ...passEnv(plan.pass_env, callerEnv, ["pass_env"], fail)};
  const cells = RUNNERS[plan.runner].cells(plan, {env, callerEnv, fail});
  if (issues.length)
    throw new PlanError(
      loaded.file,
      issues.sort((a, b) => a.line - b.line)
    );
  // Identical cells (a value listed twice) would share an id: run them once.
  const seen = new Set<string>();
  return cells.filter((c) => !seen.has(c.id) && Boolean(seen.add(c.id)));
}
