import {existsSync} from "node:fs";
import {dirname, join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {MultiBar, Presets} from "cli-progress";
import type {SingleBar} from "cli-progress";
import {makeRedactor, REDACTED, secretValues} from "../../context/redact.js";
import type {BenchEvent} from "../../bench/bench.js";
import {abResults} from "../../bench/ab-compare.js";
import {abEvent, abTable} from "../../bench/ab-format.js";
import {abSides, AbSection} from "../../bench/ab-plan.js";
import {passedNames, runBench} from "../../bench/bench.js";
import {llamaBenchParam} from "../../bench/llama-bench-options.js";
import {expandPlan, loadPlan, PlanError} from "../../bench/plan.js";
import type {LoadedPlan} from "../../bench/plan-file.js";
import {RUNNERS} from "../../bench/runners/index.js";
import {commandLine} from "../../context/shell-quote.js";
import type {Cell} from "../../bench/types.js";
import type {Command, ParsedArgs} from "../command.js";
import {parseTags, single} from "../command.js";
import type {Terminal} from "../io.js";
import {UsageError} from "../io.js";
import {indexAfterWrite, STORE_OPTION, storeFrom} from "../store-option.js";
import {slurmOptions} from "../../slurm/script.js";
import type {SlurmEvent} from "../../slurm/submit.js";
import {SlurmError, submitPlan, taskCell} from "../../slurm/submit.js";

export const benchCommand: Command = {
  name: "bench",
  summary: "run a bench plan (llama-bench, an OpenAI endpoint, vLLM/SGLang/MLX benchmarks) into the store",
  usage: "PLAN.yaml [options]",
  about: `Expands the plan into cells (models × settings × depths), runs each with its
runner, and imports what each printed into the store, as if you had pasted it.
A cell that fails (out of memory, crash, timeout, non-zero exit) is stored as
failed results with the tail of its log, and the run goes on. Ctrl-C stops
the current cell; finished cells stay stored. See docs/bench.md.`,
  options: [
    {name: "dry-run", description: "print every command it would run (with --slurm: the sbatch script), run nothing"},
    {
      name: "resume",
      description:
        "skip cells already in the store from an earlier run of this plan (with --slurm: submit only cells without results of their own)"
    },
    {
      name: "only",
      value: "FILTER",
      repeatable: true,
      description:
        "run only matching cells: text in the label, an id prefix, or KEY=VALUE on a parameter (model=…, d=16384, ub=256, sm=tensor); repeat to narrow further"
    },
    {name: "json", description: "JSON Lines on stdout: one object per event (start, cell-end, …)"},
    {name: "redact-home", description: "store the home directory as ~ (commands, paths, logs)"},
    {name: "full-hash", description: "hash whole model files (default: the first 16 MiB + size)"},
    {
      name: "tag",
      value: "KEY=VALUE",
      repeatable: true,
      description: "tag every stored run (repeatable; adds to the plan's tags)"
    },
    STORE_OPTION,
    {
      name: "ab",
      value: "KEY=A,B",
      repeatable: true,
      group: "ab",
      description:
        "run every cell as two sides, A B A B …: two values of a setting (--ab t=1,2, --ab ub=256,512) or two programs (--ab binary=old/llama-bench,new/llama-bench); repeatable"
    },
    {
      name: "rounds",
      value: "N",
      group: "ab",
      description:
        "A B pairs per cell (default 5); then B/A per test with its 95% interval, whether the change is detected, and the smallest change detectable at this noise with 95% power"
    },
    {name: "slurm", group: "slurm", description: "submit to Slurm instead of running here"},
    {name: "partition", value: "NAME", group: "slurm", description: "sbatch --partition"},
    {name: "gres", value: "SPEC", group: "slurm", description: "sbatch --gres (e.g. gpu:1)"},
    {name: "time", value: "LIMIT", group: "slurm", description: "sbatch --time per task (e.g. 30, 1:00:00)"},
    {name: "array-parallelism", value: "K", group: "slurm", description: "at most K tasks at once"},
    {
      name: "wait",
      group: "slurm",
      description:
        "follow the job (progress from sacct); tasks that stored nothing (node failure, time limit, cancelled) are stored as failed results with their log tail"
    },
    // What a Slurm task runs on its node (slurm/submit.ts writes it): one cell of the plan.
    {name: "slurm-task", value: "CELLS", internal: true, description: "the cells of this Slurm task"}
  ],
  groups: {
    ab: 'A/B runs (llama-bench plans; the plan key ab:, docs/bench.md "A/B runs"):',
    slurm: `On a Slurm cluster (docs/scale-out.md): one job array, one task per cell, each
task running this plan's cell on its node into the same (shared) store.`
  },
  footer: `Exit status: 0 when every cell succeeded, 1 when a cell failed or the plan is
invalid, 130 when interrupted.`,
  async run(args, terminal) {
    const files = args._.map(String);
    if (files.length !== 1) throw new UsageError("expected one plan file (benchbook bench PLAN.yaml)");
    const tags = parseTags(args.tag);
    let loaded;
    let cells: Cell[];
    try {
      loaded = loadPlan(resolve(terminal.cwd, files[0]), files[0]);
      abOptions(loaded, args);
      cells = expandPlan(loaded, {env: terminal.env});
    } catch (error) {
      if (!(error instanceof PlanError)) throw error;
      terminal.err(`benchbook bench: invalid plan\n${error.message}\n`);
      return 1;
    }
    const filters = ([] as unknown[]).concat(args.only ?? []).map(String);
    let selected = cells.filter((cell) => filters.every((f) => matches(cell, f)));
    const slurmOnly = ["partition", "gres", "time", "array-parallelism", "wait"].filter(
      (k) => args[k] !== undefined && args[k] !== false
    );
    if (!args.slurm && slurmOnly.length) throw new UsageError(`--${slurmOnly[0]} is an option of --slurm`);
    let scheduler;
    if (args["slurm-task"]) {
      let task;
      try {
        task = taskCell(String(args["slurm-task"]), terminal.env);
      } catch (error) {
        if (!(error instanceof SlurmError)) throw error;
        terminal.err(`benchbook bench: ${error.message}\n`);
        return 1;
      }
      selected = cells.filter((cell) => cell.id === task.id);
      if (!selected.length) {
        terminal.err(
          `benchbook bench: cell ${task.id} (Slurm task ${task.scheduler.task}) is not in ${files[0]} any more: was the plan changed after submitting?\n`
        );
        return 1;
      }
      scheduler = task.scheduler;
    }
    if (filters.length && selected.length === 0) {
      terminal.err(`benchbook bench: --only ${filters.join(" --only ")} matches none of the ${cells.length} cells\n`);
      return 1;
    }
    for (const cell of selected) cell.tags = {...cell.tags, ...tags};
    if (args.slurm) {
      const taskOptions = [
        ...Object.entries(tags).flatMap(([k, v]) => ["--tag", `${k}=${v}`]),
        ...(args["redact-home"] ? ["--redact-home"] : []),
        ...(args["full-hash"] ? ["--full-hash"] : [])
      ];
      return slurm(loaded, selected, {args, terminal, taskOptions});
    }
    if (args["dry-run"])
      return dryRun(
        loaded.plan.name,
        loaded.sha256,
        selected,
        cells.length,
        passedNames(loaded.plan),
        args.json,
        terminal
      );

    const store = storeFrom(args, terminal);
    const controller = new AbortController();
    const interrupt = () => {
      if (controller.signal.aborted) process.exit(130); // a second Ctrl-C: stores are atomic, leave now
      controller.abort();
      terminal.err(
        "\nbenchbook bench: interrupted; stopping the current cell (finished cells stay stored; --resume continues)\n"
      );
    };
    process.on("SIGINT", interrupt);
    process.on("SIGTERM", interrupt);
    const view = args.json ? jsonView(terminal) : terminal.isTTY ? barView() : lineView(terminal);
    try {
      const summary = await runBench({
        store,
        plan: loaded,
        cells: selected,
        runners: RUNNERS,
        resume: args.resume,
        signal: controller.signal,
        env: terminal.env,
        redactHome: args["redact-home"] || loaded.plan.redact_home,
        fullHash: args["full-hash"],
        scheduler,
        onEvent: view.event
      });
      view.stop();
      if (summary.ran > 0) await indexAfterWrite(store, terminal);
      const line = `${summary.cells} cell${summary.cells === 1 ? "" : "s"}: ${summary.ok} ok, ${summary.failed} failed, ${summary.skipped} skipped (already in the store)${summary.interrupted ? `, interrupted after ${summary.ran}` : ""}; store ${store.root}`;
      const ab = selected.some((cell) => cell.params.ab) ? abResults(store, selected) : [];
      if (args.json) terminal.out(`${ab.map(abEvent).join("")}${JSON.stringify({event: "end", ...summary})}\n`);
      else terminal.out(`${ab.length ? abTable(ab) : ""}${line}\n`);
      return summary.interrupted ? 130 : summary.failed ? 1 : 0;
    } finally {
      view.stop();
      process.off("SIGINT", interrupt);
      process.off("SIGTERM", interrupt);
    }
  }
};

/** `--ab KEY=A,B` and `--rounds N` added to the plan's `ab:` section (checked as the plan's own keys are). */
function abOptions(loaded: LoadedPlan, args: ParsedArgs): void {
  const given = ([] as unknown[]).concat(args.ab ?? []).map(String);
  if (!given.length && args.rounds === undefined) return;
  if (loaded.plan.runner !== "llama-bench")
    throw new UsageError(`--ab and --rounds are for llama-bench plans; ${loaded.file} runs ${loaded.plan.runner}`);
  const section: Record<string, unknown> = {...loaded.plan.ab};
  for (const option of given) {
    const eq = option.indexOf("=");
    if (eq <= 0)
      throw new UsageError(`--ab ${option}: expected KEY=A,B (t=1,2 or binary=old/llama-bench,new/llama-bench)`);
    section[option.slice(0, eq).trim()] = option.slice(eq + 1);
  }
  if (args.rounds !== undefined)
    section.rounds = /^\d+$/.test(single(args, "rounds") ?? "") ? Number(single(args, "rounds")) : NaN;
  const parsed = AbSection.safeParse(section);
  if (!parsed.success)
    throw new UsageError(
      `--ab/--rounds: ${parsed.error.issues.map((i) => `${i.path.join(".") || "ab"}: ${i.message}`).join("; ")}`
    );
  const {problems} = abSides(parsed.data, loaded.plan.matrix);
  if (problems.length)
    throw new UsageError(problems.map((p) => `--ab: ${p.path.slice(1).join(".") || "ab"}: ${p.message}`).join("\n"));
  loaded.plan = {...loaded.plan, ab: parsed.data};
}

/** `--slurm`: submit the selected cells as one job array (and follow it with `--wait`). */
async function slurm(
  loaded: LoadedPlan,
  cells: Cell[],
  context: {args: ParsedArgs; terminal: Terminal; taskOptions: string[]}
): Promise<number> {
  const {args, terminal} = context;
  const options = slurmOptions({
    partition: single(args, "partition"),
    gres: single(args, "gres"),
    time: single(args, "time"),
    "array-parallelism": single(args, "array-parallelism")
  });
  const store = storeFrom(args, terminal);
  const say = (text: string) => (args.json ? undefined : terminal.out(text));
  const onEvent = (event: SlurmEvent) => {
    if (args.json) {
      const cell = "cell" in event ? {id: event.cell.id, label: event.cell.label} : undefined;
      terminal.out(`${JSON.stringify({event: `slurm-${event.type}`, ...event, ...(cell ? {cell} : {})})}\n`);
    } else if (event.type === "submitted")
      say(
        `submitted Slurm job ${event.job_id}: ${event.tasks} task${event.tasks === 1 ? "" : "s"} (scripts and logs in ${event.dir})\n`
      );
    else if (event.type === "progress")
      say(`job: ${event.done}/${event.total} tasks ended, ${event.running} running, ${event.pending} pending\n`);
    else
      say(
        `${event.state.job_id.padEnd(10)} ${event.state.state.padEnd(10)} ${event.cell.label}${event.state.node ? ` on ${event.state.node}` : ""}${event.recorded ? " (stored nothing: recorded from sacct as failed)" : ""}\n`
      );
  };
  try {
    const summary = await submitPlan({
      store,
      plan: loaded,
      cells,
      resume: Boolean(args.resume),
      slurm: options,
      cwd: terminal.cwd,
      cli: [process.execPath, cliScript()],
      taskOptions: context.taskOptions,
      wait: Boolean(args.wait),
      dryRun: Boolean(args["dry-run"]),
      env: terminal.env,
      out: (text) => terminal.out(text),
      onEvent
    });
    if (args["dry-run"]) return 0;
    if (args.json) terminal.out(`${JSON.stringify({event: "end", ...summary})}\n`);
    else if (!summary.job_id) say(`nothing to submit: all ${summary.cells} cells have results in ${store.root}\n`);
    else if (!args.wait)
      say(
        `follow it with: squeue -j ${summary.job_id}; sacct -j ${summary.job_id}\nthen: benchbook bench ${args._[0]} --slurm --resume   (submits the cells that stored nothing)\n`
      );
    else
      say(
        `${summary.submitted} task${summary.submitted === 1 ? "" : "s"}: ${summary.completed} ok, ${summary.failed} failed${summary.skipped ? `, ${summary.skipped} skipped (already have results)` : ""}; store ${store.root}\n`
      );
    return summary.failed ? 1 : 0;
  } catch (error) {
    if (!(error instanceof SlurmError)) throw error;
    terminal.err(`benchbook bench --slurm: ${error.message}\n`);
    return 1;
  }
}

/** bin/benchbook.js of this checkout, found upwards from this module (a compiled copy lives deeper). */
function cliScript(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "bin", "benchbook.js");
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir)
      throw new SlurmError(
        "cannot find bin/benchbook.js above this module: tasks need it to start benchbook on their node"
      );
    dir = up;
  }
}

