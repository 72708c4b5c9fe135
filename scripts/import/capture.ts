/**
 * A runner's captured cell → the store, through the same reader as a pasted file; the tool's results file is
 * the source, the rest attachments. Expected tests the tool never printed become results with the cell's status,
 * so even an empty output leaves a failed result behind.
 */
import {parseCommandLine} from "../context/command.js";
import {applyDeviceLines, parseDeviceLine} from "../context/devices.js";
import {redactArgv, redactEnv} from "../context/redact.js";
import type {Capture, CapturedFile, CellOutcome, ExpectedTest} from "../schema/capture.js";
import {commandLine} from "../context/shell-quote.js";
import {InputError, readDocument} from "../document/read.js";
import {splitPhysicalLines} from "../document/lines.js";
import {quantFromFile} from "../formats/shared/model-name.js";
import {formatById} from "../formats/registry.js";
import type {Hardware, Result, Run, Settings, Scalar} from "../schema/schema.js";
import {emptyHardware, emptyModel} from "../schema/schema.js";
import type {ParsedRun} from "../formats/types.js";
import type {Attachment, Store, StoredInput} from "../store/store.js";
import {rawExtension} from "../store/store.js";
import {decodeText} from "./decode.js";
import {checkJsonKeys, checkShape, checkValues} from "./limits.js";
import {sha256} from "./import.js";
import {storedInput} from "./stored-input.js";

/** The program each runner runs, as a run's `tool`, and the engine it measures. */
const TOOLS: Record<string, {tool: string; runtime: string | null}> = {
  "llama-bench": {tool: "llama-bench", runtime: "llama.cpp"},
  endpoint: {tool: "benchbook-endpoint", runtime: null},
  "vllm-bench-serve": {tool: "vllm-bench-serve", runtime: "vllm"},
  "sglang-bench-serving": {tool: "sglang-bench-serving", runtime: "sglang"},
  "mlx-benchmark": {tool: "mlx_lm.benchmark", runtime: "mlx"}
};

/** The format id of a run stored from a capture record alone (no readable output). */
export const CAPTURE_FORMAT = "benchbook-capture";

export interface CaptureImportOptions {
  /** Tags added to every run (besides the cell's own). */
  tags?: Record<string, string>;
  /** The plan file, already redacted, stored as an attachment. */
  plan?: {name: string; bytes: Uint8Array} | null;
  now?: () => Date;
}

export interface CaptureReading {
  stored: StoredInput;
  /** Bytes of the source file. */
  raw: Uint8Array;
  /** Files to store beside it (their paths are in stored.source.attachments). */
  attachments: {raw: string; bytes: Uint8Array}[];
}

export type CaptureImport =
  | {status: "imported"; sha256: string; runs: Run[]}
  /** The source's bytes are already in the store (identical output): nothing written. */
  | {status: "unchanged"; sha256: string};

/** The capture record as stored: pretty JSON, commands and env redacted again (never trust a runner to have done it). */
function captureBytes(capture: Capture): Uint8Array {
  const safe: Capture = {...capture, command: redactArgv(capture.command), env: redactEnv(capture.env)};
  return Buffer.from(`${JSON.stringify(safe, null, 2)}\n`, "utf8");
}

function text(file: CapturedFile | undefined): string {
  if (!file) return "";
  const decoded = decodeText(file.bytes);
  return "text" in decoded ? decoded.text : "";
}

/** Hardware from device lines anywhere in a log (stderr, a server log). */
function hardwareFromLog(log: string): Hardware {
  let hardware = emptyHardware();
  for (const line of log.split(/\r?\n/)) {
    const devices = parseDeviceLine(line);
    if (devices.length) hardware = applyDeviceLines(hardware, devices);
  }
  return hardware;
}

