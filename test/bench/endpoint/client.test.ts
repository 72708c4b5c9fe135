/**
 * The endpoint client end to end against the local streaming server (test/helpers/streaming-server.ts):
 * figures against the server's known schedule and its recorded send times,
 * concurrency, token-count sources, cache avoidance, prompt adaptation,
 * failures (HTTP 400, hangs, set-up), and the cell's limits.
 *
 * Tolerances are scheduling-jitter bounds (client and server share one event
 * loop; see request.test.ts): one event may be read up to JITTER_MS after it
 * was written, so a rate over a span S is off by at most JITTER_MS / S; the
 * median error over several requests is held to 2%. (On a machine whose CPUs
 * are oversubscribed many times over, a read can be later than any such bound.)
 */
import assert from "node:assert/strict";
import {after, describe, it} from "node:test";
import {runEndpointBenchmark, testNames} from "../../../scripts/bench/endpoint/client.js";
import {endpointParams, type EndpointParamsInput} from "../../../scripts/bench/endpoint/config.js";
import type {AggregateRecord, EndpointResultFile, RequestRecord} from "../../../scripts/bench/endpoint/result-file.js";
import {fixtureText} from "../../helpers/fixtures.js";
import {
  type ScriptFor,
  type SendRecord,
  startStreamingServer,
  TEMPLATE_TOKENS_PER_MESSAGE
} from "../../helpers/streaming-server.js";

/** Delivery delay bound for one event (write → read), ms: a scheduling hiccup on a busy machine. */
const JITTER_MS = 50;

/** The generation rate the server really sent at: tokens after the first event over first → last event. */
function sentRate(records: SendRecord[]): number {
  const first = Math.min(...records.map((r) => r.events[0]));
  const last = Math.max(...records.map((r) => r.events.at(-1)!));
  const tokens = records.reduce((n, r) => n + r.eventTokens.reduce((a, b) => a + b, 0) - r.eventTokens[0], 0);
  return tokens / ((last - first) / 1000);
}

async function bench(
  script: ScriptFor,
  input: Omit<EndpointParamsInput, "base_url">,
  serverOptions: {tokenize?: boolean | "vllm"} = {}
) {
  const server = await startStreamingServer(script, serverOptions);
  after(() => server.close());
  const file = await runEndpointBenchmark(
    endpointParams({base_url: server.base, warmup: false, latency_mode: "none", ...input})
  );
  return {file, server};
}

/** Measured requests (not warmup or probes): those whose text carries a nonce that a result request recorded. */
function recordOf(server: {records: SendRecord[]}, request: RequestRecord): SendRecord {
  const found = server.records.find((r) => JSON.stringify(r.body).includes(request.nonce));
  assert.ok(found, `no server record for request ${request.request}`);
  return found;
}

const agg = (
  file: EndpointResultFile,
  test_id: number,
  metric: string,
  kind: string,
  stat = "mean"
): AggregateRecord => {
  const found = file.aggregates.find(
    (a) => a.test_id === test_id && a.metric === metric && a.kind === kind && a.stat === stat
  );
  assert.ok(found, `no aggregate ${metric}/${kind}/${stat} for test ${test_id}`);
  return found;
};

const within = (actual: number, expected: number, relative: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= relative * expected,
    `${what}: ${actual} vs ${expected} (±${(relative * 100).toFixed(1)}%)`
  );

/** A rate over a span of `spanMs` is off by at most one delivery delay over the span. */
const rateTolerance = (spanMs: number) => JITTER_MS / spanMs;
const spanOf = (records: SendRecord[]) =>
  Math.max(...records.map((r) => r.events.at(-1)!)) - Math.min(...records.map((r) => r.events[0]));
const relativeError = (actual: number, expected: number) => Math.abs(actual - expected) / expected;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

