/**
 * `benchbook bench`'s cells and runners. A plan expands into cells; a runner
 * runs one cell and returns what the tool printed, byte for byte, with a
 * Capture record (scripts/schema/capture.ts) that the import path stores.
 */
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

export interface Runner {
  kind: string;
  run(cell: Cell, context: RunnerContext): Promise<CellOutcome>;
  /**
   * The commands `--dry-run` shows for a cell, program first (a server and
   * its client, a tool with its result-file options). Default: `[cell.argv]`.
   */
  preview?(cell: Cell): string[][];
}
