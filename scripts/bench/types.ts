/**
 * The contract between `benchbook bench`, its runners and the import path.
 *
 * A plan expands into cells; a runner runs one cell and captures what the
 * tool printed, byte for byte, plus a Capture record describing the run
 * (command, environment, exit status). Runners never write runs: the capture
 * goes through the same import path as a pasted file (scripts/import/), so the
 * same parser reads a captured llama-bench output and a pasted one.
 */
import type {Status} from "../schema/schema.js";

/** One unit of work: one tool invocation with single values for every parameter. */
export interface Cell {
  /** Stable id: a hash of the runner and its parameters; `--resume` skips cells whose id is in the store. */
  id: string;
  /** The runner that runs it (`llama-bench`, `endpoint`, `vllm-bench-serve`, `sglang-bench-serving`, `mlx-benchmark`). */
  runner: string;
  /** Human label for progress lines and `--only` filters: `Qwen3.5-9B-Q8_0 · -ub 256 · d16384`. */
  label: string;
  /** The cell's parameters after expansion (model, settings, depth…), for provenance and filters. */
  params: Record<string, unknown>;
  /** The argv that will run (program first), built as an array: never a shell string. Empty for in-process runners. */
  argv: string[];
  /** Tests the cell should produce, so a failed cell can still record a result per test. */
  expected: ExpectedTest[];
  /** Seconds before the cell is killed. */
  timeout_s: number;
  tags: Record<string, string>;
  /**
   * Variables set for the tool on top of the inherited environment (the
   * plan's `env` and `pass_env`). Raw values, secrets included: runners pass
   * them to the child and never write them anywhere (Capture.env is redacted).
   */
  env?: Record<string, string>;
  /** Resource limits for the tool's process (`ulimit -v` in KiB). */
  limits?: CellLimits;
}

export interface CellLimits {
  address_space_kib?: number;
}

export interface ExpectedTest {
  test: string;
  kind: string;
  n_prompt: number | null;
  n_gen: number | null;
  n_depth: number | null;
  concurrency?: number | null;
  /** The headline value a failed test is recorded under (default: throughput, tok/s, mean). */
  metric?: string;
  unit?: string;
  stat?: string;
}

/** A file a runner captured: what the tool wrote, byte for byte. */
export interface CapturedFile {
  /** `stdout`, `stderr`, `result` (a tool's result file), `server-log`. The importer adds `capture` and `plan`. */
  role: string;
  /** Name for messages (`<cell id>.stdout`). */
  name: string;
  bytes: Uint8Array;
}

/** Everything known about one cell's execution; stored beside the raw outputs. */
export interface Capture {
  benchbook_capture: 1;
  runner: string;
  cell: Pick<Cell, "id" | "label" | "params" | "expected" | "tags">;
  plan: {name: string; sha256: string} | null;
  /** argv as run, secrets redacted. */
  command: string[];
  /** Environment variables that matter to the run (CUDA_VISIBLE_DEVICES…), secrets redacted. */
  env: Record<string, string>;
  started_at: string;
  ended_at: string;
  exit_code: number | null;
  signal: string | null;
  status: Status;
  /** The tail of the log when the cell failed. */
  status_detail: string | null;
  /** Machine, runtime and model identity (scripts/bench/environment.ts). */
  environment: Record<string, unknown>;
  /** Which captured file holds the tool's results (its role), and which format reads it (null: detect). */
  results_role: string;
  results_format: string | null;
  /** Limits the tool ran under (`ulimit -v`), when the plan set any. */
  limits?: CellLimits;
  /**
   * What was replaced in the captured files before storing them: `secrets`
   * (a literal secret value from the environment or argv appeared in the
   * output), `home` (--redact-home). Absent or empty: the files are verbatim.
   */
  redactions?: string[];
  /**
   * Where a scheduler ran the cell (`benchbook bench --slurm`): the array job,
   * task and node. `failure: true` marks results recorded from sacct for a task
   * that stored nothing itself; `--resume` runs such cells again.
   */
  scheduler?: {kind: "slurm"; array_job_id: string; task: number; job_id: string | null; node: string | null; cluster: string | null; state?: string; failure?: boolean};
}

export interface CellOutcome {
  capture: Capture;
  files: CapturedFile[];
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
