import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {
  batchFigures,
  completionTokens,
  promptTokens,
  requestFigures,
  tokensAfterFirst
} from "../../../scripts/bench/endpoint/measure.js";
import type {StreamResult} from "../../../scripts/bench/endpoint/request.js";
import {fixtureText} from "../../helpers/fixtures.js";

/** The usage/timings chunk of a real llama-server stream (test/fixtures/captured/cpu), parsed from its own line. */
function realFinalChunk(): {usage: Record<string, unknown>; timings: Record<string, number>} {
  const line = fixtureText("captured/cpu/llama-server-chat-stream.sse")
    .split("\n")
    .find((l) => l.includes('"timings"'))!;
  return JSON.parse(line.slice("data: ".length)) as {usage: Record<string, unknown>; timings: Record<string, number>};
}

function result(partial: Partial<StreamResult>): StreamResult {
  return {
    status: "ok",
    error: null,
    http_status: 200,
    error_body: null,
    sent_at: 0,
    headers_ms: 1,
    first_byte_ms: 100,
    first_event_ms: 100,
    first_content_ms: 120,
    last_content_ms: 420,
    end_ms: 425,
    content_times_ms: Array.from({length: 16}, (_, i) => 120 + i * 20),
    content_reads: 16,
    usage: null,
    timings: null,
    finish_reason: "length",
    saw_done: true,
    invalid_events: 0,
    system_fingerprint: null,
    ...partial
  };
}

describe("token counts: server-reported first", () => {
  const real = realFinalChunk();
  const sent = {value: 40, source: "client:tokenizer" as const};

  it("prompt tokens: llama-server timings.prompt_n (cached tokens excluded)", () => {
    assert.deepEqual(promptTokens({usage: real.usage, timings: real.timings}, sent), {
      value: real.timings.prompt_n,
      source: "server:timings.prompt_n"
    });
    assert.equal(real.timings.prompt_n, 23); // as printed in the fixture
  });

  it("prompt tokens: usage.prompt_tokens minus cached_tokens, then usage.prompt_tokens, then the client's count", () => {
    assert.deepEqual(promptTokens({usage: real.usage, timings: null}, sent), {
      value: 33 - 10,
      source: "server:usage.prompt_tokens-cached_tokens"
    });
    assert.deepEqual(promptTokens({usage: {prompt_tokens: 33}, timings: null}, sent), {
      value: 33,
      source: "server:usage.prompt_tokens"
    });
    assert.deepEqual(promptTokens({usage: null, timings: null}, sent), sent);
  });

  it("generated tokens: usage.completion_tokens, then timings.predicted_n, then content events", () => {
    const events = {content_times_ms: [1, 2, 3]};
    assert.deepEqual(completionTokens({...events, usage: real.usage, timings: real.timings}), {
      value: 16,
      source: "server:usage.completion_tokens"
    });
    assert.deepEqual(completionTokens({...events, usage: null, timings: {predicted_n: 12}}), {
      value: 12,
      source: "server:timings.predicted_n"
    });
    assert.deepEqual(completionTokens({...events, usage: {}, timings: null}), {
      value: 3,
      source: "client:content-events"
    });
  });
});

describe("per-request figures", () => {
  it("est_ppt = ttfr − latency; pp = prompt tokens / est_ppt; tg = (tokens − 1) / (last − first)", () => {
    const figures = requestFigures(result({usage: {prompt_tokens: 400, completion_tokens: 16}}), 20, {
      value: null,
      source: null
    });
    assert.equal(figures.ttfr_ms, 100);
    assert.equal(figures.e2e_ttft_ms, 120);
    assert.equal(figures.est_ppt_ms, 80);
    assert.equal(figures.pp_throughput, 400 / 0.08);
    assert.equal(figures.tg_throughput, 15 / 0.3);
    // 16 events, 20 ms apart, over 300 ms: less than a window, so 16 / 0.3 s.
    assert.equal(figures.peak_throughput, 16 / 0.3);
  });

  it("leaves pp undefined when the latency estimate is not below ttfr, and keeps est_ppt as measured", () => {
    const figures = requestFigures(result({usage: {prompt_tokens: 400, completion_tokens: 16}}), 130, {
      value: null,
      source: null
    });
    assert.equal(figures.est_ppt_ms, -30);
    assert.equal(figures.pp_throughput, null);
  });

  it("counts the first event's share of tokens when a server sends several tokens per event", () => {
    // 16 tokens in 8 events: the first event carried 2, so 14 tokens arrived over the span.
    assert.equal(tokensAfterFirst(16, 8), 14);
    assert.equal(tokensAfterFirst(16, 16), 15);
    const figures = requestFigures(
      result({
        usage: {completion_tokens: 16},
        content_times_ms: [120, 160, 200, 240, 280, 320, 360, 400],
        last_content_ms: 400
      }),
      0,
      {value: null, source: null}
    );
    assert.equal(figures.tg_throughput, 14 / 0.28);
  });
});

describe("batch figures (concurrent requests)", () => {
  it("pp total = Σ prompt tokens / (latest first token − earliest send); tg total = Σ tokens after the first / (latest last − earliest first)", () => {
    const a = result({usage: {prompt_tokens: 100, completion_tokens: 16}});
    const b = result({
      usage: {prompt_tokens: 300, completion_tokens: 16},
      first_content_ms: 150,
      last_content_ms: 450,
      content_times_ms: Array.from({length: 16}, (_, i) => 150 + i * 20)
    });
    const members = [
      {offset_ms: 0, result: a, figures: requestFigures(a, 0, {value: null, source: null})},
      {offset_ms: 10, result: b, figures: requestFigures(b, 0, {value: null, source: null})}
    ];
    const batch = batchFigures(members);
    // first contents at 120 and 10+150=160; sends at 0 and 10.
    assert.equal(batch.pp_throughput, 400 / 0.16);
    // lasts at 420 and 460; firsts at 120 and 160.
    assert.equal(batch.tg_throughput, 30 / 0.34);
    assert.deepEqual(batch.prompt_sources, ["server:usage.prompt_tokens"]);
    assert.deepEqual(batch.completion_sources, ["server:usage.completion_tokens"]);
  });

  it("leaves failed requests out", () => {
    const ok = result({usage: {prompt_tokens: 100, completion_tokens: 16}});
    const failed = result({status: "error", error: "HTTP 400", first_content_ms: null, content_times_ms: []});
    const batch = batchFigures([
      {offset_ms: 0, result: ok, figures: requestFigures(ok, 0, {value: null, source: null})},
      {offset_ms: 0, result: failed, figures: requestFigures(failed, 0, {value: null, source: null})}
    ]);
    assert.equal(batch.pp_throughput, 100 / 0.12);
  });
});
