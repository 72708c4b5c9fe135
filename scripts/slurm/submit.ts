/**
 * `bench PLAN --slurm`: cells as one Slurm job array, each task running and importing one cell. With `--wait`,
 * tasks that stored nothing are recorded from sacct as failed results, so every cell's fate is in the store.
 */
import {execFile} from "node:child_process";
import {existsSync, mkdirSync, readFileSync} from "node:fs";
import {join, resolve} from "node:path";
import type {LoadedPlan} from "../bench/plan-file.js";
import {finalize, storedCellIds} from "../bench/bench.js";
import {logTail} from "../bench/failure.js";
import type {Cell} from "../bench/types.js";
import type {Capture, CellOutcome} from "../schema/capture.js";
import {importCapture} from "../import/capture.js";
import type {Store} from "../store/store.js";
import {writeFileAtomic} from "../store/atomic.js";
import {isFinished, parseSacct, sacctArgs, statusOf, type TaskState} from "./sacct.js";
import {jobName, sbatchScript, type SlurmJob, type SlurmOptions} from "./script.js";

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}
export type Exec = (program: string, args: string[]) => Promise<ExecResult>;

export const execProgram: Exec = (program, args) =>
  new Promise((ok) => {
    execFile(program, args, {encoding: "utf8", maxBuffer: 64 * 1024 * 1024}, (error, stdout, stderr) => {
      const code = error
        ? typeof (error as {code?: unknown}).code === "number"
          ? (error as {code: number}).code
          : 127
        : 0;
      ok({code, stdout, stderr: stderr || (error && code === 127 ? String(error.message) : "")});
    });
  });

/** What a Slurm task records about where it ran (`extra.capture.scheduler`). */
export type SchedulerRecord = NonNullable<Capture["scheduler"]>;

export type SlurmEvent =
  | {type: "submitted"; job_id: string; tasks: number; dir: string}
  | {type: "progress"; done: number; running: number; pending: number; total: number}
  | {type: "task-end"; cell: Cell; state: TaskState; recorded: boolean};

export interface SubmitOptions {
  store: Store;
  plan: LoadedPlan;
  /** Cells selected by `--only`, before `--resume` filters them. */
  cells: Cell[];
  resume: boolean;
  slurm: SlurmOptions;
  /** Where the plan's relative paths are read from (the task's working directory). */
  cwd: string;
  /** How to start benchbook on a node: `[node, …/bin/benchbook.js]`. */
  cli: string[];
  /** Options passed on to every task (`--tag k=v`, `--redact-home`, `--full-hash`). */
  taskOptions: string[];
  wait: boolean;
  dryRun: boolean;
  env: NodeJS.ProcessEnv;
  pollSeconds?: number;
  exec?: Exec;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  out: (text: string) => void;
  onEvent?: (event: SlurmEvent) => void;
}

export interface SubmitSummary {
  cells: number;
  skipped: number;
  submitted: number;
  job_id: string | null;
  /** With --wait: tasks that completed, and cells that ended failed (by the tool or by Slurm). */
  completed: number;
  failed: number;
}

