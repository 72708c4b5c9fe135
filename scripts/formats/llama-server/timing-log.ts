/**
 * llama-server's per-request timings (`slot print_timing: … prompt eval time = … ms / 35 tokens`) and progress
 * lines (`n_gen = 100, tg = 19.04 t/s, tg_3s = …`), in every log shape since 2024 (docs/importing.md). Each request
 * is a run of scope-request results. From server-context.cpp: `tg` is the mean since generation began
 * (cumulative), `tg_3s` the rate since the previous progress line (interval).
 */
import type {Result, Scope, Stat} from "../../schema/schema.js";
import type {LineHit, LineReader, RunFacts} from "../logs/line-log.js";
import {lineLogFormat} from "../logs/line-log.js";
import type {LogPrefix} from "../logs/log-prefix.js";
import {splitLogPrefix} from "../logs/log-prefix.js";
import {applyServerContext} from "../serving/server-context.js";
import {logResult} from "../logs/values.js";

const NUM = String.raw`(-?\d+(?:\.\d+)?|-?nan|-?inf)`;
const SLOT = /^slot\s+(\w+)\s*:\s*id\s+(\d+)\s*\|\s*task\s+(-?\d+)\s*\|\s*(.*)$/;
const OLD_JSON = /^INFO\s+\[\s*print_timings\]\s*(.*?)\s*\|\s*tid=.*?\bid_slot=(\d+)\s+id_task=(\d+)/;
const PROMPT = new RegExp(
  String.raw`^prompt eval time\s*=\s*${NUM}\s*ms\s*\/\s*(\d+)\s*(tokens|runs)\s*\(\s*${NUM}\s*ms per token,\s*${NUM}\s*tokens per second\)`
);
const EVAL = new RegExp(
  String.raw`^(?:generation )?eval time\s*=\s*${NUM}\s*ms\s*\/\s*(\d+)\s*(tokens|runs)\s*\(\s*${NUM}\s*ms per token,\s*${NUM}\s*tokens per second\)`
);
const TOTAL = new RegExp(String.raw`^total time\s*=\s*${NUM}\s*ms(?:\s*\/\s*(\d+)\s*tokens)?`);
const DRAFT =
  /^draft acceptance(?: rate)?\s*=\s*(\d+(?:\.\d+)?|nan)\s*\(\s*(\d+)\s*accepted\s*\/\s*(\d+)\s*generated\)(.*)$/;
const GRAPHS = /^graphs reused\s*=\s*(\d+)\s*$/;
const PROGRESS_TG =
  /^(n_gen|n_decoded)\s*=\s*(\d+),\s*tg\s*=\s*(\d+(?:\.\d+)?)\s*t\/s(?:,\s*tg_3s\s*=\s*(\d+(?:\.\d+)?)\s*t\/s)?/;
const PROGRESS_PP =
  /^prompt processing,\s*n_tokens\s*=\s*(\d+),\s*progress\s*=\s*(\d+(?:\.\d+)?),\s*t\s*=\s*(\d+(?:\.\d+)?)\s*s\s*\/\s*(\d+(?:\.\d+)?)\s*tokens per second/;

/**
 * A line of `--log-format json` (2024 builds): `{"function":"print_timings",
 * "msg":"prompt eval time = …", "id_task":0 …}` (older builds: `task_id`).
 * The message is what the text log prints; its figures are the ones read.
 */
function jsonLogLine(text: string): {msg: string; task: string | null} | null {
  if (!text.includes('"print_timings"')) return null;
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof record !== "object" || record === null) return null;
  const r = record as Record<string, unknown>;
  if (r.function !== "print_timings" || typeof r.msg !== "string") return null;
  const task = r.id_task ?? r.task_id;
  return {msg: r.msg.trim(), task: typeof task === "number" || typeof task === "string" ? String(task) : null};
}

interface Request {
  index: number;
  task: string | null;
  n_prompt: number | null;
  n_gen: number | null;
}

