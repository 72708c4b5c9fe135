/**
 * Runners for tools that write their own result file; when the tool wrote none (it failed), its printed
 * output is offered to the parser instead.
 */
import {mkdtempSync, readFileSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {z} from "zod";
import {redactArgv, redactEnv} from "../../context/redact.js";
import {type WrapperCells, wrapperCells} from "../cells.js";
import {classifyEnd} from "../failure.js";
import {planKeys} from "../plan-schema.js";
import type {Cell, Runner, RunnerContext} from "../types.js";
import type {Capture, CapturedFile, CellOutcome} from "../../schema/capture.js";
import {childEnv, recordedEnv, runProcess, withLimits} from "./process.js";

export interface WrapperSpec<I extends string> extends WrapperCells {
  id: I;
  tool: string;
  runtime: string | null;
  version(binary: string[]): string[] | null;
  /** Arguments that make the tool write its result file at `path` (inside `dir`); null for tools that only print. */
  resultArgs: ((dir: string, cell: Cell) => {args: string[]; path: string; name: string}) | null;
  /** Format of the result file, and of stdout when there is no result file (null: detect). */
  formats: {result: string | null; stdout: string | null};
}

/** Where --dry-run shows the scratch directory. */
const PREVIEW_DIR = "$TMPDIR/benchbook-<cell>";

/** A tool run as it is, its matrix keys its own options; its plan has no section of its own. */
export function wrapperRunner<const I extends string>(spec: WrapperSpec<I>) {
  const plan = z.strictObject({...planKeys, runner: z.literal(spec.id)});
  const runner: Runner<z.output<typeof plan>> = {
    id: spec.id,
    tool: spec.tool,
    runtime: spec.runtime,
    plan,
    cells: (p, context) => wrapperCells(p, spec, context.env, context.fail),
    version: spec.version,
    formats: spec.formats,
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
          runner: spec.id,
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
          results_format: resultBytes ? spec.formats.result : spec.formats.stdout,
          ...(cell.limits ? {limits: cell.limits} : {})
        };
        return {capture, files};
      } finally {
        rmSync(dir, {recursive: true, force: true});
      }
    }
  };
  return runner;
}