/** `--only`: label text, id prefix, or key=value on a parameter. */
export function matches(cell: Cell, filter: string): boolean {
  const eq = filter.indexOf("=");
  if (eq > 0) {
    const key = filter.slice(0, eq).trim();
    const want = filter.slice(eq + 1).trim();
    const values = paramValues(cell, key);
    return values.some((v) => v === want || (key === "model" && v.toLowerCase().includes(want.toLowerCase())));
  }
  return cell.id.startsWith(filter) || cell.label.toLowerCase().includes(filter.toLowerCase());
}

function paramValues(cell: Cell, key: string): string[] {
  const p = cell.params;
  const settings = (p.settings ?? {}) as Record<string, unknown>;
  const options = (p.options ?? {}) as Record<string, unknown>;
  const field = llamaBenchParam(key)?.field;
  const candidates: unknown[] = [];
  if (key === "model") candidates.push(p.model, p.model_label);
  if (key === "d" || key === "depth" || field === "n_depth") candidates.push(p.n_depth);
  if (key === "runner") candidates.push(cell.runner);
  if (field && field in settings) candidates.push(settings[field]);
  if (key in settings) candidates.push(settings[key]);
  for (const name of [key, `--${key}`, `-${key}`]) if (name in options) candidates.push(options[name]);
  if (key in p && typeof p[key] !== "object") candidates.push(p[key]);
  return candidates.filter((v) => v !== undefined && v !== null).map(String);
}

