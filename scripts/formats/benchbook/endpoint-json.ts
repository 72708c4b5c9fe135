/**
 * benchbook's endpoint result file (`"benchbook_endpoint": 1`, bench/endpoint/result-file.ts), with
 * llama-benchy's metric names so both land on the same axes. Aggregates → scope run, requests → scope request,
 * a test whose requests all failed → failed results; each value's line is its record's line.
 */
import {quote} from "shell-quote";
import {parseCommandLine} from "../../context/command.js";
import type {Result, Settings} from "../../schema/schema.js";
import {emptyModel} from "../../schema/schema.js";
import {closingOf, elementStarts, lineOf, parseJsonAt, spanOf, type TextSpan} from "../shared/json-text.js";
import {quantFromFile} from "../shared/model-name.js";
import {readServerOptions} from "../serving/server.js";
import type {Block, Context, Doc, Format, ParsedRun} from "../types.js";
import {ParseError} from "../types.js";

/** The file's shape as this reader relies on it (the writer's types, loosely: the file may come from another version). */
interface FileTest {
  test_id: number;
  n_depth: number;
  n_prompt: number;
  n_gen: number;
  concurrency: number;
  runs: number;
  pp_test: string;
  tg_test: string;
  status: string;
  status_detail: string | null;
  requests_ok?: number;
  requests_failed?: number;
}
interface FileAggregate {
  test_id: number;
  kind: "pp" | "tg";
  metric: string;
  unit: string;
  stat: string;
  value: number | null;
  stddev: number | null;
  stddev_kind: "population" | "sample" | null;
  values: number[];
  per?: string;
  token_sources?: string[];
}
interface FileRequest {
  request: number;
  test_id: number;
  repetition: number;
  index: number;
  status: string;
  error: string | null;
  started_at?: string;
  ttfr_ms: number | null;
  e2e_ttft_ms: number | null;
  est_ppt_ms: number | null;
  pp_throughput: number | null;
  tg_throughput: number | null;
  peak_throughput: number | null;
  prompt_tokens: number | null;
  prompt_tokens_source: string | null;
  completion_tokens: number | null;
  completion_tokens_source: string | null;
  [key: string]: unknown;
}
interface EndpointFile {
  benchbook_endpoint: number;
  tool?: string;
  tool_version?: string;
  started_at?: string;
  status?: string;
  status_detail?: string | null;
  endpoint: {
    base_url: string;
    api: string;
    model: string | null;
    runtime: string | null;
    runtime_source?: string | null;
  };
  server: {argv: string[]; [key: string]: unknown} | null;
  server_info?: {models?: unknown; props?: unknown; system_fingerprint?: string | null};
  request_settings?: Record<string, unknown>;
  method: {
    latency_mode: string;
    latency_ms: number;
    token_counting?: {method?: string; detail?: string};
    stddev_kind?: string;
    peak_window_s?: number;
    warmup?: boolean;
    cache_avoidance?: string;
    notes?: string[];
  };
  tests: FileTest[];
  aggregates: FileAggregate[];
  requests: FileRequest[];
}

const MARKER = /"benchbook_endpoint"\s*:\s*1\b/;
const STATUSES = new Set(["ok", "oom", "error", "timeout", "skipped"]);