/** Read a capture into what the store would hold, touching nothing. */
export function readCapture(outcome: CellOutcome, options: CaptureImportOptions = {}): CaptureReading {
  const {capture, files} = outcome;
  const imported_at = (options.now?.() ?? new Date()).toISOString();
  const captureRaw = captureBytes(capture);
  const captureName = `${capture.cell.id}.capture.json`;
  const results = files.find((f) => f.role === capture.results_role && f.bytes.length > 0);
  const logs = files
    .filter((f) => f.role === "stderr" || f.role === "server-log")
    .map(text)
    .join("\n");
  const hardware = hardwareFromLog(logs);
  const env = redactEnv(capture.env);
  const command = parseCommandLine(commandLine(redactArgv(capture.command), env), 1);
  const tags = {...capture.cell.tags, ...options.tags};

  let reading: ReturnType<typeof readDocument> | null = null;
  let unreadable: string | null = null;
  if (results) {
    const decoded = decodeText(results.bytes);
    if ("error" in decoded) unreadable = `${results.name}: line ${decoded.line}: expected ${decoded.error}`;
    else {
      try {
        // A format this benchbook does not know (an older checkout reading a newer capture): detect instead.
        const format =
          capture.results_format && formatById(capture.results_format) ? capture.results_format : undefined;
        checkShape(results.name, decoded.text);
        reading = readDocument(decoded.text, {
          name: results.name,
          format,
          context: {commands: command ? [command] : [], hardware}
        });
        checkValues(results.name, reading.runs);
        checkJsonKeys(results.name, decoded.text, reading.blocks);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        unreadable = error.message;
      }
    }
  } else unreadable = `the tool wrote no ${capture.results_role}`;

  const source = reading && results ? results : {role: "capture", name: captureName, bytes: captureRaw};
  const hash = sha256(source.bytes);
  const sourceText = reading && results ? text(results) : new TextDecoder().decode(captureRaw);
  const lines = splitPhysicalLines(sourceText).length;
  const extra = {capture: captureSummary(capture), environment: capture.environment};

  let parsed: ParsedRun[];
  if (reading && reading.runs.length) {
    parsed = reading.runs;
    const last = parsed[parsed.length - 1];
    const missing = missingTests(
      capture.cell.expected,
      parsed.flatMap((r) => r.results)
    );
    for (const test of missing) last.results.push(failedResult(test, capture, lastContentLine(sourceText)));
    if (capture.status !== "ok")
      last.notes.push(
        `${missing.length === 0 ? "the tool printed every expected result but" : "the tool"} ended with ${capture.status}: ${capture.status_detail?.split("\n")[0] ?? "no detail"}`
      );
  } else {
    parsed = [
      captureRun(capture, {
        lines,
        hardware,
        command: command?.text ?? commandLine(redactArgv(capture.command), env),
        statusLine: statusLine(sourceText),
        unreadable
      })
    ];
  }

  const attachments: Attachment[] = [];
  const attachmentBytes: {raw: string; bytes: Uint8Array}[] = [];
  const attach = (role: string, name: string, bytes: Uint8Array) => {
    const digest = sha256(bytes);
    const raw = `raw/${digest}.${rawExtension(name)}`;
    attachments.push({role, sha256: digest, raw, name});
    if (!attachmentBytes.some((a) => a.raw === raw)) attachmentBytes.push({raw, bytes});
  };
  for (const file of files) if (file !== source) attach(file.role, file.name, file.bytes);
  if (source.role !== "capture") attach("capture", captureName, captureRaw);
  if (options.plan) attach("plan", options.plan.name, options.plan.bytes);

  const facts = {
    sha256: hash,
    name: source.name,
    bytes: source.bytes.length,
    lines,
    imported_at,
    tags,
    blocks: reading?.blocks ?? [],
    ignored: reading?.ignored ?? [],
    attachments
  };
  const stored = reading?.runs.length
    ? storedInput(facts, parsed, {extra})
    : captureOnly(storedInput(facts, parsed, {extra, idBlocks: [{line_start: 1, runs: 1}]}));
  return {stored, raw: source.bytes, attachments: attachmentBytes};
}

/** Import one captured cell; its files land before its runs file (the commit point). */
export function importCapture(store: Store, outcome: CellOutcome, options: CaptureImportOptions = {}): CaptureImport {
  const reading = readCapture(outcome, options);
  const hash = reading.stored.source.sha256;
  return store.withLock((): CaptureImport => {
    if (store.has(hash)) return {status: "unchanged", sha256: hash};
    store.write(reading.raw, reading.stored, reading.attachments);
    return {status: "imported", sha256: hash, runs: reading.stored.runs};
  });
}

/** What each run says about the cell that produced it (`extra.capture`). */
function captureSummary(capture: Capture): Record<string, unknown> {
  const duration = (Date.parse(capture.ended_at) - Date.parse(capture.started_at)) / 1000;
  return {
    cell_id: capture.cell.id,
    cell_label: capture.cell.label,
    runner: capture.runner,
    plan: capture.plan,
    status: capture.status,
    exit_code: capture.exit_code,
    signal: capture.signal,
    started_at: capture.started_at,
    ended_at: capture.ended_at,
    duration_s: Number.isFinite(duration) ? duration : null,
    ...(capture.limits ? {limits: capture.limits} : {}),
    ...(capture.redactions?.length ? {redactions: capture.redactions} : {}),
    ...(capture.scheduler ? {scheduler: capture.scheduler} : {})
  };
}

