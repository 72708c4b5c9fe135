/**
 * `benchbook bench`: run a plan's cells through their runners and hand each capture to the import path,
 * redacted and with its environment. A failed cell is stored as failed results; an interrupted one is not
 * stored, so `--resume` runs it again.
 */
import {homedir} from "node:os";
import type {Redactor} from "../context/redact.js";
import {isSecretName, makeRedactor, REDACTED, secretValues} from "../context/redact.js";
import type {CaptureImport} from "../import/capture.js";
import {importCapture} from "../import/capture.js";
import type {Status} from "../schema/schema.js";
import type {Store} from "../store/store.js";
import type {Exec, MachineInfo, ModelIdentity, RuntimeInfo} from "./environment.js";
import {execArgv, machineInfo, ModelIdentities, runtimeInfo} from "./environment.js";
import type {LoadedPlan} from "./plan-file.js";
import type {Cell, Runner} from "./types.js";
import type {Capture, CellOutcome} from "../schema/capture.js";

export type BenchEvent =
  | {type: "start"; total: number; toRun: number; skipped: number}
  | {type: "skip"; cell: Cell; reason: string}
  | {type: "cell-start"; cell: Cell; index: number; toRun: number}
  | {type: "progress"; cell: Cell; message: string; done?: number; total?: number}
  /** ok/failed: tests of the cell with a value / recorded as failed. */
  | {
      type: "cell-end";
      cell: Cell;
      index: number;
      toRun: number;
      status: Status;
      detail: string | null;
      ok: number;
      failed: number;
      duration_s: number;
      stored: CaptureImport;
    }
  | {type: "interrupted"; cell: Cell | null};

export interface BenchSummary {
  cells: number;
  skipped: number;
  ran: number;
  ok: number;
  failed: number;
  interrupted: boolean;
  /** sha256 of each stored source. */
  stored: string[];
}

export interface BenchOptions {
  store: Store;
  plan: LoadedPlan;
  cells: Cell[];
  runners: Record<string, Runner>;
  resume?: boolean;
  signal: AbortSignal;
  /** The caller's environment (inherited by the tools; secret values in it are redacted wherever they appear). */
  env: NodeJS.ProcessEnv;
  /** Replace the home directory with `~` in everything stored. */
  redactHome?: boolean;
  home?: string;
  /** sha256 of whole model files, not just their first 16 MiB. */
  fullHash?: boolean;
  now?: () => Date;
  onEvent?: (event: BenchEvent) => void;
  /** Injected for tests: the machine description and the version commands. */
  machine?: () => Promise<MachineInfo>;
  exec?: Exec;
  /** Where a scheduler ran this (a Slurm array task): stored as `extra.capture.scheduler`. */
  scheduler?: Capture["scheduler"];
}

/**
 * Cell ids already in the store (every run a runner stored carries
 * `extra.capture.cell_id`). Results recorded from a scheduler for a task that
 * stored nothing itself (a Slurm node failure, time limit, cancellation) do
 * not count: `--resume` runs those cells again.
 */
export function storedCellIds(store: Store): Set<string> {
  const ids = new Set<string>();
  for (const input of store.readAll()) {
    for (const run of input.runs) {
      const capture = run.extra?.capture as {cell_id?: unknown; scheduler?: {failure?: boolean}} | undefined;
      if (typeof capture?.cell_id === "string" && !capture.scheduler?.failure) ids.add(capture.cell_id);
    }
  }
  return ids;
}

/** The command that prints a cell's binary's version, for the environment record. */
function versionCommand(cell: Cell, runner: Runner): string[] | null {
  const binary = Array.isArray(cell.params.binary) ? (cell.params.binary as string[]) : null;
  return binary?.length ? runner.version(binary) : null;
}