describe("endpoint client: timing against a server with known timing", async () => {
  // 25 tokens at 50 tok/s: 480 ms between first and last token; first event at 80 ms, first token at 120 ms.
  const {file, server} = await bench(
    {firstEventAfterMs: 80, firstTokenAfterMs: 120, tokens: 25, tokensPerSecond: 50, timings: true},
    {depths: [0], pp: [32], tg: [25], runs: 2}
  );

  it("records one ok test with two requests", () => {
    assert.equal(file.status, "ok");
    assert.deepEqual(
      file.tests.map((t) => [t.pp_test, t.tg_test, t.status, t.requests_ok]),
      [["pp32", "tg25", "ok", 2]]
    );
    assert.equal(file.requests.length, 2);
  });

  it("ttfr and e2e_ttft: not before the scheduled time, and within jitter of the server's own send times", () => {
    for (const r of file.requests) {
      const record = recordOf(server, r);
      assert.ok(r.ttfr_ms! >= 80, `ttfr ${r.ttfr_ms}`);
      assert.ok(r.e2e_ttft_ms! >= 120, `e2e_ttft ${r.e2e_ttft_ms}`);
      // The server's times are from when the request body arrived; the client's from just before sending.
      const serverTtfr = record.firstEvent! - record.arrived;
      const serverTtft = record.events[0] - record.arrived;
      assert.ok(
        r.ttfr_ms! - serverTtfr >= 0 && r.ttfr_ms! - serverTtfr <= JITTER_MS,
        `ttfr ${r.ttfr_ms} vs sent at ${serverTtfr}`
      );
      assert.ok(
        r.e2e_ttft_ms! - serverTtft >= 0 && r.e2e_ttft_ms! - serverTtft <= JITTER_MS,
        `e2e_ttft ${r.e2e_ttft_ms} vs sent at ${serverTtft}`
      );
      // latency_mode none: est_ppt is ttfr itself.
      assert.equal(r.est_ppt_ms, r.ttfr_ms);
    }
  });

  it("generation rate and peak: within jitter of what the server actually sent (50 tok/s scheduled)", () => {
    for (const r of file.requests) {
      const record = recordOf(server, r);
      // Not against the schedule: a server timer that fires late sends the overdue tokens at once.
      within(r.tg_throughput!, sentRate([record]), rateTolerance(spanOf([record])), "tg vs sent");
      // 25 tokens within about 480 ms (< 1 s): the peak is tokens / span.
      within(r.peak_throughput!, 25 / (spanOf([record]) / 1000), rateTolerance(spanOf([record])), "peak");
    }
    // Typically (not every request on a loaded machine) far closer than the bound.
    assert.ok(
      median(file.requests.map((r) => relativeError(r.tg_throughput!, sentRate([recordOf(server, r)])))) <= 0.02
    );
    const tg = agg(file, 0, "throughput", "tg");
    assert.equal(tg.per, "request");
    assert.deepEqual(
      tg.values,
      file.requests.map((r) => r.tg_throughput)
    );
  });

  it("pp rate: server-processed prompt tokens over est_ppt", () => {
    for (const r of file.requests) {
      const record = recordOf(server, r);
      assert.equal(r.prompt_tokens, record.promptTokens);
      assert.equal(r.prompt_tokens_source, "server:timings.prompt_n");
      assert.equal(r.pp_throughput, r.prompt_tokens! / (r.est_ppt_ms! / 1000));
    }
  });

  it("aggregates: mean and population std over the requests", () => {
    const ttfr = agg(file, 0, "ttfr", "pp");
    const values = file.requests.map((r) => r.ttfr_ms!);
    const m = (values[0] + values[1]) / 2;
    assert.equal(ttfr.value, m);
    assert.equal(ttfr.stddev, Math.abs(values[0] - values[1]) / 2);
    assert.equal(ttfr.stddev_kind, "population");
    assert.equal(ttfr.unit, "ms");
  });
});

