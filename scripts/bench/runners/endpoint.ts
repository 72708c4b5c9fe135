/**
 * The endpoint runner: one cell = one OpenAI-compatible target, measured by endpoint/client.ts, with the
 * plan's server started and logged around it when given.
 */
import {readFileSync} from "node:fs";
import {redactArgv, redactEnv} from "../../context/redact.js";
import {apiBase, endpointParams, type EndpointParams, fromCellParams, serverRoot} from "../endpoint/config.js";
import {runEndpointBenchmark} from "../endpoint/client.js";
import type {EndpointResultFile} from "../endpoint/result-file.js";
import {serializeResultFile} from "../endpoint/result-file.js";
import {type ManagedServer, runtimeOfArgv, startServer, type ServerStartError} from "../endpoint/server.js";
import {type EndpointCellParams, endpointCells} from "../cells.js";
import {EndpointPlan} from "../plan-schema.js";
import type {Cell, Runner, RunnerContext} from "../types.js";
import type {Capture, CapturedFile, CellOutcome} from "../../schema/capture.js";
import {recordedEnv} from "./process.js";

export const ENDPOINT_RESULT_FORMAT = "benchbook-endpoint-json";

function benchbookVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** The client's parameters: the plan's cell params (`target`, …), or the client's own shape. */
export function paramsOf(cell: Cell): EndpointParams {
  return "target" in cell.params
    ? fromCellParams(cell.params as unknown as EndpointCellParams)
    : endpointParams(cell.params);
}

function healthUrls(params: EndpointParams): string[] {
  if (params.server?.health_url) return [params.server.health_url];
  const base = apiBase(params.base_url);
  return [`${serverRoot(base)}/health`, `${base}/models`];
}

/** What `--dry-run` shows: the server command, then the client as an equivalent command line. */
function preview(cell: Cell): string[][] {
  const params = paramsOf(cell);
  const client = [
    "benchbook-endpoint",
    "--base-url",
    params.base_url,
    "--api",
    params.api,
    ...(params.model ? ["--model", params.model] : []),
    "--depth",
    params.depths.join(","),
    "--pp",
    params.pp.join(","),
    "--tg",
    params.tg.join(","),
    "--concurrency",
    params.concurrency.join(","),
    "--runs",
    String(params.runs),
    "--latency-mode",
    params.latency_mode
  ];
  return [...(params.server ? [redactArgv(params.server.argv)] : []), client];
}

async function run(cell: Cell, context: RunnerContext): Promise<CellOutcome> {
  const params = paramsOf(cell);
  const started_at = context.now().toISOString();
  const deadline = AbortSignal.timeout(cell.timeout_s * 1000);
  const env: NodeJS.ProcessEnv = {...context.env, ...cell.env};
  let server: ManagedServer | null = null;
  let startError: ServerStartError | null = null;
  if (params.server) {
    context.progress({cell, message: `starting ${params.server.argv[0]}`});
    try {
      server = await startServer(params.server, healthUrls(params), {
        env,
        signal: AbortSignal.any([context.signal, deadline])
      });
      context.progress({cell, message: `server ready after ${Math.round(server.readyMs ?? 0)} ms`});
    } catch (error) {
      startError = error as ServerStartError;
    }
  }
  const serverRecord = (
    s: ManagedServer | null,
    exit: {code: number | null; signal: string | null} | null
  ): EndpointResultFile["server"] =>
    params.server
      ? {
          argv: redactArgv(params.server.argv),
          health_url: s?.healthUrl ?? healthUrls(params).join(" "),
          ready_ms: s?.readyMs ?? null,
          exit_code: exit?.code ?? null,
          signal: exit?.signal ?? null
        }
      : null;
  let file: EndpointResultFile;
  const common = {
    interrupt: context.signal,
    deadline,
    env,
    now: context.now,
    toolVersion: benchbookVersion(),
    serverRuntime: params.server ? runtimeOfArgv(params.server.argv) : null,
    progress: (message: string, done?: number, total?: number) => context.progress({cell, message, done, total})
  };
  if (startError) {
    // Nothing to measure: every test becomes a failed result carrying the server's last words.
    file = await runEndpointBenchmark(params, {
      ...common,
      server: serverRecord(startError.server ?? null, startError.exit ?? null),
      serverGone: () => startError!.message
    });
  } else {
    file = await runEndpointBenchmark(params, {
      ...common,
      server: serverRecord(server, null),
      serverGone: () => server?.gone() ?? null
    });
  }
  const exit = server ? await server.stop() : (startError?.exit ?? null);
  if (file.server) Object.assign(file.server, {exit_code: exit?.code ?? null, signal: exit?.signal ?? null});
  const log = server?.log() ?? startError?.server?.log() ?? null;
  const files: CapturedFile[] = [
    {role: "result", name: `${cell.id}.endpoint.json`, bytes: Buffer.from(serializeResultFile(file), "utf8")}
  ];
  if (log) files.push({role: "server-log", name: `${cell.id}.server.log`, bytes: log});
  const capture: Capture = {
    benchbook_capture: 1,
    runner: "endpoint",
    cell: {id: cell.id, label: cell.label, params: cell.params, expected: cell.expected, tags: cell.tags},
    plan: null,
    command: params.server ? redactArgv(params.server.argv) : [],
    env: redactEnv({...recordedEnv(cell, context), ...(params.server?.env ?? {})}),
    started_at,
    ended_at: context.now().toISOString(),
    exit_code: exit?.code ?? null,
    signal: exit?.signal ?? null,
    status: file.status,
    status_detail: file.status === "ok" ? null : file.status_detail,
    environment: {},
    results_role: "result",
    results_format: ENDPOINT_RESULT_FORMAT,
    ...(cell.limits ? {limits: cell.limits} : {})
  };
  return {capture, files};
}

export const endpointRunner: Runner<EndpointPlan> = {
  id: "endpoint",
  tool: "benchbook-endpoint",
  // Each target names its own runtime (or its server command does).
  runtime: null,
  plan: EndpointPlan,
  cells: (plan, {env, callerEnv, fail}) => endpointCells(plan, env, callerEnv, fail),
  version: () => null,
  formats: {result: ENDPOINT_RESULT_FORMAT, stdout: null},
  preview,
  run
};
