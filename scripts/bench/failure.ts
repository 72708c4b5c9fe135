/** Why a cell failed (out of memory, timeout, other), from its exit and output; the detail is the log's tail. */
import type {Status} from "../schema/schema.js";

/** Lines that mean the tool ran out of memory (host or device). Consulted only when the cell failed. */
export const OOM_PATTERNS: readonly RegExp[] = [
  /out of memory/i, // CUDA: "cudaMalloc failed: out of memory", "CUDA error: out of memory"; PyTorch
  /OutOf(?:Device|Host|Pool)?Memory/, // Vulkan ErrorOutOfDeviceMemory, torch.OutOfMemoryError
  /CUDA_ERROR_OUT_OF_MEMORY|hipErrorOutOfMemory/,
  /failed to allocate/i, // ggml: "failed to allocate CUDA0 buffer of size …", "failed to allocate compute pp buffers"
  /failed to create context/i, // llama-bench: "failed to create context with model '…'"
  /Insufficient Memory/, // Metal: kIOGPUCommandBufferCallbackErrorOutOfMemory
  /std::bad_alloc/,
  /Cannot allocate memory/i // ENOMEM
];

export interface ProcessEnd {
  exit_code: number | null;
  signal: string | null;
  timed_out: boolean;
  timeout_s?: number;
  /** The process could not be started (program not found…). */
  spawn_error?: string | null;
  stderr: string;
  stdout?: string;
}

export interface Failure {
  status: Status;
  detail: string | null;
}

const TAIL_LINES = 20;
const TAIL_CHARS = 2000;

/** The last lines of a log, at most ~2000 characters. */
export function logTail(text: string, lines = TAIL_LINES, chars = TAIL_CHARS): string {
  const kept = text
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((l) => l.replace(/\s+$/, ""))
    .filter((l) => l !== "");
  let tail = kept.slice(-lines).join("\n");
  if (tail.length > chars) tail = `…${tail.slice(-chars)}`;
  return tail;
}

/** The first log line that says the tool ran out of memory, if any. */
export function oomLine(text: string): string | null {
  for (const line of text.split(/\r?\n/)) if (OOM_PATTERNS.some((p) => p.test(line))) return line.trim();
  return null;
}

/**
 * Status of a cell from how its process ended. `missing` is the number of
 * expected tests without a result: a tool that exits 0 but printed fewer
 * results than asked still failed.
 */
export function classifyEnd(end: ProcessEnd, missing = 0): Failure {
  const log = [end.stderr, end.stdout ?? ""].join("\n");
  const tail = logTail(end.stderr) || logTail(end.stdout ?? "");
  const withTail = (head: string) => (tail ? `${head}\n${tail}` : `${head} (the tool printed no log)`);
  if (end.spawn_error) return {status: "error", detail: end.spawn_error};
  if (end.timed_out) return {status: "timeout", detail: withTail(`timed out after ${end.timeout_s ?? "?"} s; stopped`)};
  const failed = end.exit_code !== 0 || end.signal !== null || missing > 0;
  if (!failed) return {status: "ok", detail: null};
  const how = end.signal
    ? `killed by ${end.signal}`
    : end.exit_code !== 0
      ? `exit code ${end.exit_code}`
      : `exit code 0 but ${missing} expected result${missing === 1 ? "" : "s"} missing`;
  const oom = oomLine(log);
  if (oom)
    return {
      status: "oom",
      detail: withTail(tail.includes(oom) ? `out of memory (${how})` : `out of memory (${how}): ${oom}\n…`)
    };
  if (end.signal === "SIGKILL")
    return {status: "error", detail: withTail(`${how} (not by benchbook; on Linux the kernel's OOM killer does this)`)};
  return {status: "error", detail: withTail(how)};
}