describe("endpoint client: concurrency", async () => {
  // Three requests at once, each streaming 20 tokens at 40 tok/s: together 120 tok/s.
  const {file, server} = await bench(
    {firstEventAfterMs: 40, firstTokenAfterMs: 60, tokens: 20, tokensPerSecond: 40},
    {depths: [0], pp: [16], tg: [20], concurrency: [1, 3], runs: 2}
  );

  it("sends each batch's requests together", () => {
    const batch = file.requests.filter((r) => r.test_id === 1 && r.repetition === 0);
    assert.equal(batch.length, 3);
    assert.ok(
      batch.every((r) => r.offset_ms >= 0 && r.offset_ms < JITTER_MS),
      `offsets ${batch.map((r) => r.offset_ms)}`
    );
    const arrivals = batch.map((r) => recordOf(server, r).arrived);
    assert.ok(Math.max(...arrivals) - Math.min(...arrivals) < JITTER_MS);
  });

  it("names tests as the plan does: (cN) only above 1", () => {
    assert.deepEqual(
      file.tests.map((t) => t.pp_test),
      ["pp16", "pp16 (c3)"]
    );
    assert.deepEqual(testNames(2048, 32, 8192, 4), {pp_test: "pp2048 @ d8192 (c4)", tg_test: "tg32 @ d8192 (c4)"});
  });

  it("c3: total generation rate ≈ what the three streams sent together (≈ 120 tok/s), per request ≈ each stream's", () => {
    const total = agg(file, 1, "throughput", "tg");
    const perRequest = agg(file, 1, "throughput_per_request", "tg");
    assert.equal(total.per, "repetition");
    assert.equal(total.values.length, 2);
    assert.equal(perRequest.per, "request");
    assert.equal(perRequest.values.length, 6);
    for (const repetition of [0, 1]) {
      const batch = file.requests.filter((r) => r.test_id === 1 && r.repetition === repetition);
      const records = batch.map((r) => recordOf(server, r));
      within(
        total.values[repetition],
        sentRate(records),
        rateTolerance(spanOf(records)),
        `total, repetition ${repetition}`
      );
      for (const r of batch)
        within(
          r.tg_throughput!,
          sentRate([recordOf(server, r)]),
          rateTolerance(spanOf([recordOf(server, r)])),
          `request ${r.request}`
        );
    }
    const errors = file.requests
      .filter((r) => r.test_id === 1)
      .map((r) => relativeError(r.tg_throughput!, sentRate([recordOf(server, r)])));
    assert.ok(median(errors) <= 0.02, `median error ${median(errors)}`);
    assert.ok(total.value! > 2.5 * perRequest.value!, `total ${total.value} vs per request ${perRequest.value}`);
    // c1 has no per-request variant: its figures are per request already.
    assert.ok(!file.aggregates.some((a) => a.test_id === 0 && a.metric === "throughput_per_request"));
  });

  it("c3: the peak of a batch counts the tokens of all its requests (60 within less than 1 s: tokens / span)", () => {
    const peak = agg(file, 1, "throughput", "tg", "peak");
    peak.values.forEach((value, repetition) => {
      const events = file.requests
        .filter((r) => r.test_id === 1 && r.repetition === repetition)
        .flatMap((r) => recordOf(server, r).events);
      const span = Math.max(...events) - Math.min(...events);
      within(value, 60 / (span / 1000), rateTolerance(span), `batch peak, repetition ${repetition}`);
    });
  });
});

describe("endpoint client: server-reported token counts first, and which one was used", () => {
  it("usage.completion_tokens over client counting, also when the stream batches tokens", async () => {
    const {file, server} = await bench(
      {firstTokenAfterMs: 20, tokens: 16, tokensPerEvent: 2, tokensPerSecond: 50},
      {depths: [0], pp: [8], tg: [16], runs: 1}
    );
    const [r] = file.requests;
    assert.equal(r.content_events, 8);
    assert.equal(r.completion_tokens, 16);
    assert.equal(r.completion_tokens_source, "server:usage.completion_tokens");
    // 16 tokens in 8 events 40 ms apart: 14 tokens over 280 ms after the first event (50 tok/s).
    within(r.tg_throughput!, sentRate([recordOf(server, r)]), rateTolerance(spanOf([recordOf(server, r)])), "tg");
  });

  it("a server count that differs from the stream is the one used", async () => {
    const {file} = await bench(
      {firstTokenAfterMs: 20, tokens: 16, tokensPerSecond: 100, reportedCompletionTokens: 20},
      {depths: [0], pp: [8], tg: [16], runs: 1}
    );
    const [r] = file.requests;
    assert.equal(r.content_events, 16);
    assert.equal(r.completion_tokens, 20);
  });

  it("no usage, no timings: the client's counts, said so", async () => {
    const {file} = await bench(
      {firstTokenAfterMs: 20, tokens: 12, tokensPerSecond: 100, usage: false},
      {depths: [0], pp: [8], tg: [12], runs: 1, adapt_prompt: false}
    );
    const [r] = file.requests;
    assert.equal(r.completion_tokens, 12);
    assert.equal(r.completion_tokens_source, "client:content-events");
    assert.equal(r.prompt_tokens, 8);
    assert.equal(r.prompt_tokens_source, "client:tokenizer");
    assert.deepEqual(agg(file, 0, "throughput", "tg").token_sources, ["client:content-events"]);
  });

  it("cached prompt tokens are not counted as processed", async () => {
    const {file, server} = await bench(
      {firstTokenAfterMs: 20, tokens: 4, tokensPerSecond: 100, cachedTokens: 3},
      {depths: [0], pp: [8], tg: [4], runs: 1}
    );
    const [r] = file.requests;
    assert.equal(r.prompt_tokens, recordOf(server, r).promptTokens - 3);
    assert.equal(r.prompt_tokens_source, "server:usage.prompt_tokens-cached_tokens");
  });
});