function scan(doc: Doc): Block[] {
  const blocks: Block[] = [];
  // The marker's key holds no line break: lines without it rule a head out cheaply, each looked at once
  // (a large JSONL file of other records has none, and every one of its lines opens an object).
  const named = doc.lines.map((line) => line.text.includes('"benchbook_endpoint"'));
  if (!named.includes(true)) return blocks;
  for (let i = 0; i < doc.lines.length; i++) {
    if (!/^\s*\{/.test(doc.lines[i].text)) continue;
    // The marker is the first key the client writes; allow a reformatted file a few lines of slack.
    const last = Math.min(doc.lines.length - 1, i + 3);
    if (!named.slice(i, last + 1).includes(true) || !MARKER.test(spanOf(doc, i, last).text)) continue;
    const span = spanOf(doc, i, doc.lines.length - 1);
    const open = span.text.indexOf("{");
    const close = closingOf(span.text, open);
    const end = close > 0 ? i + span.offsets.findLastIndex((o) => o <= close - 1) : doc.lines.length - 1;
    // The marker is unambiguous: a truncated file is still this format (and its error names where it ends).
    blocks.push({
      format: "benchbook-endpoint-json",
      start: i,
      end,
      confidence: 1,
      reason: `benchbook endpoint client result file ("benchbook_endpoint": 1)${close > 0 ? "" : ", not closed"}`
    });
    i = end;
  }
  return blocks;
}

/** Offset of the value of a key of the object that opens at `open` (direct children only), or -1. */
function valueOf(text: string, open: number, key: string): number {
  const close = closingOf(text, open);
  let depth = 0;
  for (let i = open; i < close; i++) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      for (i++; i < close && text[i] !== '"'; i++) if (text[i] === "\\") i++;
      if (depth === 1 && text.slice(start, i + 1) === JSON.stringify(key)) {
        const colon = /^\s*:\s*/.exec(text.slice(i + 1));
        if (colon) return i + 1 + colon[0].length;
      }
    } else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
  }
  return -1;
}

/** Physical line of each element of a top-level array of the file. */
function elementLines(doc: Doc, span: TextSpan, open: number, key: string, count: number): number[] {
  const at = valueOf(span.text, open, key);
  if (at < 0 || span.text[at] !== "[")
    throw new ParseError(lineOf(doc, span, open), `a "${key}" array in the benchbook endpoint result file`);
  const lines = elementStarts(span.text, at, closingOf(span.text, at)).map((offset) => lineOf(doc, span, offset));
  if (lines.length !== count)
    throw new ParseError(lineOf(doc, span, at), `${count} objects in "${key}"`, `${lines.length}`);
  return lines;
}

/** llama-server's `system_fingerprint` / `/props` build_info: `b<build number>-<commit>`. */
function llamaBuild(file: EndpointFile): {build_number: number | null; build_commit: string | null} {
  const props = file.server_info?.props as {build_info?: unknown} | null | undefined;
  const text =
    typeof props?.build_info === "string" ? props.build_info : (file.server_info?.system_fingerprint ?? null);
  const m = text ? /^b(\d+)-([0-9a-f]{6,40})$/.exec(text) : null;
  return m ? {build_number: Number(m[1]), build_commit: m[2]} : {build_number: null, build_commit: null};
}

function status(value: unknown, line: number): Result["status"] {
  if (typeof value === "string" && STATUSES.has(value)) return value as Result["status"];
  throw new ParseError(line, "a status of ok, oom, error, timeout or skipped", String(value));
}

function shapeOf(
  test: FileTest,
  kind: "pp" | "tg"
): Pick<Result, "test" | "kind" | "n_prompt" | "n_gen" | "n_depth" | "concurrency"> {
  // As the llama-benchy importer: a pp row has no generation length, a tg row no prompt size.
  return kind === "pp"
    ? {
        test: test.pp_test,
        kind,
        n_prompt: test.n_prompt,
        n_gen: null,
        n_depth: test.n_depth,
        concurrency: test.concurrency
      }
    : {
        test: test.tg_test,
        kind,
        n_prompt: null,
        n_gen: test.n_gen,
        n_depth: test.n_depth,
        concurrency: test.concurrency
      };
}

function aggregateResult(a: FileAggregate, test: FileTest, line: number): Result {
  return {
    line,
    text: null,
    ...shapeOf(test, a.kind),
    scope: "run",
    metric: a.metric,
    unit: a.unit,
    stat: a.stat,
    value: a.value,
    stddev: a.stddev,
    stddev_kind: a.stddev_kind,
    repetitions: a.values.length,
    samples: a.values,
    status: "ok",
    extra: {per: a.per ?? null, ...(a.token_sources?.length ? {token_sources: a.token_sources} : {})}
  };
}