const value = (text: string): number | null => (/^-?\d/.test(text) ? Number(text) : null);

class TimingReader implements LineReader {
  private count = 0;
  private current: Request | null = null;
  /** Task of a bare header line (`slot print_timing: id 0 | task 689 |`) whose timings follow bare. */
  private headerTask: string | null = null;

  read(text: string, line: number): LineHit | null {
    const prefix = splitLogPrefix(text);
    let body = prefix.message.trim();
    let task: string | null = null;
    let prefixed = prefix.prefixed;
    const json = body.startsWith("{") ? jsonLogLine(body) : null;
    const slot = json ? null : SLOT.exec(body);
    const old = slot || json ? null : OLD_JSON.exec(body);
    if (json) {
      task = json.task;
      body = json.msg;
      prefixed = true;
    } else if (slot) {
      if (!/^print_timings?$/.test(slot[1])) return null;
      task = slot[3];
      body = slot[4].trim();
      prefixed = true;
      if (body === "") {
        this.headerTask = task;
        return {results: [], prefixed: true};
      }
      this.headerTask = null;
    } else if (old) {
      task = old[3];
      body = old[1];
      prefixed = true;
    } else if (this.headerTask !== null) {
      task = this.headerTask;
      prefixed = true;
    }
    const results = this.timing(body, task, line, prefix);
    if (results) return {results, prefixed};
    const facts = prefix.prefixed ? this.facts(body) : null;
    return facts ? {results: [], facts, prefixed} : null;
  }

  /**
   * The request a line belongs to: the current one while its task goes on,
   * else a new one. A prompt-eval line after the current request's own
   * timings starts a new request even without task ids (bare old-style lines).
   */
  private request(task: string | null, startsRequest: boolean): Request {
    const c = this.current;
    const sameTask = c !== null && (task === null || c.task === null || c.task === task);
    if (c && sameTask && !(startsRequest && (c.n_prompt !== null || c.n_gen !== null))) return c;
    this.current = {index: this.count++, task, n_prompt: null, n_gen: null};
    return this.current;
  }

