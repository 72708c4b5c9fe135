/**
 * The endpoint client: the llama-benchy method against any OpenAI-compatible streaming server, in
 * llama-benchy's order (warmup, latency, then depth → prompt → generation → concurrency). Writes no files.
 */
import {runtimeByOwner} from "../../context/runtimes.js";
import type {Status} from "../../schema/schema.js";
import {oomLine} from "../failure.js";
import {apiBase, type EndpointParams, serverRoot} from "./config.js";
import {requestJson} from "./http.js";
import {httpJson} from "./http.js";
import type {BatchMember, Counted} from "./measure.js";
import {aggregate, batchFigures, requestFigures} from "./measure.js";
import {
  assumedBuilder,
  calibratedBuilder,
  fillerText,
  findTokenizer,
  newNonce,
  PROBE_WORDS,
  serverTokenizerBuilder,
  type TextBuilder
} from "./prompts.js";
import {streamRequest, type StreamResult} from "./request.js";
import type {
  AggregateRecord,
  EndpointResultFile,
  LatencyMode,
  PromptAdaptation,
  RequestRecord,
  TestRecord
} from "./result-file.js";
import {RESULT_FILE_VERSION} from "./result-file.js";
import {mean, PEAK_WINDOW_S} from "./stats.js";

export interface ClientHooks {
  /** Ctrl-C: stop sending; tests not finished become `error` results ("interrupted"). */
  interrupt?: AbortSignal;
  /** The cell's time limit: remaining tests become `timeout` results. */
  deadline?: AbortSignal;
  progress?(message: string, done?: number, total?: number): void;
  now?(): Date;
  env?: NodeJS.ProcessEnv;
  /** For a server the runner started: null while it runs, else why it is gone (exit code, log tail). */
  serverGone?(): string | null;
  /** The server command and lifecycle facts, recorded in the result. */
  server?: EndpointResultFile["server"];
  /** Which program the server command runs (for the runtime). */
  serverRuntime?: string | null;
  toolVersion?: string;
}

const SMALL_TIMEOUT_MS = 30_000;

/**
 * llama-benchy's test names, `pp2048 @ d8192 (c4)`, with the concurrency
 * suffix only above 1 (as the plan's expected tests; llama-benchy itself adds
 * ` (c1)` too when its run has higher levels).
 */
export function testNames(
  pp: number,
  tg: number,
  depth: number,
  concurrency: number
): {pp_test: string; tg_test: string} {
  const d = depth > 0 ? ` @ d${depth}` : "";
  const c = concurrency > 1 ? ` (c${concurrency})` : "";
  return {pp_test: `pp${pp}${d}${c}`, tg_test: `tg${tg}${d}${c}`};
}

/** Runtime by the `owned_by` its GET /models prints (runtimes.ts `ownedBy`; llama-server's `llamacpp` as captured). */
function runtimeFromOwner(models: unknown): string | null {
  const owner = (models as {data?: Array<{owned_by?: unknown}>} | null)?.data?.[0]?.owned_by;
  return typeof owner === "string" ? (runtimeByOwner(owner)?.id ?? null) : null;
}

function firstModelId(models: unknown): string | null {
  const id = (models as {data?: Array<{id?: unknown}>} | null)?.data?.[0]?.id;
  return typeof id === "string" ? id : null;
}

interface Setup {
  headers: Record<string, string>;
  base: string;
  root: string;
  url: string;
  model: string | null;
}

/** A setup request (not a measured one): the small timeout, stopped by an interrupt. */
const smallJson = (setup: Setup, hooks: ClientHooks, url: string) =>
  requestJson(url, {headers: setup.headers, timeoutMs: SMALL_TIMEOUT_MS, signal: hooks.interrupt});

/** A one-token streamed probe (not a measured request). */
const smallStream = (params: EndpointParams, setup: Setup, hooks: ClientHooks, body: Record<string, unknown>) =>
  streamRequest({
    url: setup.url,
    headers: setup.headers,
    api: params.api,
    timeoutMs: SMALL_TIMEOUT_MS,
    signal: hooks.interrupt,
    body
  });