/** The figures of one request, each a result (scope request). */
function requestResults(r: FileRequest, test: FileTest, line: number): Result[] {
  const base = (kind: "pp" | "tg") => ({
    line,
    text: null,
    ...shapeOf(test, kind),
    scope: "request" as const,
    request: r.request,
    stddev: null,
    stddev_kind: null,
    repetitions: null,
    ...(r.started_at ? {time: r.started_at} : {})
  });
  const where = {repetition: r.repetition, index: r.index};
  const requestStatus = status(r.status, line);
  if (requestStatus !== "ok") {
    return (["pp", "tg"] as const).map((kind) => ({
      ...base(kind),
      metric: "throughput",
      unit: "tok/s",
      stat: "value",
      value: null,
      status: requestStatus,
      status_detail: r.error,
      extra: where
    }));
  }
  const out: Result[] = [];
  const add = (
    kind: "pp" | "tg",
    metric: string,
    unit: string,
    stat: string,
    value: number | null,
    extra: Record<string, unknown> = {}
  ) => {
    if (value !== null) out.push({...base(kind), metric, unit, stat, value, status: "ok", extra: {...where, ...extra}});
  };
  add("pp", "throughput", "tok/s", "value", r.pp_throughput, {
    tokens: r.prompt_tokens,
    tokens_source: r.prompt_tokens_source
  });
  add("tg", "throughput", "tok/s", "value", r.tg_throughput, {
    tokens: r.completion_tokens,
    tokens_source: r.completion_tokens_source
  });
  add("tg", "throughput", "tok/s", "peak", r.peak_throughput);
  add("pp", "ttfr", "ms", "value", r.ttfr_ms);
  add("pp", "est_ppt", "ms", "value", r.est_ppt_ms);
  add("pp", "e2e_ttft", "ms", "value", r.e2e_ttft_ms);
  return out;
}

/** A test whose every request failed: its pp and tg results, failed, with the server's message. */
function failedTest(test: FileTest, line: number): Result[] {
  const s = status(test.status, line);
  return (["pp", "tg"] as const).map((kind) => ({
    line,
    text: null,
    ...shapeOf(test, kind),
    scope: "run" as const,
    metric: "throughput",
    unit: "tok/s",
    stat: "mean",
    value: null,
    stddev: null,
    stddev_kind: null,
    repetitions: null,
    status: s,
    status_detail: test.status_detail
  }));
}

function parse(doc: Doc, block: Block, context: Context): ParsedRun[] {
  const span = spanOf(doc, block.start, block.end);
  const open = span.text.indexOf("{");
  const close = closingOf(span.text, open);
  if (close < 0)
    throw new ParseError(
      doc.lines[block.end].line,
      "the closing } of the benchbook endpoint result file (it is truncated)"
    );
  const file = parseJsonAt<EndpointFile>(doc, span, open, close, "the benchbook endpoint result file");
  const firstLine = doc.lines[block.start].line;
  if (file.benchbook_endpoint !== 1)
    throw new ParseError(
      firstLine,
      `"benchbook_endpoint": 1 (this reader knows version 1)`,
      String(file.benchbook_endpoint)
    );
  for (const key of ["tests", "aggregates", "requests"] as const)
    if (!Array.isArray(file[key])) throw new ParseError(firstLine, `a "${key}" array`);
  if (!file.endpoint || !file.method) throw new ParseError(firstLine, `"endpoint" and "method" objects`);
  const testLines = elementLines(doc, span, open, "tests", file.tests.length);
  const aggregateLines = elementLines(doc, span, open, "aggregates", file.aggregates.length);
  const requestLines = elementLines(doc, span, open, "requests", file.requests.length);
  const tests = new Map(file.tests.map((t) => [t.test_id, t]));
  const testOf = (id: number, line: number) =>
    tests.get(id) ?? failWith(line, `a test_id listed in "tests"`, String(id));
  const results: Result[] = [];
  file.tests.forEach((test, i) => {
    if (status(test.status, testLines[i]) !== "ok") results.push(...failedTest(test, testLines[i]));
  });
  file.aggregates.forEach((a, i) => {
    if (a.value === null || typeof a.value !== "number")
      throw new ParseError(aggregateLines[i], "a numeric aggregate value", String(a.value));
    results.push(aggregateResult(a, testOf(a.test_id, aggregateLines[i]), aggregateLines[i]));
  });
  file.requests.forEach((r, i) =>
    results.push(...requestResults(r, testOf(r.test_id, requestLines[i]), requestLines[i]))
  );
  return [runOf(file, results, context, firstLine, doc.lines[block.end].line)];
}

