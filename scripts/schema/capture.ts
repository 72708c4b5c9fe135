/**
 * The capture: what `benchbook bench` hands the import path for one cell.
 * Runners never write runs; the captured files go through the same import as
 * a pasted file, and the Capture record is stored beside them (role `capture`).
 */
import type {Status} from "./schema.js";

/** The part of a bench cell that a capture records. */
export interface CapturedCell {
  /** Stable id: a hash of the runner and its parameters; `--resume` skips cells whose id is in the store. */
  id: string;
  /** Human label for progress lines and `--only` filters: `Qwen3.5-9B-Q8_0 · -ub 256 · d16384`. */
  label: string;
  /** The cell's parameters after expansion (model, settings, depth…), for provenance and filters. */
  params: Record<string, unknown>;
  /** Tests the cell should produce, so a failed cell can still record a result per test. */
  expected: ExpectedTest[];
  tags: Record<string, string>;
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
  cell: CapturedCell;
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
  scheduler?: {
    kind: "slurm";
    array_job_id: string;
    task: number;
    job_id: string | null;
    node: string | null;
    cluster: string | null;
    state?: string;
    failure?: boolean;
  };
}

export interface CellOutcome {
  capture: Capture;
  files: CapturedFile[];
}