/** Expected tests with no result of their metric and shape, counting duplicates (`-p 512,512` runs twice). */
function missingTests(expected: ExpectedTest[], results: Result[]): ExpectedTest[] {
  const pool = results.filter((r) => r.status === "ok");
  const missing: ExpectedTest[] = [];
  for (const test of expected) {
    const metric = test.metric ?? "throughput";
    // A serving benchmark is one test, named from its command: its headline metric is what counts.
    const i = pool.findIndex(
      (r) =>
        (test.kind === "serve" && r.kind === "serve" && r.metric === metric) ||
        (r.metric === metric &&
          (r.n_prompt ?? null) === test.n_prompt &&
          (r.n_gen ?? null) === test.n_gen &&
          (test.n_depth === null || (r.n_depth ?? 0) === test.n_depth) &&
          (test.concurrency == null || r.concurrency == null || r.concurrency === test.concurrency))
    );
    if (i >= 0) pool.splice(i, 1);
    else missing.push(test);
  }
  return missing;
}

function failedResult(test: ExpectedTest, capture: Capture, line: number): Result {
  const status = capture.status === "ok" ? "error" : capture.status;
  const detail = capture.status === "ok" ? "the tool printed no result for this test" : capture.status_detail;
  return {
    line,
    text: null,
    test: test.test,
    kind: test.kind,
    n_prompt: test.n_prompt,
    n_gen: test.n_gen,
    n_depth: test.n_depth,
    ...(test.concurrency != null ? {concurrency: test.concurrency} : {}),
    metric: test.metric ?? "throughput",
    unit: test.unit ?? "tok/s",
    stat: test.stat ?? "mean",
    value: null,
    stddev: null,
    stddev_kind: null,
    repetitions: null,
    status,
    status_detail: detail
  };
}

/** Where the output stopped: the last non-blank line (1 for an empty file). */
function lastContentLine(text: string): number {
  const lines = splitPhysicalLines(text);
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i].trim() !== "") return i + 1;
  return 1;
}

/** The line of `"status": …` in a capture record. */
function statusLine(captureText: string): number {
  const i = splitPhysicalLines(captureText).findIndex((l) => /^ {2}"status":/.test(l));
  return i >= 0 ? i + 1 : 1;
}

/** The keys such runs lead with, in that order (a spread after them keeps their places). */
const CAPTURE_RUN_KEYS = [
  "schema",
  "id",
  "tool",
  "tool_version",
  "runtime",
  "build_commit",
  "build_number",
  "format",
  "source",
  "imported_at",
  "started_at",
  "tags"
] as const;

/**
 * A run stored from the capture record alone: named by the record's first
 * line, as a block there would be, and with its keys in the order such runs
 * were always written (the bundled store holds some; a reparse rewrites them byte for byte).
 */
function captureOnly(stored: StoredInput): StoredInput {
  const runs = stored.runs.map(
    (run) => ({...Object.fromEntries(CAPTURE_RUN_KEYS.map((key) => [key, run[key]])), ...run}) as typeof run
  );
  return {...stored, runs};
}

interface CaptureRunInput {
  lines: number;
  hardware: Hardware;
  command: string;
  statusLine: number;
  unreadable: string | null;
}

/** A run for a cell that printed nothing readable: its expected tests, all failed, traced to the capture record's status line. */
function captureRun(capture: Capture, input: CaptureRunInput): ParsedRun {
  const {tool, runtime} = TOOLS[capture.runner] ?? {tool: capture.runner, runtime: null};
  const params = capture.cell.params;
  const file = typeof params.model === "string" ? params.model : null;
  const settings: Settings = {};
  if (params.settings && typeof params.settings === "object")
    for (const [k, v] of Object.entries(params.settings as Record<string, unknown>)) settings[k] = v as Scalar;
  const runCapture: Capture =
    capture.status === "ok" ? {...capture, status: "error", status_detail: input.unreadable} : capture;
  // What the environment record knows of the binary and the machine, so a failed cell sits beside its siblings.
  const env = capture.environment as {
    runtime?: {build_commit?: unknown; build_number?: unknown} | null;
    machine?: {cpu?: {model?: unknown}};
  };
  const hardware = {
    ...input.hardware,
    cpu: input.hardware.cpu ?? (typeof env.machine?.cpu?.model === "string" ? env.machine.cpu.model : null)
  };
  return {
    tool,
    tool_version: null,
    runtime,
    build_commit: typeof env.runtime?.build_commit === "string" ? env.runtime.build_commit : null,
    build_number: typeof env.runtime?.build_number === "number" ? env.runtime.build_number : null,
    format: CAPTURE_FORMAT,
    line_start: 1,
    line_end: input.lines,
    started_at: capture.started_at,
    command: input.command,
    hardware,
    model: {...emptyModel(), file, quant: quantFromFile(file)},
    settings,
    settings_from_command: Object.keys(settings),
    notes: [`no results were read from the tool's output: ${input.unreadable ?? "none printed"}`],
    extra: {},
    results: capture.cell.expected.map((test) => failedResult(test, runCapture, input.statusLine))
  };
}