export async function submitPlan(options: SubmitOptions): Promise<SubmitSummary> {
  const exec = options.exec ?? execProgram;
  const now = options.now ?? (() => new Date());
  const emit = options.onEvent ?? (() => {});
  const done = options.resume ? storedCellIds(options.store) : new Set<string>();
  const toRun = options.cells.filter((cell) => !done.has(cell.id));
  const summary: SubmitSummary = {
    cells: options.cells.length,
    skipped: options.cells.length - toRun.length,
    submitted: 0,
    job_id: null,
    completed: 0,
    failed: 0
  };
  if (toRun.length === 0) return summary;

  const name = jobName(options.plan.plan.name);
  const stamp = now().toISOString().replace(/[:.]/g, "-");
  const dir = resolve(options.store.root, "slurm", `${stamp}-${name}`);
  const cellsFile = join(dir, "cells.txt");
  const job: SlurmJob = {
    name,
    tasks: toRun.length,
    dir,
    cellsFile,
    cwd: options.cwd,
    taskArgv: [
      ...options.cli,
      "bench",
      resolve(options.cwd, options.plan.file),
      "--store",
      resolve(options.store.root),
      "--slurm-task",
      cellsFile,
      ...options.taskOptions
    ],
    options: options.slurm
  };
  const script = sbatchScript(job);
  if (options.dryRun) {
    options.out(
      `# ${toRun.length} task${toRun.length === 1 ? "" : "s"}${summary.skipped ? ` (${summary.skipped} cells already have results)` : ""}; cells file ${cellsFile}:\n${toRun.map((c) => `#   ${c.id}  ${c.label}`).join("\n")}\n${script}`
    );
    return summary;
  }

  mkdirSync(dir, {recursive: true});
  writeFileAtomic(cellsFile, toRun.map((c) => `${c.id}\n`).join(""));
  const scriptFile = join(dir, "job.sbatch");
  writeFileAtomic(scriptFile, script);
  const submitted = await exec("sbatch", ["--parsable", scriptFile]);
  if (submitted.code !== 0)
    throw new SlurmError(
      `sbatch failed (exit ${submitted.code}): ${submitted.stderr.trim() || submitted.stdout.trim()}`
    );
  const jobId = submitted.stdout.trim().split(";")[0];
  if (!/^\d+$/.test(jobId)) throw new SlurmError(`sbatch printed no job id: ${JSON.stringify(submitted.stdout)}`);
  writeFileAtomic(
    join(dir, "job.json"),
    `${JSON.stringify({job_id: jobId, plan: {name: options.plan.plan.name, file: options.plan.file, sha256: options.plan.sha256}, cells: toRun.map((c) => ({id: c.id, label: c.label})), submitted_at: now().toISOString()}, null, 2)}\n`
  );
  summary.job_id = jobId;
  summary.submitted = toRun.length;
  emit({type: "submitted", job_id: jobId, tasks: toRun.length, dir});
  if (!options.wait) return summary;

  const states = await waitForJob(jobId, toRun.length, {
    exec,
    pollSeconds: options.pollSeconds ?? 5,
    sleep: options.sleep,
    onProgress: (p) => emit({type: "progress", ...p})
  });
  const stored = storedTasks(options.store, jobId);
  for (const state of states) {
    const cell = toRun[state.task];
    if (!cell) continue;
    const storedStatus = stored.get(state.task);
    const recorded = storedStatus === undefined;
    if (recorded) recordTaskFailure(options, cell, state, jobId, join(dir, `task-${state.task}.log`), now);
    if (state.state === "COMPLETED" && storedStatus === "ok") summary.completed++;
    else summary.failed++;
    emit({type: "task-end", cell, state, recorded});
  }
  return summary;
}

export class SlurmError extends Error {}

/**
 * Follows a job array until it has left the queue (squeue) and the accounting
 * database (sacct) has every task's end. A task cancelled while pending never
 * reaches sacct: it is reported CANCELLED, never started.
 */
export async function waitForJob(
  jobId: string,
  tasks: number,
  options: {
    exec: Exec;
    pollSeconds: number;
    sleep?: (ms: number) => Promise<void>;
    onProgress?: (p: {done: number; running: number; pending: number; total: number}) => void;
  }
): Promise<TaskState[]> {
  const sleep = options.sleep ?? ((ms) => new Promise((ok) => setTimeout(ok, ms)));
  let last = "";
  let settling = 0;
  for (;;) {
    const queue = await options.exec("squeue", ["-h", "-r", "-j", jobId, "-o", "%i|%T"]);
    // Once purged from the controller (MinJobAge), squeue refuses the id: the job is over.
    const queued = queue.code === 0 ? queue.stdout.split("\n").filter((l) => l.startsWith(`${jobId}_`)).length : 0;
    if (queue.code !== 0 && !/invalid job id/i.test(queue.stderr))
      throw new SlurmError(`squeue failed (exit ${queue.code}): ${queue.stderr.trim()}`);
    const result = await options.exec("sacct", sacctArgs(jobId));
    if (result.code !== 0) throw new SlurmError(`sacct failed (exit ${result.code}): ${result.stderr.trim()}`);
    const states = parseSacct(result.stdout, jobId).filter((s) => s.task < tasks);
    const ended = states.filter(isFinished);
    const running = states.filter((s) => s.state === "RUNNING").length;
    const progress = {done: ended.length, running, pending: Math.max(0, tasks - ended.length - running), total: tasks};
    const key = JSON.stringify(progress);
    if (key !== last) options.onProgress?.(progress);
    last = key;
    if (queued === 0) {
      // The accounting database can lag a moment behind the controller.
      if (ended.length === states.length || ++settling > 30) {
        const byTask = new Map(ended.map((s) => [s.task, s]));
        return Array.from(
          {length: tasks},
          (_, task) =>
            byTask.get(task) ?? {
              task,
              job_id: `${jobId}_${task}`,
              state: "CANCELLED",
              exit_code: "",
              node: null,
              start: null,
              end: null
            }
        );
      }
      await sleep(1000);
      continue;
    }
    await sleep(options.pollSeconds * 1000);
  }
}