  private timing(body: string, task: string | null, line: number, prefix: LogPrefix): Result[] | null {
    const make = (
      r: Request,
      test: string,
      kind: string,
      metric: string,
      unit: string,
      v: string | number,
      stat: Stat = "value",
      scope: Scope = "request",
      extra: Record<string, unknown> = {}
    ): Result => {
      const num = typeof v === "number" ? v : value(v);
      return logResult({
        line,
        text: body,
        test,
        kind,
        metric,
        unit,
        stat,
        scope,
        value: num,
        skipped: num === null ? `printed ${JSON.stringify(v)}` : undefined,
        prefix,
        request: r.index,
        n_prompt: kind === "tg" ? null : r.n_prompt,
        n_gen: kind === "pp" ? null : r.n_gen,
        extra: {...extra, ...(r.task !== null ? {task: Number(r.task)} : {})}
      });
    };
    let m = PROMPT.exec(body);
    if (m) {
      const r = this.request(task, true);
      r.n_prompt = Number(m[2]);
      return [
        make(r, "prompt eval time", "pp", "duration", "ms", m[1]),
        make(r, "prompt eval time", "pp", "time_per_token", "ms", m[4]),
        make(r, "prompt eval time", "pp", "throughput", "tok/s", m[5])
      ];
    }
    m = EVAL.exec(body);
    if (m) {
      const r = this.request(task, false);
      r.n_gen = Number(m[2]);
      const extra = m[3] === "runs" ? {counted: "runs"} : {};
      return [
        make(r, "eval time", "tg", "duration", "ms", m[1], "value", "request", extra),
        make(r, "eval time", "tg", "time_per_token", "ms", m[4], "value", "request", extra),
        make(r, "eval time", "tg", "throughput", "tok/s", m[5], "value", "request", extra)
      ];
    }
    m = TOTAL.exec(body);
    if (m) {
      const r = this.request(task, false);
      return [
        make(r, "total time", "pp+tg", "duration", "ms", m[1], "value", "request", m[2] ? {tokens: Number(m[2])} : {})
      ];
    }
    m = DRAFT.exec(body);
    if (m) {
      const r = this.request(task, false);
      const out = [
        make(r, "draft acceptance", "tg", "acceptance_rate", "ratio", m[1]),
        make(r, "draft acceptance", "tg", "accepted_tokens", "tokens", Number(m[2]), "total"),
        make(r, "draft acceptance", "tg", "drafted_tokens", "tokens", Number(m[3]), "total")
      ];
      const len = /mean (?:len|acceptance length)\s*=\s*(\d+(?:\.\d+)?)/.exec(m[4]);
      if (len) out.push(make(r, "draft acceptance", "tg", "acceptance_length", "tokens", len[1]));
      const perPos = /acceptance rate per position\s*=\s*\(([^)]*)\)/.exec(m[4]);
      if (perPos)
        perPos[1].split(/\s*,\s*/).forEach((rate, i) =>
          out.push(
            make(r, "acceptance rate per position", "tg", "acceptance_rate", "ratio", rate, "value", "request", {
              position: i + 1
            })
          )
        );
      return out;
    }
    m = GRAPHS.exec(body);
    if (m) {
      const r = this.request(task, false);
      return [make(r, "graphs reused", "pp+tg", "graphs_reused", "count", Number(m[1]), "value", "cumulative")];
    }
    m = PROGRESS_TG.exec(body);
    if (m) {
      const r = this.request(task, false);
      const n_gen = Number(m[2]);
      const at = (res: Result) => ({...res, n_gen});
      const out = [
        at(make(r, m[1] === "n_gen" ? "tg" : "tg (n_decoded)", "tg", "throughput", "tok/s", m[3], "mean", "cumulative"))
      ];
      if (m[4]) out.push(at(make(r, "tg_3s", "tg", "throughput", "tok/s", m[4], "interval_mean", "interval")));
      return out;
    }
    m = PROGRESS_PP.exec(body);
    if (m) {
      const r = this.request(task, false);
      const n_prompt = Number(m[1]);
      const extra = {progress: Number(m[2])};
      return [
        {...make(r, "prompt processing", "pp", "throughput", "tok/s", m[4], "mean", "cumulative", extra), n_prompt},
        {...make(r, "prompt processing", "pp", "duration", "s", m[3], "value", "cumulative", extra), n_prompt}
      ];
    }
    return null;
  }

  /** Facts from the server's own log lines (model path, build). */
  private facts(body: string): RunFacts | null {
    let m = /^(?:srv\s+)?load_model:\s*loading model '([^']+)'/.exec(body);
    if (m) return {model: {file: m[1]}};
    m = /^(?:main:\s*)?build:\s*(\d+)\s*\(([0-9a-f]{6,40})\)/.exec(body);
    if (m) return {build_number: Number(m[1]), build_commit: m[2]};
    return null;
  }
}

export const llamaServerLog = lineLogFormat({
  id: "llama-server-log",
  tool: "llama-server",
  runtime: "llama.cpp",
  description:
    "llama-server log: per-request timings (prompt eval/eval/total time, draft acceptance) and progress lines (n_gen, tg, tg_3s)",
  createReader: () => new TimingReader(),
  judge: (stats) => ({
    confidence: stats.prefixed > 0 ? 0.95 : 0.8,
    reason: `${stats.hits} llama-server timing line${stats.hits === 1 ? "" : "s"} (${stats.prefixed ? `${stats.prefixed} with the slot print_timing prefix` : "bare"}), ${stats.results} values`
  }),
  applyContext: (run, context) => applyServerContext(run, context, "llama.cpp", {deviceLines: true})
});
