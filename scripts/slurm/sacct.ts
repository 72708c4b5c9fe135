/**
 * What Slurm says of a job array's tasks, from `sacct` (the accounting
 * database: it keeps finished tasks, unlike squeue) and how a task's end maps
 * to a result status.
 */
import type {Status} from "../schema/schema.js";

export interface TaskState {
  /** Array index (`12_3` → 3). */
  task: number;
  /** `12_3` */
  job_id: string;
  /** PENDING, RUNNING, COMPLETED, FAILED, TIMEOUT, CANCELLED, NODE_FAIL, OUT_OF_MEMORY, PREEMPTED, BOOT_FAIL, DEADLINE… */
  state: string;
  /** `exit:signal` as sacct prints it (`1:0`, `0:15`). */
  exit_code: string;
  node: string | null;
  start: string | null;
  end: string | null;
}

/** The columns `sacctArgs` asks for, in order. */
const FORMAT = "JobID,State,ExitCode,NodeList,Start,End";

export function sacctArgs(jobId: string): string[] {
  return ["-X", "-n", "-P", "-j", jobId, `--format=${FORMAT}`];
}

/**
 * `sacct -X -n -P` lines → one state per array task. Pending tasks may be
 * folded into one line (`12_[3-5%2]`); they are expanded. `CANCELLED by 0`
 * is CANCELLED. A task cancelled while pending has no line at all.
 */
export function parseSacct(text: string, jobId: string): TaskState[] {
  const tasks = new Map<number, TaskState>();
  const folded: TaskState[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const [id, state = "", exit_code = "", nodes = "", start = "", end = ""] = line.split("|");
    if (!id.startsWith(`${jobId}_`)) continue;
    const base: Omit<TaskState, "task" | "job_id"> = {
      state: state.split(" ")[0],
      exit_code,
      node: nodes && nodes !== "None assigned" ? nodes : null,
      start: dateOrNull(start),
      end: dateOrNull(end)
    };
    const index = id.slice(jobId.length + 1);
    if (/^\d+$/.test(index)) tasks.set(Number(index), {task: Number(index), job_id: id, ...base});
    else for (const n of expandRange(index)) folded.push({task: n, job_id: `${jobId}_${n}`, ...base});
  }
  // A folded pending line can still name a task that already has its own line: its own line wins.
  for (const state of folded) if (!tasks.has(state.task)) tasks.set(state.task, state);
  return [...tasks.values()].sort((a, b) => a.task - b.task);
}

function dateOrNull(text: string): string | null {
  return /^\d{4}-\d\d-\d\dT/.test(text) ? text : null;
}

/** `[3-5,7%2]` → 3, 4, 5, 7. */
function expandRange(text: string): number[] {
  const inner = /^\[([^\]]*)\]$/.exec(text)?.[1];
  if (!inner) return [];
  const out: number[] = [];
  for (const part of inner.split("%")[0].split(",")) {
    const [a, b] = part.split("-").map(Number);
    for (let n = a; n <= (Number.isFinite(b) ? b : a); n++) out.push(n);
  }
  return out;
}

const ACTIVE = new Set([
  "PENDING",
  "RUNNING",
  "REQUEUED",
  "RESIZING",
  "SUSPENDED",
  "CONFIGURING",
  "COMPLETING",
  "REQUEUE_FED",
  "REQUEUE_HOLD",
  "SIGNALING",
  "STAGE_OUT",
  "STOPPED"
]);

export function isFinished(state: TaskState): boolean {
  return !ACTIVE.has(state.state);
}

/** The result status a task's end stands for when the task stored nothing itself. */
export function statusOf(state: TaskState): Status {
  if (state.state === "TIMEOUT" || state.state === "DEADLINE") return "timeout";
  if (state.state === "OUT_OF_MEMORY") return "oom";
  return "error";
}
