/**
 * Servers' log prefixes (vLLM, SGLang, llama.cpp, compose/llama-swap tags) and whether a line looks like log
 * output. A time is stored only when a whole date is printed: vLLM prints no year, so its stamp stays text.
 */

export interface LogPrefix {
  /** The message after the prefix (the whole line when there is none). */
  message: string;
  /** `2025-02-27T04:46:39` when the prefix prints a full date; no offset is printed, so none is added. */
  time: string | null;
  /** The stamp as printed when it lacks a date or year (`05-04 12:34:56`) or counts from process start (`0.00.276.005`). */
  log_time: string | null;
  /** Process or rank labels as printed: `APIServer pid=1`, `TP0`, `DP0 TP0 EP0`. */
  source: string | null;
  /** Whether any log prefix was found. */
  prefixed: boolean;
}

const SERVICE = /^[\w.-]+\s*\|\s+(?=\S)/; // docker compose: `vllm-1  | `
const PID_TAG = /^\[\d+\]\s+/; // llama-swap: `[53409] `
const PROCESS = /^\(([A-Za-z][\w-]*(?:\s+(?:rank|pid|replica)=\d+)*)\)\s+/; // vLLM: `(APIServer pid=1) `
const STAGE = /^\[[A-Za-z][\w-]*\]\s+(?=(?:INFO|WARNING|ERROR|DEBUG|CRITICAL)\b)/; // vllm-omni: `[Stage-0] `
const PY_LEVEL =
  /^(?:INFO|WARNING|ERROR|DEBUG|CRITICAL)\s+(?:(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?)|(\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?))\s+(?:\[?[\w./-]+\.py:\d+\]\s*)?/;
const BRACKET_TIME =
  /^\[(?:(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)|(\d{2}:\d{2}:\d{2}(?:\.\d+)?))((?:\s+[A-Z]+\d+)*)\]\s+/; // SGLang
const GGML_TIME = /^(\d+\.\d{2}\.\d{3}\.\d{3})\s+[IWEDT]\s+/; // llama.cpp common log

/** Terminal colour codes (`\x1b[36m`) that Ray and coloured loggers put around prefixes. */
const ANSI = /\x1b\[[0-9;]*m/g;

export function splitLogPrefix(text: string): LogPrefix {
  let rest = (text.includes("\x1b") ? text.replace(ANSI, "") : text).replace(/^\s+/, "");
  let prefixed = false;
  let time: string | null = null;
  let log_time: string | null = null;
  const sources: string[] = [];
  const take = (re: RegExp): RegExpExecArray | null => {
    const m = re.exec(rest);
    if (m) {
      rest = rest.slice(m[0].length);
      prefixed = true;
    }
    return m;
  };
  take(SERVICE);
  take(PID_TAG);
  const process = take(PROCESS);
  if (process) sources.push(process[1]);
  take(STAGE);
  const py = take(PY_LEVEL);
  if (py) {
    if (py[1]) time = py[1].replace(" ", "T").replace(",", ".");
    else log_time = py[2];
  }
  const bracket = !py ? take(BRACKET_TIME) : null;
  if (bracket) {
    if (bracket[1]) time = `${bracket[1]}T${bracket[2]}`;
    else log_time = bracket[3];
    if (bracket[4].trim()) sources.push(bracket[4].trim());
  }
  const ggml = !py && !bracket ? take(GGML_TIME) : null;
  if (ggml) log_time = ggml[1];
  return {message: rest, time, log_time, source: sources.length ? sources.join(" ") : null, prefixed};
}

/**
 * Lines that look like log output rather than prose: a log prefix, a
 * function-name prefix (`llama_model_loader:`), a traceback line, a progress
 * bar. Used to decide whether unrecognized lines between two log lines still
 * belong to the same log.
 */
const LOG_LIKE = [
  /^\s*(?:INFO|WARNING|WARN|ERROR|DEBUG|CRITICAL|TRACE|FATAL)\b/,
  /^\s*[[(]/,
  /^\s*\d{1,4}[-/.:]\d/,
  /^\s*[A-Za-z][\w-]*\s*\|\s/,
  /^\s*[a-z][a-z0-9]*(?:_[a-z0-9]+)+\s*[:(]/, // snake_case function prefixes: load_tensors:, ggml_metal_init:
  /^\s*(?:srv|slot|main|que|common|build|system_info|system info)\b/,
  /^\s*(?:Traceback \(most recent call last\)|File "|During handling|The above exception)/,
  /^ {4,}\S|^\t/, // a traceback's source lines, indented
  /^\s*\w*(?:Error|Exception|Warning)\b.*:/,
  /\d+%\s*\||it\/s\]|s\/it\]/, // progress bars
  /^\s*[.^~]{3,}\s*$/
];

export function isLogLike(text: string): boolean {
  return LOG_LIKE.some((re) => re.test(text));
}

/**
 * Lines that start another kind of block: a Markdown fence, table row or
 * heading, a banner (`==== Serving Benchmark Result ====`), a lone JSON
 * bracket. A log excerpt never continues past one of these.
 */
const STRUCTURE = [/^\s*(?:```|~~~)/, /^\s*\|.*\|\s*$/, /^\s*#{1,6}\s/, /^\s*={4,}/, /^\s*-{4,}\s*\S/, /^\s*[{}]\s*$/];

export function isStructureLine(text: string): boolean {
  return STRUCTURE.some((re) => re.test(text));
}