function requestBody(
  params: EndpointParams,
  setup: Setup,
  context: string,
  prompt: string,
  maxTokens: number
): Record<string, unknown> {
  const body: Record<string, unknown> = {...(setup.model ? {model: setup.model} : {})};
  if (params.api === "chat") {
    body.messages = [...(context ? [{role: "system", content: context}] : []), {role: "user", content: prompt}];
  } else {
    body.prompt = context ? `${context}\n\n${prompt}` : prompt;
  }
  body.max_tokens = maxTokens;
  body.stream = true;
  body.stream_options = {include_usage: true};
  if (params.ignore_eos) body.ignore_eos = true;
  if (params.no_cache) body.cache_prompt = false;
  return {...body, ...params.extra_body};
}

/** The request settings every request shares, for the result file. */
function requestSettings(params: EndpointParams, model: string | null): Record<string, unknown> {
  const example = requestBody(params, {headers: {}, base: "", root: "", url: "", model}, "…", "…", 0);
  delete example.messages;
  delete example.prompt;
  delete example.max_tokens;
  return {api: params.api, ...example};
}

async function measureLatency(
  mode: LatencyMode,
  params: EndpointParams,
  setup: Setup,
  hooks: ClientHooks
): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < 3 && mode !== "none"; i++) {
    if (mode === "api") {
      const start = performance.now();
      const response = await smallJson(setup, hooks, `${setup.base}/models`);
      if (response.status === 200) samples.push(performance.now() - start);
    } else {
      const result = await smallStream(params, setup, hooks, requestBody(params, setup, "", "hello", 1));
      if (result.status === "ok" && result.first_byte_ms !== null) samples.push(result.first_byte_ms);
    }
  }
  return samples;
}

async function chooseTextBuilder(params: EndpointParams, setup: Setup, hooks: ClientHooks): Promise<TextBuilder> {
  if (params.tokenizer !== "probe") {
    const tokenizer = await findTokenizer(
      setup.root,
      setup.model,
      httpJson(setup.headers, SMALL_TIMEOUT_MS, hooks.interrupt)
    );
    if (tokenizer) return serverTokenizerBuilder(tokenizer);
    if (params.tokenizer === "server")
      throw new Error(`no tokenizer endpoint at ${setup.root}/tokenize (tokenizer: server)`);
  }
  // Probe: two prompts of known word counts; the usage slope is tokens per word.
  const counts: number[] = [];
  for (const words of PROBE_WORDS) {
    const result = await smallStream(
      params,
      setup,
      hooks,
      requestBody(params, setup, "", fillerText(newNonce(), words - 1), 1)
    );
    const prompt = (result.usage as {prompt_tokens?: unknown} | null)?.prompt_tokens;
    if (result.status !== "ok" || typeof prompt !== "number")
      return assumedBuilder(
        result.status === "ok" ? "the server reports no usage.prompt_tokens" : `probe request failed: ${result.error}`
      );
    counts.push(prompt);
  }
  const perWord = (counts[1] - counts[0]) / (PROBE_WORDS[1] - PROBE_WORDS[0]);
  if (!(perWord > 0)) return assumedBuilder(`probe usage did not grow with the prompt (${counts.join(", ")} tokens)`);
  const overhead = counts[0] - perWord * PROBE_WORDS[0];
  return calibratedBuilder(
    perWord,
    overhead,
    `usage.prompt_tokens of ${PROBE_WORDS.join(" and ")}-word prompts: ${counts.join(" and ")} tokens`
  );
}

interface Prepared {
  context: string;
  prompt: string;
  nonce: string;
  sent: Counted;
}