export async function runBench(options: BenchOptions): Promise<BenchSummary> {
  const emit = options.onEvent ?? (() => {});
  const now = options.now ?? (() => new Date());
  const exec = options.exec ?? execArgv;
  const done = options.resume ? storedCellIds(options.store) : new Set<string>();
  const toRun = options.cells.filter((c) => !done.has(c.id));
  const summary: BenchSummary = {
    cells: options.cells.length,
    skipped: options.cells.length - toRun.length,
    ran: 0,
    ok: 0,
    failed: 0,
    interrupted: false,
    stored: []
  };
  emit({type: "start", total: options.cells.length, toRun: toRun.length, skipped: summary.skipped});
  for (const cell of options.cells) if (done.has(cell.id)) emit({type: "skip", cell, reason: "already in the store"});
  if (toRun.length === 0) return summary;

  const machine = await (options.machine ?? (() => machineInfo(exec, options.env)))();
  const runtimes = new Map<string, Promise<RuntimeInfo>>();
  const models = new ModelIdentities({fullHash: options.fullHash});
  // Secrets: secret-named variables, secret options' values, and whatever the plan passes from the environment.
  const passed = passedNames(options.plan.plan);
  const planSecrets = [
    ...secretValues(options.env, [...options.cells.map((c) => c.argv), ...options.cells.map(serverArgv)]),
    ...passed.map((name) => options.env[name]).filter((v): v is string => Boolean(v))
  ];

  for (const [index, cell] of toRun.entries()) {
    if (options.signal.aborted) {
      summary.interrupted = true;
      emit({type: "interrupted", cell: null});
      break;
    }
    const runner = options.runners[cell.runner];
    if (!runner) throw new Error(`no runner for "${cell.runner}"`);
    emit({type: "cell-start", cell, index, toRun: toRun.length});
    const version = versionCommand(cell, runner);
    const runtime = version
      ? (runtimes.get(version.join("\0")) ??
        runtimes
          .set(version.join("\0"), runtimeInfo(version, exec, {...options.env, ...cell.env}))
          .get(version.join("\0"))!)
      : null;
    const model = typeof cell.params.model === "string" ? models.get(cell.params.model) : null;
    const outcome = await runner.run(cell, {
      signal: options.signal,
      env: options.env,
      now,
      progress: (event) => emit({type: "progress", ...event})
    });
    // Ctrl-C in a terminal reaches the tool too: a tool killed by SIGINT was interrupted, not failed.
    if (options.signal.aborted || outcome.capture.signal === "SIGINT") {
      summary.interrupted = true;
      emit({type: "interrupted", cell});
      break;
    }
    const redaction: RedactionConfig = {
      secrets: [...new Set([...planSecrets, ...secretValues({...options.env, ...cell.env}, [cell.argv])])].sort(
        (a, b) => b.length - a.length
      ),
      home: options.redactHome ? (options.home ?? homedir()) : null,
      envNames: passed
    };
    const environment = {
      machine,
      runtime: runtime ? await runtime : null,
      model: model ? await model : null,
      command: outcome.capture.command,
      plan: {name: options.plan.plan.name, file: options.plan.file, sha256: options.plan.sha256}
    };
    const finished = finalize(outcome, {
      plan: {name: options.plan.plan.name, sha256: options.plan.sha256},
      environment,
      redaction
    });
    if (options.scheduler) finished.capture.scheduler = options.scheduler;
    const planText = makeRedactor(redaction).text(options.plan.text);
    const stored = importCapture(options.store, finished, {
      plan: {name: planFileName(options.plan.file), bytes: Buffer.from(planText, "utf8")},
      now
    });
    // Count tests, not values (llama-bench gives a throughput and a duration per test).
    const results = stored.status === "imported" ? stored.runs.flatMap((r) => r.results) : [];
    const failedTests = new Set(results.filter((r) => r.status !== "ok").map((r) => r.test));
    const ok = new Set(results.filter((r) => r.status === "ok" && !failedTests.has(r.test)).map((r) => r.test)).size;
    const failed = failedTests.size;
    summary.ran++;
    if (finished.capture.status === "ok" && failed === 0) summary.ok++;
    else summary.failed++;
    summary.stored.push(stored.sha256);
    const duration_s = (Date.parse(finished.capture.ended_at) - Date.parse(finished.capture.started_at)) / 1000;
    emit({
      type: "cell-end",
      cell,
      index,
      toRun: toRun.length,
      status: finished.capture.status === "ok" && failed > 0 ? "error" : finished.capture.status,
      detail: finished.capture.status_detail,
      ok,
      failed,
      duration_s,
      stored
    });
  }
  return summary;
}

