/**
 * Runners for tools that write their own result file; when the tool wrote none (it failed), its printed
 * output is offered to the parser instead.
 */
import {mkdtempSync, readFileSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {redactArgv, redactEnv} from "../../context/redact.js";
import {classifyEnd} from "../failure.js";
import type {Cell, Runner, RunnerContext} from "../types.js";
import type {Capture, CapturedFile, CellOutcome} from "../../schema/capture.js";
import {childEnv, recordedEnv, runProcess, withLimits} from "./process.js";

export interface WrapperSpec {
  kind: string;
  /** Arguments that make the tool write its result file at `path` (inside `dir`); null for tools that only print. */
  resultArgs: ((dir: string, cell: Cell) => {args: string[]; path: string; name: string}) | null;
  /** Format of the result file, and of stdout when there is no result file (null: detect). */
  resultFormat: string | null;
  stdoutFormat: string | null;
}

/** Where --dry-run shows the scratch directory. */
const PREVIEW_DIR = "$TMPDIR/benchbook-<cell>";

export function wrapperRunner(spec: WrapperSpec): Runner {
  return {
    kind: spec.kind,
    preview: (cell) => [withLimits([...cell.argv, ...(spec.resultArgs?.(PREVIEW_DIR, cell).args ?? [])], cell.limits)],
    async run(cell: Cell, context: RunnerContext): Promise<CellOutcome> {
      const dir = mkdtempSync(join(tmpdir(), `benchbook-${cell.id}-`));
      try {
        const result = spec.resultArgs?.(dir, cell) ?? null;
        const argv = [...cell.argv, ...(result?.args ?? [])];
        const ran = await runProcess(argv, {
          env: childEnv(cell, context),
          timeout_s: cell.timeout_s,
          signal: context.signal,
          limits: cell.limits,
          now: context.now,
          onStdoutLine: (line) => {
            if (line.trim()) context.progress({cell, message: line.trim().slice(0, 80)});
          }
        });
        let resultBytes: Uint8Array | null = null;
        if (result) {
          try {
            resultBytes = readFileSync(result.path);
          } catch {
            resultBytes = null; // the tool failed before writing it
          }
        }
        const stdout = Buffer.from(ran.stdout).toString("utf8");
        const end = classifyEnd({
          exit_code: ran.exit_code,
          signal: ran.signal,
          timed_out: ran.timed_out,
          timeout_s: cell.timeout_s,
          spawn_error: ran.spawn_error,
          stderr: Buffer.from(ran.stderr).toString("utf8"),
          stdout
        });
        const files: CapturedFile[] = [
          {role: "stdout", name: `${cell.id}.stdout.txt`, bytes: ran.stdout},
          {role: "stderr", name: `${cell.id}.stderr.txt`, bytes: ran.stderr}
        ];
        if (resultBytes && result) files.push({role: "result", name: result.name, bytes: resultBytes});
        const capture: Capture = {
          benchbook_capture: 1,
          runner: spec.kind,
          cell: {id: cell.id, label: cell.label, params: cell.params, expected: cell.expected, tags: cell.tags},
          plan: null,
          command: redactArgv(argv),
          env: redactEnv(recordedEnv(cell, context)),
          started_at: ran.started_at.toISOString(),
          ended_at: ran.ended_at.toISOString(),
          exit_code: ran.exit_code,
          signal: ran.signal,
          status: end.status,
          status_detail: end.detail,
          environment: {},
          results_role: resultBytes ? "result" : "stdout",
          results_format: resultBytes ? spec.resultFormat : spec.stdoutFormat,
          ...(cell.limits ? {limits: cell.limits} : {})
        };
        return {capture, files};
      } finally {
        rmSync(dir, {recursive: true, force: true});
      }
    }
  };
}