describe("endpoint client: contexts no cache has seen, of the requested size", async () => {
  const {file, server} = await bench(
    {firstTokenAfterMs: 5, tokens: 2, tokensPerSecond: 500},
    {depths: [0, 64], pp: [32], tg: [2], concurrency: [2], runs: 2, warmup: true}
  );

  it("every request's text differs from its first word on", () => {
    const measured = file.requests.map((r) => recordOf(server, r));
    const firstTexts = measured.map((rec) => String((rec.body.messages as Array<{content: string}>)[0].content));
    const firstWords = firstTexts.map((t) => t.split(" ")[0]);
    assert.equal(new Set(firstWords).size, measured.length, "nonces repeat");
    file.requests.forEach((r, i) => assert.equal(firstWords[i], r.nonce));
  });

  it("with the server's tokenizer and the template adaptation, the server processes exactly pp + depth tokens", () => {
    assert.equal(file.method.token_counting.method, "server-tokenizer");
    assert.deepEqual(
      [
        file.method.prompt_adaptation.enabled,
        file.method.prompt_adaptation.user_overhead_tokens,
        file.method.prompt_adaptation.context_overhead_tokens
      ],
      [true, TEMPLATE_TOKENS_PER_MESSAGE, 2 * TEMPLATE_TOKENS_PER_MESSAGE]
    );
    for (const r of file.requests) {
      const test = file.tests[r.test_id];
      assert.equal(
        recordOf(server, r).promptTokens,
        test.n_prompt + test.n_depth,
        `request ${r.request} at depth ${test.n_depth}`
      );
    }
  });

  it("the warmup and probe requests are not results", () => {
    assert.equal(file.requests.length, 8);
    assert.ok(server.records.length > 8);
    assert.ok(file.method.notes.some((n) => n.startsWith("one warmup request")));
  });
});

describe("endpoint client: vLLM's tokenizer endpoints", () => {
  it("are found when llama-server's shape is refused, and give exact sizes too", async () => {
    const {file, server} = await bench(
      {firstTokenAfterMs: 5, tokens: 2, tokensPerSecond: 500},
      {depths: [0, 48], pp: [24], tg: [2], runs: 1},
      {tokenize: "vllm"}
    );
    assert.deepEqual(file.method.token_counting, {
      method: "server-tokenizer",
      detail: "vllm POST /tokenize, /detokenize"
    });
    for (const r of file.requests) {
      const test = file.tests[r.test_id];
      assert.equal(recordOf(server, r).promptTokens, test.n_prompt + test.n_depth);
    }
  });
});

describe("endpoint client: without a tokenizer endpoint, probe calibration", () => {
  it("calibrates tokens per word from usage and still lands on pp + depth", async () => {
    const {file, server} = await bench(
      {firstTokenAfterMs: 5, tokens: 2, tokensPerSecond: 500},
      {depths: [0, 100], pp: [40], tg: [2], runs: 1},
      {tokenize: false}
    );
    const counting = file.method.token_counting;
    assert.equal(counting.method, "probe-calibrated");
    assert.equal(counting.tokens_per_word, 1); // the test server's tokenizer is one token per word
    assert.equal(counting.overhead_tokens, TEMPLATE_TOKENS_PER_MESSAGE);
    for (const r of file.requests) {
      const test = file.tests[r.test_id];
      assert.equal(r.sent_tokens_source, "client:estimate");
      assert.equal(recordOf(server, r).promptTokens, test.n_prompt + test.n_depth);
    }
  });
});