function dryRun(
  name: string,
  sha256: string,
  cells: Cell[],
  total: number,
  passed: string[],
  json: boolean,
  terminal: Terminal
): number {
  if (!json)
    terminal.out(
      `# plan "${name}" (sha256 ${sha256.slice(0, 12)}): ${cells.length}${cells.length === total ? "" : ` of ${total}`} cell${cells.length === 1 ? "" : "s"}\n`
    );
  cells.forEach((cell, i) => {
    const runner = RUNNERS[cell.runner];
    // Shown, never run through a shell, and redacted as a capture is: secret options, secret-named variables,
    // and the values of variables passed from your environment (pass_env), wherever they appear.
    const given = cell.env ?? {};
    const redactor = makeRedactor({
      secrets: [
        ...secretValues(given, [cell.argv]),
        ...passed.map((n) => given[n]).filter((v): v is string => Boolean(v))
      ]
    });
    const commands = (runner?.preview?.(cell) ?? [cell.argv]).map((argv) => redactor.argv(argv));
    const env = Object.fromEntries(
      Object.entries(redactor.env(given)).map(([k, v]) => [k, passed.includes(k) ? REDACTED : v])
    );
    if (json) {
      terminal.out(
        `${JSON.stringify({id: cell.id, label: cell.label, runner: cell.runner, commands, env, expected: cell.expected.map((t) => t.test), timeout_s: cell.timeout_s, tags: cell.tags})}\n`
      );
      return;
    }
    terminal.out(
      `\n# [${i + 1}/${cells.length}] ${cell.label}  (cell ${cell.id}; expects ${cell.expected.map((t) => t.test).join(", ")})\n`
    );
    for (const argv of commands) terminal.out(`${commandLine(argv, env)}\n`);
  });
  return 0;
}