function failWith(line: number, expected: string, found: string): never {
  throw new ParseError(line, expected, found);
}

function runOf(
  file: EndpointFile,
  results: Result[],
  context: Context,
  line_start: number,
  line_end: number
): ParsedRun {
  const notes: string[] = [...(file.method.notes ?? [])];
  let runtime = file.endpoint.runtime ?? null;
  if (context.runtime) {
    if (runtime && runtime !== context.runtime)
      notes.push(
        `runtime: the result file says ${runtime} (${file.endpoint.runtime_source ?? "?"}), --runtime says ${context.runtime}; --runtime is kept`
      );
    runtime = context.runtime;
  }
  const argv = file.server?.argv ?? [];
  // The argv read as a command line, as a server command printed in a post would be.
  const command = argv.length ? parseCommandLine(quote(argv), line_start) : null;
  if (argv.length && !command)
    notes.push(`the server command ${quote(argv)} is not one benchbook knows; its options are not read as settings`);
  const {settings: serverSettings, model_file} = command
    ? readServerOptions(command)
    : {settings: {}, model_file: null};
  const model = {...emptyModel(), name: file.endpoint.model, file: model_file};
  model.quant = quantFromFile(model.file) ?? quantFromFile(model.name);
  const settings: Settings = {
    ...serverSettings,
    api: file.endpoint.api,
    latency_mode: file.method.latency_mode,
    token_counting: file.method.token_counting?.method ?? null,
    warmup: file.method.warmup ?? null
  };
  for (const [key, value] of Object.entries(file.request_settings ?? {})) {
    if (key === "model" || key === "api") continue;
    settings[key] =
      value === null || ["string", "number", "boolean"].includes(typeof value)
        ? (value as Settings[string])
        : JSON.stringify(value);
  }
  const build = runtime === "llama.cpp" ? llamaBuild(file) : {build_number: null, build_commit: null};
  return {
    tool: "benchbook-endpoint",
    tool_version: file.tool_version ?? null,
    runtime,
    ...build,
    format: "benchbook-endpoint-json",
    started_at: file.started_at ?? null,
    command: argv.length ? quote(argv) : null,
    hardware: context.hardware,
    model,
    settings,
    settings_from_command: Object.keys(serverSettings),
    notes,
    extra: {
      base_url: file.endpoint.base_url,
      runtime_source: file.endpoint.runtime_source ?? null,
      latency_ms: file.method.latency_ms,
      token_counting: file.method.token_counting ?? null,
      cache_avoidance: file.method.cache_avoidance ?? null,
      ...(file.status && file.status !== "ok" ? {status: file.status, status_detail: file.status_detail ?? null} : {}),
      ...(file.server ? {server: file.server} : {})
    },
    results,
    line_start,
    line_end
  };
}

export const benchbookEndpointJson: Format = {
  id: "benchbook-endpoint-json",
  tool: "benchbook-endpoint",
  description:
    "benchbook endpoint client result file (llama-benchy method against an OpenAI-compatible server: pp/tg t/s, peak, ttfr, est_ppt, e2e_ttft; per request)",
  scan,
  parse
};
