/**
 * One tool invocation: argv (never a shell string), the plan's env, optional `ulimit -v`, a timeout and an
 * abort signal; output kept byte for byte, stdout lines reported as they arrive.
 */
import {spawn} from "node:child_process";
import {RUNTIMES} from "../../context/runtimes.js";
import type {Cell, RunnerContext} from "../types.js";
import type {CellLimits} from "../../schema/capture.js";

export interface ProcessResult {
  stdout: Uint8Array;
  stderr: Uint8Array;
  exit_code: number | null;
  signal: string | null;
  timed_out: boolean;
  /** Stopped because the run was interrupted (Ctrl-C). */
  aborted: boolean;
  /** The program could not be started (not found, not executable). */
  spawn_error: string | null;
  started_at: Date;
  ended_at: Date;
}

export interface ProcessOptions {
  env: NodeJS.ProcessEnv;
  timeout_s: number;
  signal: AbortSignal;
  limits?: CellLimits;
  cwd?: string;
  now?: () => Date;
  /** Each complete stdout line, as it arrives. */
  onStdoutLine?(line: string): void;
  /** Seconds between SIGTERM and SIGKILL when stopping the tool. */
  killGrace_s?: number;
}

/**
 * `ulimit -v` needs a shell: the limit and the argv are passed as the
 * shell's positional parameters, so no plan value is ever parsed by it.
 */
export function withLimits(argv: string[], limits: CellLimits | undefined): string[] {
  if (!limits?.address_space_kib) return argv;
  return [
    "/bin/sh",
    "-c",
    'ulimit -v "$1" || exit 126; shift; exec "$@"',
    "benchbook-limits",
    String(limits.address_space_kib),
    ...argv
  ];
}

export function runProcess(argv: string[], options: ProcessOptions): Promise<ProcessResult> {
  const now = options.now ?? (() => new Date());
  const started_at = now();
  const full = withLimits(argv, options.limits);
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let pending = "";
    let timed_out = false;
    let aborted = false;
    let spawn_error: string | null = null;
    let killTimer: NodeJS.Timeout | null = null;
    const child = spawn(full[0], full.slice(1), {
      env: options.env,
      cwd: options.cwd,
      stdio: ["ignore", "pipe", "pipe"],
      shell: false
    });
    const stop = () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      killTimer ??= setTimeout(() => child.kill("SIGKILL"), (options.killGrace_s ?? 5) * 1000);
    };
    const timer = setTimeout(() => {
      timed_out = true;
      stop();
    }, options.timeout_s * 1000);
    const onAbort = () => {
      aborted = true;
      stop();
    };
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener("abort", onAbort, {once: true});
    child.stdout.on("data", (chunk: Buffer) => {
      stdout.push(chunk);
      if (!options.onStdoutLine) return;
      pending += chunk.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) options.onStdoutLine(line.replace(/\r$/, ""));
    });
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (error: NodeJS.ErrnoException) => {
      spawn_error =
        error.code === "ENOENT"
          ? `could not start ${argv[0]}: not found (give the plan's binary: as a path, or put it in PATH)`
          : `could not start ${argv[0]}: ${error.message}`;
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      options.signal.removeEventListener("abort", onAbort);
      if (pending && options.onStdoutLine) options.onStdoutLine(pending);
      resolve({
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr),
        exit_code: spawn_error ? null : code,
        signal: signal ?? null,
        timed_out,
        aborted,
        spawn_error,
        started_at,
        ended_at: now()
      });
    });
  });
}

/** The child's environment: the caller's, plus the cell's variables. */
export function childEnv(cell: Cell, context: RunnerContext): NodeJS.ProcessEnv {
  return {...context.env, ...cell.env};
}

/** Inherited variables that change what a benchmark measures, recorded with each capture: the machine's, and every runtime's (runtimes.ts). */
const RELEVANT_ENV = new RegExp(
  `^(?:CUDA_VISIBLE_DEVICES|CUDA_DEVICE_ORDER|HIP_VISIBLE_DEVICES|ROCR_VISIBLE_DEVICES|GPU_DEVICE_ORDINAL|OMP_\\w+|MKL_NUM_THREADS|OPENBLAS_NUM_THREADS|HF_HUB_OFFLINE|PYTORCH_\\w+|NCCL_\\w+|TORCH_\\w+|${RUNTIMES.flatMap((r) => r.envPrefixes.map((prefix) => `${prefix}\\w+`)).join("|")})$`
);

/**
 * Inherited names that match RELEVANT_ENV but only describe the machine's
 * image: NVIDIA's CUDA containers set NCCL_VERSION (the NCCL installed) and
 * PyTorch images TORCH_CUDA_ARCH_LIST (for compiling extensions); on the H100
 * both ended up in every stored command line (test/fixtures/captured/h100).
 */
const IMAGE_ENV = /^(?:\w+_VERSION|TORCH_CUDA_ARCH_LIST)$/;

/** The variables worth recording: the cell's own (plan env, pass_env) and the relevant inherited ones. Not yet redacted. */
export function recordedEnv(cell: Cell, context: RunnerContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(context.env))
    if (value !== undefined && RELEVANT_ENV.test(key) && !IMAGE_ENV.test(key)) out[key] = value;
  return {...out, ...cell.env};
}