describe("endpoint client: failures", () => {
  it("HTTP 400 (exceed_context_size_error) at a depth: that test fails with the server's message, the others run", async () => {
    const body = fixtureText("captured/cpu/llama-server-ctx256-exceeded.json");
    const printed = (JSON.parse(body) as {error: {message: string}}).error.message;
    const script: ScriptFor = (request) =>
      JSON.stringify(request).length > 1500
        ? {status: 400, errorBody: body}
        : {firstTokenAfterMs: 5, tokens: 3, tokensPerSecond: 500};
    const {file} = await bench(script, {depths: [0, 512], pp: [16], tg: [3], runs: 2});
    assert.equal(file.status, "error");
    assert.deepEqual(
      file.tests.map((t) => t.status),
      ["ok", "error"]
    );
    assert.equal(file.tests[1].status_detail, `HTTP 400: ${printed}`);
    assert.equal(file.status_detail, `HTTP 400: ${printed}`);
    assert.deepEqual(
      file.requests.filter((r) => r.test_id === 1).map((r) => [r.status, r.http_status]),
      [
        ["error", 400],
        ["error", 400]
      ]
    );
    assert.ok(!file.aggregates.some((a) => a.test_id === 1));
  });

  it("some requests of a test fail: the figures come from the others, and the detail says how many failed", async () => {
    let n = 0;
    const {file} = await bench(
      () =>
        n++ % 2 === 1
          ? {status: 500, errorBody: '{"error":{"message":"slot unavailable"}}'}
          : {firstTokenAfterMs: 5, tokens: 3, tokensPerSecond: 500},
      {depths: [0], pp: [8], tg: [3], runs: 2, adapt_prompt: false}
    );
    const [test] = file.tests;
    assert.equal(test.status, "ok");
    assert.equal(test.requests_failed, 1);
    assert.match(test.status_detail!, /^1 of 2 requests failed; first: HTTP 500: slot unavailable$/);
    assert.equal(agg(file, 0, "ttfr", "pp").values.length, 1);
  });

  it("a server that hangs at one depth: that test times out, the others run", async () => {
    const script: ScriptFor = (request) =>
      JSON.stringify(request).length > 1500
        ? {firstEventAfterMs: 5, hang: "stream"}
        : {firstTokenAfterMs: 5, tokens: 3, tokensPerSecond: 500};
    const {file} = await bench(script, {depths: [0, 512, 0 + 1], pp: [16], tg: [3], runs: 1, request_timeout_s: 0.3});
    assert.deepEqual(
      file.tests.map((t) => t.status),
      ["ok", "timeout", "ok"]
    );
    assert.equal(file.tests[1].status_detail, "no complete response within 0.3 s");
    assert.equal(file.status, "timeout");
  });

  it("a stream with no content is a failed request", async () => {
    const {file} = await bench({firstTokenAfterMs: 5, tokens: 0}, {depths: [0], pp: [8], tg: [3], runs: 1});
    assert.equal(file.tests[0].status, "error");
    assert.equal(file.tests[0].status_detail, "the stream ended without any content token");
  });

  it("set-up fails (no model list): every test fails with the reason", async () => {
    const file = await runEndpointBenchmark(
      endpointParams({base_url: "http://127.0.0.1:9/v1", warmup: false, depths: [0, 8], pp: [8], tg: [2], runs: 1})
    );
    assert.equal(file.status, "error");
    assert.ok(
      file.tests.every((t) => t.status === "error" && /^setting up the benchmark failed: /.test(t.status_detail!)),
      JSON.stringify(file.tests)
    );
    assert.equal(file.requests.length, 0);
  });

  it("the cell's time limit: tests not yet run become timeouts", async () => {
    const deadline = new AbortController();
    const server = await startStreamingServer({firstTokenAfterMs: 5, tokens: 2, tokensPerSecond: 500});
    after(() => server.close());
    let sent = 0;
    const file = await runEndpointBenchmark(
      endpointParams({
        base_url: server.base,
        warmup: false,
        latency_mode: "none",
        depths: [0, 8, 16],
        pp: [8],
        tg: [2],
        runs: 1
      }),
      {
        deadline: deadline.signal,
        progress: (message) => {
          if (message.includes("run 1/1") && ++sent === 2) deadline.abort(new DOMException("time", "TimeoutError"));
        }
      }
    );
    assert.deepEqual(
      file.tests.map((t) => t.status),
      ["ok", "timeout", "timeout"]
    );
    assert.equal(file.tests[2].status_detail, "the cell's time limit was reached");
  });

  it("Ctrl-C: stops sending; unfinished tests are 'interrupted'", async () => {
    const interrupt = new AbortController();
    const server = await startStreamingServer({firstTokenAfterMs: 5, tokens: 2, tokensPerSecond: 500});
    after(() => server.close());
    const file = await runEndpointBenchmark(
      endpointParams({
        base_url: server.base,
        warmup: false,
        latency_mode: "none",
        depths: [0, 8],
        pp: [8],
        tg: [2],
        runs: 1
      }),
      {
        interrupt: interrupt.signal,
        progress: (message) => {
          if (message.startsWith("pp8 @ d8")) interrupt.abort();
        }
      }
    );
    assert.deepEqual(
      file.tests.map((t) => [t.status, t.status_detail]),
      [
        ["ok", null],
        ["error", "interrupted"]
      ]
    );
  });
});