/** llama-benchy's --adapt-prompt: the template's tokens come off the context (depth > 0) or the prompt. */
async function prepare(
  builder: TextBuilder,
  depth: number,
  pp: number,
  adaptation: PromptAdaptation
): Promise<Prepared> {
  if (adaptation.enabled) {
    if (depth > 0) depth = Math.max(1, depth - (adaptation.context_overhead_tokens ?? 0));
    else pp = Math.max(1, pp - (adaptation.user_overhead_tokens ?? 0));
  }
  const nonce = newNonce();
  const context = depth > 0 ? await builder.build(depth, nonce, 0) : null;
  const prompt = await builder.build(pp, nonce, 1);
  const tokens = context
    ? context.tokens === null || prompt.tokens === null
      ? null
      : context.tokens + prompt.tokens
    : prompt.tokens;
  return {
    context: context?.text ?? "",
    prompt: prompt.text,
    nonce,
    sent: {value: tokens, source: tokens === null ? null : prompt.source}
  };
}

/**
 * One GET /models per request of the coming batch, all at once, so that each
 * request goes out on an open keep-alive connection: a connection set up
 * inside the timed request would count against the server's TTFT.
 */
async function openConnections(setup: Setup, count: number, hooks: ClientHooks): Promise<void> {
  await Promise.all(
    Array.from({length: count}, () => smallJson(setup, hooks, `${setup.base}/models`).catch(() => null))
  );
}

/** A stream that answered 200 but ended without content or an end is a failure too. */
function settle(result: StreamResult): StreamResult {
  if (result.status !== "ok") return result;
  if (result.content_times_ms.length === 0)
    return {...result, status: "error", error: "the stream ended without any content token"};
  if (!result.saw_done && result.finish_reason === null)
    return {...result, status: "error", error: "the stream ended without finish_reason or [DONE] (cut off)"};
  return result;
}

function worst(statuses: Status[]): Status {
  if (statuses.includes("timeout")) return "timeout";
  if (statuses.includes("oom")) return "oom";
  if (statuses.some((s) => s !== "ok")) return "error";
  return "ok";
}

export async function runEndpointBenchmark(
  params: EndpointParams,
  hooks: ClientHooks = {}
): Promise<EndpointResultFile> {
  const now = hooks.now ?? (() => new Date());
  const started_at = now().toISOString();
  const key = params.api_key_env ? (hooks.env?.[params.api_key_env] ?? process.env[params.api_key_env]) : undefined;
  const base = apiBase(params.base_url);
  const setup: Setup = {
    headers: key ? {authorization: `Bearer ${key}`} : {},
    base,
    root: serverRoot(base),
    url: `${base}/${params.api === "chat" ? "chat/completions" : "completions"}`,
    model: params.model
  };
  const notes: string[] = [
    "before each repetition, one GET /models per request opens the connections its requests then use, so no connection is set up inside a timed request"
  ];
  const file: EndpointResultFile = {
    benchbook_endpoint: RESULT_FILE_VERSION,
    tool: "benchbook-endpoint",
    tool_version: hooks.toolVersion ?? "unknown",
    started_at,
    ended_at: started_at,
    status: "ok",
    status_detail: null,
    endpoint: {
      base_url: redactUrl(base),
      api: params.api,
      model: params.model,
      runtime: params.runtime,
      runtime_source: params.runtime ? "plan" : null
    },
    server: hooks.server ?? null,
    server_info: {models: null, props: null, system_fingerprint: null},
    request_settings: requestSettings(params, params.model),
    method: {
      latency_mode: params.latency_mode,
      latency_ms: 0,
      latency_samples_ms: [],
      token_counting: {method: "assumed", detail: "not measured"},
      prompt_adaptation: {
        enabled: false,
        user_overhead_tokens: null,
        context_overhead_tokens: null,
        detail: "not measured"
      },
      stddev_kind: "population",
      peak_window_s: PEAK_WINDOW_S,
      warmup: params.warmup,
      cache_avoidance:
        "each request's text starts with a random 12-hex-digit nonce followed by filler words drawn from a generator seeded by it; only the chat template before it can match a cached prefix",
      notes
    },
    tests: [],
    aggregates: [],
    requests: []
  };
  const tests = plannedTests(params);
  file.tests = tests;
  const failRemaining = (status: Status, detail: string) => {
    for (const t of tests)
      if (t.status === "ok" && t.requests_ok + t.requests_failed === 0)
        Object.assign(t, {status, status_detail: detail});
  };
  const builder = await setUp(params, setup, file, hooks, notes).catch(async (error: Error) => {
    const gone = hooks.interrupt?.aborted ? null : await serverGoneSoon(hooks);
    if (hooks.interrupt?.aborted) failRemaining("error", "interrupted");
    else if (gone) failRemaining(goneStatus(gone), gone);
    else failRemaining("error", `setting up the benchmark failed: ${error.message}`);
    return null;
  });
  if (builder) file.method.token_counting = builder.method;
  const total = tests.length * params.runs;
  let done = 0;
  for (const test of tests) {
    if (test.status !== "ok" || !builder) continue;
    const batches: BatchTotals[] = [];
    for (let repetition = 0; repetition < params.runs; repetition++) {
      if (hooks.interrupt?.aborted) {
        interrupted(test, repetition);
        failRemaining("error", "interrupted");
        break;
      }
      if (hooks.deadline?.aborted) {
        failRemaining("timeout", "the cell's time limit was reached");
        break;
      }
      const gone = hooks.serverGone?.() ?? null;
      if (gone) {
        failRemaining(goneStatus(gone), gone);
        break;
      }
      hooks.progress?.(`${test.pp_test} / ${test.tg_test}: run ${repetition + 1}/${params.runs}`, done, total);
      try {
        batches.push(await runBatch(params, setup, test, repetition, builder, file, hooks));
      } catch (error) {
        // Building the texts failed (the tokenizer endpoint, an abort while building them).
        if (hooks.interrupt?.aborted) interrupted(test, repetition);
        else if (test.requests_ok === 0)
          Object.assign(test, {
            status: "error",
            status_detail: `preparing the requests failed: ${(error as Error).message}`
          });
        break;
      }
      done++;
    }
    if (test.requests_ok > 0)
      file.aggregates.push(
        ...testAggregates(
          test,
          file.requests.filter((r) => r.test_id === test.test_id),
          batches
        )
      );
  }
  hooks.progress?.("done", total, total);
  file.status = worst(tests.map((t) => t.status));
  file.status_detail = tests.find((t) => t.status !== "ok")?.status_detail ?? null;
  if (hooks.interrupt?.aborted) Object.assign(file, {status: "error", status_detail: "interrupted"});
  file.ended_at = now().toISOString();
  return file;
}