/** Variables a plan passes from the caller's environment: the plan's own and its endpoint servers'. */
export function passedNames(plan: LoadedPlan["plan"]): string[] {
  const names = [...plan.pass_env];
  if (plan.runner === "endpoint") {
    const targets = plan.endpoint.targets ?? [{server: plan.endpoint.server}];
    for (const target of targets) names.push(...(target.server?.pass_env ?? []));
  }
  return [...new Set(names)];
}

/** An endpoint cell's server argv (its secret options count too). */
function serverArgv(cell: Cell): string[] {
  const command = (cell.params.server as {command?: unknown} | null | undefined)?.command;
  return Array.isArray(command) ? command.map(String) : [];
}

function planFileName(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? "plan.yaml";
  return /\.ya?ml$/i.test(base) ? base : `${base}.yaml`;
}

export interface RedactionConfig {
  secrets: string[];
  home: string | null;
  /** Variables whose values are recorded as [REDACTED] whatever their name (the plan's pass_env). */
  envNames?: string[];
}

/**
 * The capture as it will be stored: plan and environment filled in, and every
 * string (command, env, params, log tail, environment) and every captured
 * text file redacted. The kinds of redaction made to files are listed on the capture.
 */
export function finalize(
  outcome: CellOutcome,
  input: {plan: Capture["plan"]; environment: Record<string, unknown>; redaction: RedactionConfig}
): CellOutcome {
  const redactor = makeRedactor(input.redaction);
  const redactions = new Set<string>(outcome.capture.redactions ?? []);
  const files = outcome.files.map((file) => {
    const text = decodeUtf8(file.bytes);
    if (text === null) return file;
    const fileRedactor = makeRedactor(input.redaction);
    const redacted = fileRedactor.text(text);
    for (const kind of fileRedactor.applied) redactions.add(kind);
    return redacted === text ? file : {...file, bytes: Buffer.from(redacted, "utf8")};
  });
  const capture = outcome.capture;
  const finished: Capture = {
    ...capture,
    cell: redactDeep(capture.cell, redactor, input.redaction.envNames) as Capture["cell"],
    plan: input.plan,
    command: redactor.argv(capture.command),
    env: Object.fromEntries(
      Object.entries(redactor.env(capture.env)).map(([k, v]) => [
        k,
        input.redaction.envNames?.includes(k) ? REDACTED : v
      ])
    ),
    status_detail: capture.status_detail === null ? null : redactor.text(capture.status_detail),
    environment: redactDeep(
      {...capture.environment, ...input.environment},
      redactor,
      input.redaction.envNames
    ) as Record<string, unknown>,
    ...(redactions.size ? {redactions: [...redactions].sort()} : {})
  };
  return {capture: finished, files};
}

function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder("utf-8", {fatal: true}).decode(bytes);
  } catch {
    return null;
  }
}

/**
 * Redact every string inside a value. A string under a secret-named key
 * (`HF_TOKEN`, `api_key`) or a passed variable's name is replaced whole,
 * however short: an env map inside a cell's parameters is still an env map.
 */
export function redactDeep(value: unknown, redactor: Redactor, secretKeys: readonly string[] = []): unknown {
  if (typeof value === "string") return redactor.text(value);
  // A list of strings may be an argv: `--api-key` then its value.
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return redactor.argv(value);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redactor, secretKeys));
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        typeof v === "string" && (isSecretName(k) || secretKeys.includes(k))
          ? REDACTED
          : redactDeep(v, redactor, secretKeys)
      ])
    );
  return value;
}