interface View {
  event(event: BenchEvent): void;
  stop(): void;
}

function seconds(s: number): string {
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

function cellEndLine(event: Extract<BenchEvent, {type: "cell-end"}>): string {
  const head = `[${event.index + 1}/${event.toRun}] ${event.status.padEnd(7)} ${event.cell.label}  ${seconds(event.duration_s)}, ${event.ok} test${event.ok === 1 ? "" : "s"} ok${event.failed ? `, ${event.failed} failed` : ""}${event.stored.status === "unchanged" ? " (output identical to a stored one; not stored again)" : ""}`;
  const detail =
    event.status === "ok"
      ? ""
      : (event.detail ?? "")
          .split("\n")
          .slice(0, 3)
          .map((l) => `\n      ${l}`)
          .join("");
  return head + detail;
}

function lineView(terminal: Terminal): View {
  return {
    event(event) {
      if (event.type === "start")
        terminal.out(
          `${event.total} cell${event.total === 1 ? "" : "s"}, ${event.toRun} to run${event.skipped ? `, ${event.skipped} already in the store` : ""}\n`
        );
      else if (event.type === "cell-end") terminal.out(`${cellEndLine(event)}\n`);
      else if (event.type === "interrupted")
        terminal.out(`interrupted${event.cell ? ` during ${event.cell.label} (not stored)` : ""}\n`);
    },
    stop() {}
  };
}

function jsonView(terminal: Terminal): View {
  return {
    event(event) {
      const cell = "cell" in event && event.cell ? {id: event.cell.id, label: event.cell.label} : null;
      if (event.type === "progress") return; // per-test progress is for people
      if (event.type === "cell-end")
        terminal.out(
          `${JSON.stringify({event: event.type, cell, status: event.status, detail: event.detail, ok: event.ok, failed: event.failed, duration_s: event.duration_s, stored: event.stored.status, sha256: event.stored.sha256})}\n`
        );
      else if (event.type === "start")
        terminal.out(
          `${JSON.stringify({event: event.type, cells: event.total, to_run: event.toRun, skipped: event.skipped})}\n`
        );
      else
        terminal.out(
          `${JSON.stringify({event: event.type, cell, ...(event.type === "skip" ? {reason: event.reason} : {})})}\n`
        );
    },
    stop() {}
  };
}

/** A progress bar with ETA over all cells, on a terminal (stderr). */
function barView(): View {
  const multi = new MultiBar(
    {
      format: "{bar} {value}/{total} cells | ETA {eta_formatted} | {label} {test}",
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 5,
      stream: process.stderr
    },
    Presets.shades_classic
  );
  let bar: SingleBar | null = null;
  let stopped = false;
  return {
    event(event) {
      if (event.type === "start" && event.toRun > 0) bar = multi.create(event.toRun, 0, {label: "", test: ""});
      else if (event.type === "skip") multi.log(`skip    ${event.cell.label} (already in the store)\n`);
      else if (event.type === "cell-start") bar?.update(event.index, {label: event.cell.label, test: ""});
      else if (event.type === "progress")
        bar?.update({test: event.total ? `${event.message} (${event.done}/${event.total})` : event.message});
      else if (event.type === "cell-end") {
        multi.log(`${cellEndLine(event)}\n`);
        bar?.update(event.index + 1, {test: ""});
      } else if (event.type === "interrupted")
        multi.log(`interrupted${event.cell ? ` during ${event.cell.label} (not stored)` : ""}\n`);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      multi.stop();
    }
  };
}