/** A dead server's tests are `oom` when its log says it ran out of memory (the runners' shared patterns), else `error`. */
function goneStatus(gone: string): Status {
  return oomLine(gone) ? "oom" : "error";
}

/** The server's exit can reach us a moment after the broken connection: wait up to a second for it. */
async function serverGoneSoon(hooks: ClientHooks): Promise<string | null> {
  if (!hooks.serverGone) return null;
  for (let waited = 0; waited <= 1000; waited += 50) {
    const gone = hooks.serverGone();
    if (gone) return gone;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return null;
}

/** Ctrl-C during a test: with some repetitions done its figures stand, and the detail says how many. */
function interrupted(test: TestRecord, repetitionsDone: number): void {
  if (test.requests_ok > 0) test.status_detail = `interrupted after ${repetitionsDone} of ${test.runs} repetitions`;
  else Object.assign(test, {status: "error", status_detail: "interrupted"});
}

function plannedTests(params: EndpointParams): TestRecord[] {
  const tests: TestRecord[] = [];
  for (const depth of params.depths)
    for (const pp of params.pp)
      for (const tg of params.tg)
        for (const concurrency of params.concurrency) {
          tests.push({
            test_id: tests.length,
            n_depth: depth,
            n_prompt: pp,
            n_gen: tg,
            concurrency,
            runs: params.runs,
            ...testNames(pp, tg, depth, concurrency),
            status: "ok",
            status_detail: null,
            requests_ok: 0,
            requests_failed: 0
          });
        }
  return tests;
}

/** Model list (and the model), llama-server /props, runtime, warmup, latency, and how texts are built. */
async function setUp(
  params: EndpointParams,
  setup: Setup,
  file: EndpointResultFile,
  hooks: ClientHooks,
  notes: string[]
): Promise<TextBuilder> {
  const models = await smallJson(setup, hooks, `${setup.base}/models`);
  if (models.status !== 200)
    throw new Error(`GET ${setup.base}/models answered HTTP ${models.status}: ${models.text.slice(0, 500)}`);
  file.server_info.models = models.json ?? models.text;
  setup.model ??= firstModelId(models.json);
  file.endpoint.model = setup.model;
  file.request_settings = requestSettings(params, setup.model);
  const props = await smallJson(setup, hooks, `${setup.root}/props`).catch(() => null);
  if (props?.status === 200 && props.json && typeof props.json === "object") file.server_info.props = props.json;
  if (!file.endpoint.runtime && hooks.serverRuntime)
    Object.assign(file.endpoint, {runtime: hooks.serverRuntime, runtime_source: "server command"});
  if (!file.endpoint.runtime) {
    const runtime = runtimeFromOwner(models.json);
    if (runtime) Object.assign(file.endpoint, {runtime, runtime_source: "/v1/models owned_by"});
  }
  if (params.warmup) {
    const warm = await streamRequest({
      url: setup.url,
      headers: setup.headers,
      api: params.api,
      timeoutMs: params.request_timeout_s * 1000,
      signal: hooks.interrupt,
      body: requestBody(params, setup, "", fillerText(newNonce(), 16), 4)
    });
    notes.push(
      warm.status === "ok"
        ? "one warmup request (16 filler words, 4 tokens) was sent before measuring and is not part of the results"
        : `the warmup request failed: ${warm.error}`
    );
    if (typeof warm.system_fingerprint === "string") file.server_info.system_fingerprint = warm.system_fingerprint;
  }
  const samples = await measureLatency(params.latency_mode, params, setup, hooks);
  file.method.latency_samples_ms = samples;
  file.method.latency_ms = mean(samples) ?? 0;
  if (params.latency_mode !== "none" && samples.length === 0)
    notes.push(`latency (${params.latency_mode}) could not be measured; 0 ms is used`);
  const builder = await chooseTextBuilder(params, setup, hooks);
  file.method.prompt_adaptation = params.adapt_prompt
    ? await measureOverheads(params, setup, builder, hooks)
    : {enabled: false, user_overhead_tokens: null, context_overhead_tokens: null, detail: "disabled by the plan"};
  return builder;
}

const OVERHEAD_PROBE_TOKENS = 32;

/**
 * The template's share of usage.prompt_tokens: one request with a user
 * message of known size, one with a system context of known size and an
 * empty user message (llama-benchy's warmup does the same).
 */
async function measureOverheads(
  params: EndpointParams,
  setup: Setup,
  builder: TextBuilder,
  hooks: ClientHooks
): Promise<PromptAdaptation> {
  const probe = async (asContext: boolean): Promise<number | string> => {
    const text = await builder.build(OVERHEAD_PROBE_TOKENS, newNonce(), 0);
    if (text.tokens === null) return "the probe text's token count is unknown";
    const body = asContext
      ? requestBody(params, setup, text.text, "", 1)
      : requestBody(params, setup, "", text.text, 1);
    const result = await smallStream(params, setup, hooks, body);
    const prompt = (result.usage as {prompt_tokens?: unknown} | null)?.prompt_tokens;
    if (result.status !== "ok") return `probe request failed: ${result.error}`;
    if (typeof prompt !== "number") return "the server reports no usage.prompt_tokens";
    return prompt - text.tokens;
  };
  const user = await probe(false);
  const context = await probe(true);
  if (typeof user === "string" || typeof context === "string") {
    return {
      enabled: false,
      user_overhead_tokens: null,
      context_overhead_tokens: null,
      detail: `not adapted: ${typeof user === "string" ? user : context}`
    };
  }
  return {
    enabled: true,
    user_overhead_tokens: user,
    context_overhead_tokens: context,
    detail: `usage.prompt_tokens minus the text's ${OVERHEAD_PROBE_TOKENS} tokens, for a user message alone and for a system context with an empty user message; subtracted from the prompt (depth 0) or the context (depth > 0)`
  };
}

/** llama-benchy's batch figures of one repetition. */
interface BatchTotals {
  pp: number | null;
  tg: number | null;
  peak: number | null;
}

async function runBatch(
  params: EndpointParams,
  setup: Setup,
  test: TestRecord,
  repetition: number,
  builder: TextBuilder,
  file: EndpointResultFile,
  hooks: ClientHooks
): Promise<BatchTotals> {
  const prepared: Prepared[] = [];
  for (let i = 0; i < test.concurrency; i++)
    prepared.push(await prepare(builder, test.n_depth, test.n_prompt, file.method.prompt_adaptation));
  const signal =
    hooks.deadline && hooks.interrupt
      ? AbortSignal.any([hooks.interrupt, hooks.deadline])
      : (hooks.deadline ?? hooks.interrupt);
  await openConnections(setup, test.concurrency, hooks);
  const batchStart = performance.now();
  const startedAt = (hooks.now ?? (() => new Date()))().toISOString();
  // One request per event-loop turn: each is handed to its socket before the next one's clock starts.
  // Started all in one go, a request's clock would also run while the others are being dispatched
  // (about a millisecond each), which at concurrency 64 adds tens of milliseconds to the last ones' TTFT.
  const pending: Promise<StreamResult>[] = [];
  for (const p of prepared) {
    pending.push(
      streamRequest({
        url: setup.url,
        headers: setup.headers,
        api: params.api,
        timeoutMs: params.request_timeout_s * 1000,
        signal,
        body: requestBody(params, setup, p.context, p.prompt, test.n_gen)
      }).then(settle)
    );
    if (pending.length < prepared.length) await new Promise((resolve) => setImmediate(resolve));
  }
  const results = await Promise.all(pending);
  const members: BatchMember[] = results.map((result, i) => ({
    offset_ms: result.sent_at - batchStart,
    result,
    figures: requestFigures(result, file.method.latency_ms, prepared[i].sent)
  }));
  members.forEach((m, index) => {
    const {result, figures} = m;
    if (typeof result.system_fingerprint === "string")
      file.server_info.system_fingerprint ??= result.system_fingerprint;
    const ok = result.status === "ok";
    file.requests.push({
      request: file.requests.length,
      test_id: test.test_id,
      repetition,
      index,
      status: result.status,
      error: result.error,
      http_status: result.http_status,
      started_at: startedAt,
      offset_ms: m.offset_ms,
      headers_ms: result.headers_ms,
      first_byte_ms: result.first_byte_ms,
      ttfr_ms: result.first_event_ms,
      e2e_ttft_ms: result.first_content_ms,
      last_token_ms: result.last_content_ms,
      end_ms: result.end_ms,
      est_ppt_ms: ok ? figures.est_ppt_ms : null,
      prompt_tokens: figures.prompt.value,
      prompt_tokens_source: figures.prompt.source,
      sent_tokens: prepared[index].sent.value,
      sent_tokens_source: prepared[index].sent.source,
      completion_tokens: ok ? figures.completion.value : null,
      completion_tokens_source: ok ? figures.completion.source : null,
      content_events: result.content_times_ms.length,
      content_reads: result.content_reads,
      pp_throughput: ok ? figures.pp_throughput : null,
      tg_throughput: ok ? figures.tg_throughput : null,
      peak_throughput: ok ? figures.peak_throughput : null,
      finish_reason: result.finish_reason,
      nonce: prepared[index].nonce,
      token_times_ms: result.content_times_ms,
      usage: result.usage,
      timings: result.timings
    });
    if (ok) test.requests_ok++;
    else test.requests_failed++;
  });
  const failures = results.filter((r) => r.status !== "ok");
  if (failures.length) {
    // A connection that broke without an HTTP answer may mean the server died (out of memory, a crash): then that is the reason.
    const gone = failures.some((f) => f.http_status === null && f.status === "error")
      ? await serverGoneSoon(hooks)
      : null;
    const detail = gone ?? failures[0].error ?? "failed";
    const status = gone ? goneStatus(gone) : worst(failures.map((f) => f.status));
    if (test.requests_ok === 0) Object.assign(test, {status, status_detail: detail});
    else
      test.status_detail = `${test.requests_failed} of ${test.requests_ok + test.requests_failed} requests failed; first: ${detail}`;
  } else if (test.requests_ok > 0 && test.status !== "ok") {
    test.status = "ok";
  }
  const batch = batchFigures(members);
  return {pp: batch.pp_throughput, tg: batch.tg_throughput, peak: batch.peak_throughput};
}

/**
 * llama-benchy's columns for one test. With one request per repetition the
 * figures are per request; with several, `throughput` is the batch total and
 * `throughput_per_request` the per-request figure.
 */
function testAggregates(test: TestRecord, requests: RequestRecord[], batches: BatchTotals[]): AggregateRecord[] {
  const ok = requests.filter((r) => r.status === "ok");
  const id = test.test_id;
  const promptSources = [
    ...new Set(ok.map((r) => r.prompt_tokens_source).filter((s) => s !== null))
  ] as AggregateRecord["token_sources"];
  const completionSources = [
    ...new Set(ok.map((r) => r.completion_tokens_source).filter((s) => s !== null))
  ] as AggregateRecord["token_sources"];
  const perRequest = (
    metric: string,
    kind: "pp" | "tg",
    stat: "mean" | "peak",
    values: (number | null)[],
    sources: AggregateRecord["token_sources"],
    unit: "tok/s" | "ms" = "tok/s"
  ) => aggregate({test_id: id, kind, metric, unit, stat, per: "request", token_sources: sources}, values);
  const perBatch = (
    metric: string,
    kind: "pp" | "tg",
    stat: "mean" | "peak",
    values: (number | null)[],
    sources: AggregateRecord["token_sources"]
  ) => aggregate({test_id: id, kind, metric, unit: "tok/s", stat, per: "repetition", token_sources: sources}, values);
  const out: AggregateRecord[] = [];
  if (test.concurrency === 1) {
    out.push(
      perRequest(
        "throughput",
        "pp",
        "mean",
        ok.map((r) => r.pp_throughput),
        promptSources
      )
    );
    out.push(
      perRequest(
        "throughput",
        "tg",
        "mean",
        ok.map((r) => r.tg_throughput),
        completionSources
      )
    );
    out.push(
      perRequest(
        "throughput",
        "tg",
        "peak",
        ok.map((r) => r.peak_throughput),
        []
      )
    );
  } else {
    out.push(
      perBatch(
        "throughput",
        "pp",
        "mean",
        batches.map((b) => b.pp),
        promptSources
      )
    );
    out.push(
      perRequest(
        "throughput_per_request",
        "pp",
        "mean",
        ok.map((r) => r.pp_throughput),
        promptSources
      )
    );
    out.push(
      perBatch(
        "throughput",
        "tg",
        "mean",
        batches.map((b) => b.tg),
        completionSources
      )
    );
    out.push(
      perRequest(
        "throughput_per_request",
        "tg",
        "mean",
        ok.map((r) => r.tg_throughput),
        completionSources
      )
    );
    out.push(
      perBatch(
        "throughput",
        "tg",
        "peak",
        batches.map((b) => b.peak),
        []
      )
    );
    out.push(
      perRequest(
        "throughput_per_request",
        "tg",
        "peak",
        ok.map((r) => r.peak_throughput),
        []
      )
    );
  }
  out.push(
    perRequest(
      "ttfr",
      "pp",
      "mean",
      ok.map((r) => r.ttfr_ms),
      [],
      "ms"
    )
  );
  out.push(
    perRequest(
      "est_ppt",
      "pp",
      "mean",
      ok.map((r) => r.est_ppt_ms),
      [],
      "ms"
    )
  );
  out.push(
    perRequest(
      "e2e_ttft",
      "pp",
      "mean",
      ok.map((r) => r.e2e_ttft_ms),
      [],
      "ms"
    )
  );
  return out.filter((a) => a.values.length > 0);
}

/** A URL without user:password. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = "";
      parsed.password = "";
    }
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return url;
  }
}