describe("endpoint client: latency modes", () => {
  it("api: the mean of three GET /models; est_ppt = ttfr − latency", async () => {
    const {file} = await bench(
      {firstEventAfterMs: 30, firstTokenAfterMs: 40, tokens: 3, tokensPerSecond: 500},
      {depths: [0], pp: [8], tg: [3], runs: 2, latency_mode: "api"}
    );
    assert.equal(file.method.latency_samples_ms.length, 3);
    assert.equal(file.method.latency_ms, file.method.latency_samples_ms.reduce((a, b) => a + b, 0) / 3);
    for (const r of file.requests) assert.equal(r.est_ppt_ms, r.ttfr_ms! - file.method.latency_ms);
  });

  it("generation: time to the first byte of three 1-token requests", async () => {
    const {file} = await bench(
      {firstEventAfterMs: 30, firstTokenAfterMs: 40, tokens: 1, tokensPerSecond: 500},
      {depths: [0], pp: [8], tg: [1], runs: 1, latency_mode: "generation"}
    );
    assert.equal(file.method.latency_samples_ms.length, 3);
    assert.ok(
      file.method.latency_samples_ms.every((ms) => ms >= 30),
      `${file.method.latency_samples_ms}`
    );
  });
});

describe("endpoint client: request body", () => {
  it("chat: system context + user prompt, max_tokens, stream with usage, ignore_eos, extra body; completions: one prompt", async () => {
    const {file, server} = await bench(
      {firstTokenAfterMs: 5, tokens: 2, tokensPerSecond: 500},
      {depths: [16], pp: [8], tg: [2], runs: 1, no_cache: true, extra_body: {temperature: 0}}
    );
    const body = recordOf(server, file.requests[0]).body;
    assert.deepEqual(Object.keys(body).sort(), [
      "cache_prompt",
      "ignore_eos",
      "max_tokens",
      "messages",
      "model",
      "stream",
      "stream_options",
      "temperature"
    ]);
    assert.deepEqual(
      (body.messages as Array<{role: string}>).map((m) => m.role),
      ["system", "user"]
    );
    assert.equal(body.model, "test-model");
    assert.equal(body.max_tokens, 2);
    assert.deepEqual(body.stream_options, {include_usage: true});
    assert.deepEqual(file.request_settings, {
      api: "chat",
      model: "test-model",
      stream: true,
      stream_options: {include_usage: true},
      ignore_eos: true,
      cache_prompt: false,
      temperature: 0
    });
    const completions = await bench(
      {firstTokenAfterMs: 5, tokens: 2, tokensPerSecond: 500},
      {api: "completions", depths: [16], pp: [8], tg: [2], runs: 1}
    );
    const prompt = recordOf(completions.server, completions.file.requests[0]).body.prompt;
    assert.equal(typeof prompt, "string");
    assert.equal(completions.file.requests[0].status, "ok");
  });
});
