/**
 * `benchbook bench`'s cells and runners. A plan expands into cells; a runner
 * runs one cell and returns what the tool printed, byte for byte, with a
 * Capture record (scripts/schema/capture.ts) that the import path stores.
 */
import type {ZodType} from "zod";
import type {CapturedCell, CellLimits, CellOutcome} from "../schema/capture.js";

/** One unit of work: one tool invocation with single values for every parameter. */
export interface Cell extends CapturedCell {
  /** The runner that runs it (`llama-bench`, `endpoint`, `vllm-bench-serve`, `sglang-bench-serving`, `mlx-benchmark`). */
  runner: string;
  /** The argv that will run (program first), built as an array: never a shell string. Empty for in-process runners. */
  argv: string[];
  /** Seconds before the cell is killed. */
  timeout_s: number;
  /**
   * Variables set for the tool on top of the inherited environment (the
   * plan's `env` and `pass_env`). Raw values, secrets included: runners pass
   * them to the child and never write them anywhere (Capture.env is redacted).
   */
  env?: Record<string, string>;
  /** Resource limits for the tool's process (`ulimit -v` in KiB). */
  limits?: CellLimits;
}

/** Effects a runner may use, injected so tests can capture them. */
export interface RunnerContext {
  signal: AbortSignal;
  /** Progress within a cell (a line of tool output, a finished test). */
  progress(event: {cell: Cell; message: string; done?: number; total?: number}): void;
  now(): Date;
  env: NodeJS.ProcessEnv;
}

/** What a runner's `cells` gets besides its plan. */
export interface ExpandContext {
  /** The plan's `env` with its `pass_env` values. */
  env: Record<string, string>;
  /** The caller's environment (the endpoint's `api_key_env`). */
  callerEnv: NodeJS.ProcessEnv;
  /** Report a problem at a key path of the plan; the plan is refused with every problem listed. */
  fail(path: readonly (string | number)[], message: string): void;
}

/**
 * A runner describes itself: its plan's `runner:` id, the tool and runtime its runs are stored under, its plan's
 * schema, how its plan becomes cells, how to ask its binary's version, which formats read what it captures, and
 * how it runs a cell. runners/index.ts lists them.
 */
export interface Runner<P extends {runner: string} = any> {
  id: string;
  /** The program, as a stored run's `tool` (when the capture has no readable output). */
  tool: string;
  /** The engine it measures (an id of scripts/context/runtimes.ts); null when the plan says (endpoint targets). */
  runtime: string | null;
  /** The plan's schema: `z.strictObject({...planKeys, runner: z.literal(id), …})` (plan-schema.ts). */
  plan: ZodType<P>;
  /** A validated plan → its cells (cells.ts has the shared machinery). */
  cells(plan: P, context: ExpandContext): Cell[];
  /** The argv that prints the binary's version, given the cell's binary argv; null when there is none. */
  version(binary: string[]): string[] | null;
  /** The format of the result file it captures, and of its stdout (null: detect by content). */
  formats: {result: string | null; stdout: string | null};
  run(cell: Cell, context: RunnerContext): Promise<CellOutcome>;
  /**
   * The commands `--dry-run` shows for a cell, program first (a server and
   * its client, a tool with its result-file options). Default: `[cell.argv]`.
   */
  preview?(cell: Cell): string[][];
}