/** Task index → the worst status among the results its own run stored, for one array job. */
function storedTasks(store: Store, jobId: string): Map<number, string> {
  const tasks = new Map<number, string>();
  for (const input of store.readAll()) {
    for (const run of input.runs) {
      const scheduler = (run.extra?.capture as {scheduler?: SchedulerRecord} | undefined)?.scheduler;
      if (!scheduler || scheduler.array_job_id !== jobId || scheduler.failure) continue;
      const failed = run.results.some((r) => r.status !== "ok");
      const before = tasks.get(scheduler.task);
      tasks.set(scheduler.task, before === "failed" || failed ? "failed" : "ok");
    }
  }
  return tasks;
}

/** A task that stored nothing: its cell's expected tests become results with the task's status and log tail. */
function recordTaskFailure(
  options: SubmitOptions,
  cell: Cell,
  state: TaskState,
  jobId: string,
  logFile: string,
  now: () => Date
): void {
  const log = existsSync(logFile) ? readFileSync(logFile) : Buffer.alloc(0);
  const tail = logTail(log.toString("utf8"));
  const when = now().toISOString();
  const scheduler: SchedulerRecord = {
    kind: "slurm",
    array_job_id: jobId,
    task: state.task,
    job_id: state.job_id,
    node: state.node,
    cluster: null,
    state: state.state,
    failure: true
  };
  const capture: Capture = {
    benchbook_capture: 1,
    runner: cell.runner,
    cell: {id: cell.id, label: cell.label, params: cell.params, expected: cell.expected, tags: cell.tags},
    plan: {name: options.plan.plan.name, sha256: options.plan.sha256},
    command: cell.argv,
    env: {},
    started_at: state.start ?? when,
    ended_at: state.end ?? when,
    exit_code: Number(state.exit_code.split(":")[0]) || null,
    signal: null,
    status: statusOf(state),
    status_detail: `Slurm task ${state.job_id}${state.node ? ` on ${state.node}` : ""} ended ${state.state} (exit ${state.exit_code}) without storing a result${tail ? `\n${tail}` : " (its log is empty)"}`,
    environment: {scheduler},
    results_role: "stdout",
    results_format: null,
    scheduler
  };
  const outcome: CellOutcome = {
    capture,
    files: log.length ? [{role: "slurm-log", name: `${cell.id}.slurm.log`, bytes: log}] : []
  };
  const finished = finalize(outcome, {
    plan: capture.plan,
    environment: capture.environment,
    redaction: {secrets: [], home: null}
  });
  importCapture(options.store, finished, {tags: cell.tags});
}

/** The cell a Slurm task runs: line SLURM_ARRAY_TASK_ID (from 0) of the cells file. */
export function taskCell(cellsFile: string, env: NodeJS.ProcessEnv): {id: string; scheduler: SchedulerRecord} {
  const index = env.SLURM_ARRAY_TASK_ID;
  if (index === undefined || !/^\d+$/.test(index))
    throw new SlurmError("--slurm-task runs inside a Slurm array task: SLURM_ARRAY_TASK_ID is not set");
  const ids = readFileSync(cellsFile, "utf8").split("\n").filter(Boolean);
  const id = ids[Number(index)];
  if (!id) throw new SlurmError(`${cellsFile}: no line ${Number(index) + 1} (the file lists ${ids.length} cells)`);
  return {
    id,
    scheduler: {
      kind: "slurm",
      array_job_id: env.SLURM_ARRAY_JOB_ID ?? env.SLURM_JOB_ID ?? "",
      task: Number(index),
      job_id: env.SLURM_JOB_ID ?? null,
      node: env.SLURMD_NODENAME ?? null,
      cluster: env.SLURM_CLUSTER_NAME ?? null
    }
  };
}
