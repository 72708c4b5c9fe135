/**
 * The llama-bench runner: `-o jsonl`, so each test's record is on stdout as soon as it is measured (a crash
 * keeps the tests before it); stderr keeps the device lines.
 */
import {redactArgv, redactEnv} from "../../context/redact.js";
import {abCells} from "../ab-plan.js";
import {llamaBenchCells} from "../cells.js";
import {classifyEnd} from "../failure.js";
import {LlamaBenchPlan} from "../plan-schema.js";
import type {Cell, Runner, RunnerContext} from "../types.js";
import type {Capture, CellOutcome} from "../../schema/capture.js";
import {childEnv, recordedEnv, runProcess, withLimits} from "./process.js";

/** A JSONL record line (the same test the llama-bench-jsonl format uses). */
const RECORD = /^\s*\{.*"(?:avg_ts|n_prompt)"\s*:/;

export const llamaBenchRunner: Runner<LlamaBenchPlan> = {
  id: "llama-bench",
  tool: "llama-bench",
  runtime: "llama.cpp",
  plan: LlamaBenchPlan,
  cells: (plan, {env, fail}) =>
    plan.ab
      ? abCells({...plan, ab: plan.ab}, (side, sideFail) => llamaBenchCells(side, env, sideFail), fail)
      : llamaBenchCells(plan, env, fail),
  version: (binary) => [...binary, "--version"],
  formats: {result: null, stdout: "llama-bench-jsonl"},
  preview: (cell) => [withLimits(cell.argv, cell.limits)],
  async run(cell: Cell, context: RunnerContext): Promise<CellOutcome> {
    let done = 0;
    const result = await runProcess(cell.argv, {
      env: childEnv(cell, context),
      timeout_s: cell.timeout_s,
      signal: context.signal,
      limits: cell.limits,
      now: context.now,
      onStdoutLine(line) {
        if (!RECORD.test(line)) return;
        done++;
        const test = cell.expected[done - 1]?.test ?? `result ${done}`;
        context.progress({cell, message: test, done, total: cell.expected.length});
      }
    });
    const stdout = Buffer.from(result.stdout).toString("utf8");
    const records = stdout.split("\n").filter((l) => RECORD.test(l)).length;
    const end = classifyEnd(
      // stdout holds only result records: the log to quote is stderr.
      {
        exit_code: result.exit_code,
        signal: result.signal,
        timed_out: result.timed_out,
        timeout_s: cell.timeout_s,
        spawn_error: result.spawn_error,
        stderr: Buffer.from(result.stderr).toString("utf8")
      },
      Math.max(0, cell.expected.length - records)
    );
    const capture: Capture = {
      benchbook_capture: 1,
      runner: "llama-bench",
      cell: {id: cell.id, label: cell.label, params: cell.params, expected: cell.expected, tags: cell.tags},
      plan: null,
      command: redactArgv(cell.argv),
      env: redactEnv(recordedEnv(cell, context)),
      started_at: result.started_at.toISOString(),
      ended_at: result.ended_at.toISOString(),
      exit_code: result.exit_code,
      signal: result.signal,
      status: end.status,
      status_detail: end.detail,
      environment: {},
      results_role: "stdout",
      results_format: llamaBenchRunner.formats.stdout,
      ...(cell.limits ? {limits: cell.limits} : {})
    };
    return {
      capture,
      files: [
        {role: "stdout", name: `${cell.id}.stdout.jsonl`, bytes: result.stdout},
        {role: "stderr", name: `${cell.id}.stderr.txt`, bytes: result.stderr}
      ]
    };
  }
};
