/**
 * One streaming request: SSE parsing (split events, the real llama-server
 * stream), timing against a server whose send times are recorded on the same
 * clock, and failures (HTTP errors with the server's body, error events,
 * hangs).
 *
 * Tolerances are scheduling-jitter bounds, not accuracy claims: client and
 * server share one Node event loop here, so an event is read at the earliest
 * on the loop turn after it was written; under a loaded CI machine a turn can
 * take several milliseconds.
 */
import assert from "node:assert/strict";
import {createServer, type Server} from "node:http";
import type {AddressInfo} from "node:net";
import {after, describe, it} from "node:test";
import {streamRequest} from "../../../scripts/bench/endpoint/request.js";
import {readEvents} from "../../../scripts/bench/endpoint/sse.js";
import {fixtureText} from "../../helpers/fixtures.js";
import {startStreamingServer} from "../../helpers/streaming-server.js";

/**
 * Delivery delay bounds (write → read), ms. One event may meet a busy
 * machine's scheduling hiccup (JITTER_MS); the median over a stream's events
 * is held tighter (MEDIAN_JITTER_MS).
 */
const JITTER_MS = 50;
const MEDIAN_JITTER_MS = 10;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    }
  });
}

/** A raw HTTP server answering every POST with fixed bytes (a captured response), for replaying real streams. */
async function rawServer(
  status: number,
  headers: Record<string, string>,
  body: string | ((write: (s: string) => void, end: () => void) => void)
): Promise<{url: string; server: Server}> {
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      response.writeHead(status, headers);
      if (typeof body === "string") response.end(body);
      else
        body(
          (s) => response.write(s),
          () => response.end()
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`, server};
}

const chat = (content: string, maxTokens = 8) => ({
  messages: [{role: "user", content}],
  max_tokens: maxTokens,
  stream: true,
  stream_options: {include_usage: true}
});

describe("SSE parsing", () => {
  it("joins an event split across network chunks, including between its two newlines", async () => {
    const events: string[] = [];
    await readEvents(streamOf(['data: {"a"', ":1}\n", '\ndata: {"b":2}\r\n\r\nda', "ta: [DO", "NE]\n\n"]), (e) =>
      events.push(e.data)
    );
    assert.deepEqual(events, ['{"a":1}', '{"b":2}', "[DONE]"]);
  });

  it("keeps a last event that the stream ends without its blank line", async () => {
    const events: string[] = [];
    await readEvents(streamOf(['data: {"a":1}\n\n', "data: [DONE]"]), (e) => events.push(e.data));
    assert.deepEqual(events, ['{"a":1}', "[DONE]"]);
  });

  it("ignores comments and keeps multi-line data together", async () => {
    const events: string[] = [];
    await readEvents(streamOf([": keep-alive\n\n", "data: line one\ndata: line two\n\n"]), (e) => events.push(e.data));
    assert.deepEqual(events, ["line one\nline two"]);
  });

  it("stamps an event with the arrival of the chunk that completed it", async () => {
    const server = await startStreamingServer({
      firstEventAfterMs: 20,
      firstTokenAfterMs: 40,
      tokens: 6,
      tokensPerSecond: 100,
      splitEvents: true
    });
    after(() => server.close());
    const result = await streamRequest({
      url: `${server.base}/chat/completions`,
      headers: {},
      api: "chat",
      timeoutMs: 10_000,
      body: chat("split")
    });
    assert.equal(result.status, "ok");
    assert.equal(result.content_times_ms.length, 6);
    const [record] = server.records;
    // Each event is written in 4 pieces with ~2 ms pauses: it is complete only when its last piece arrives.
    const delays = record.events.map((firstPiece, i) => {
      const arrival = result.sent_at + result.content_times_ms[i];
      const lastPiece = record.eventsDone[i];
      assert.ok(lastPiece - firstPiece >= 4, `event ${i} was written over ${lastPiece - firstPiece} ms`);
      assert.ok(arrival >= lastPiece, `event ${i} stamped ${lastPiece - arrival} ms before its last piece was written`);
      assert.ok(arrival <= lastPiece + JITTER_MS, `event ${i} stamped ${arrival - lastPiece} ms after its last piece`);
      return arrival - lastPiece;
    });
    assert.ok(median(delays) <= MEDIAN_JITTER_MS, `median ${median(delays)} ms after the last piece`);
    assert.deepEqual(result.usage, {
      completion_tokens: 6,
      prompt_tokens: record.promptTokens,
      total_tokens: 6 + record.promptTokens,
      prompt_tokens_details: {cached_tokens: 0}
    });
  });
});

describe("streamRequest timing", () => {
  it("measures first event, first and last token and every token within jitter of when the server wrote them", async () => {
    const server = await startStreamingServer({
      headersAfterMs: 10,
      firstEventAfterMs: 60,
      firstTokenAfterMs: 90,
      tokens: 20,
      tokensPerSecond: 50
    });
    after(() => server.close());
    const result = await streamRequest({
      url: `${server.base}/chat/completions`,
      headers: {},
      api: "chat",
      timeoutMs: 10_000,
      body: chat("timing", 20)
    });
    const [record] = server.records;
    assert.equal(result.status, "ok");
    const delay = (clientRelative: number | null, serverAbsolute: number | null) =>
      result.sent_at + clientRelative! - serverAbsolute!;
    for (const [name, d] of [
      ["headers", delay(result.headers_ms, record.headers)],
      ["first event", delay(result.first_event_ms, record.firstEvent)],
      ["first token", delay(result.first_content_ms, record.events[0])],
      ["last token", delay(result.last_content_ms, record.events.at(-1)!)]
    ] as const) {
      assert.ok(d >= 0 && d <= JITTER_MS, `${name}: read ${d.toFixed(3)} ms after it was written`);
    }
    const delays = result.content_times_ms.map((t, i) => result.sent_at + t - record.events[i]);
    delays.forEach((d, i) =>
      assert.ok(d >= 0 && d <= JITTER_MS, `token ${i}: read ${d.toFixed(3)} ms after it was written`)
    );
    assert.ok(median(delays) <= MEDIAN_JITTER_MS, `median delay ${median(delays)} ms`);
    // Against the script: never before the scheduled time (a busy machine may make the server itself late).
    assert.ok(result.first_event_ms! >= 60, `ttfr ${result.first_event_ms}`);
    assert.ok(result.first_content_ms! >= 90, `first token ${result.first_content_ms}`);
    assert.equal(result.finish_reason, "length");
    assert.equal(result.saw_done, true);
    assert.ok(result.content_reads >= 10, `tokens 20 ms apart came in only ${result.content_reads} reads`);
  });

  it("reads the real llama-server stream (captured bytes): content events, usage and timings verbatim", async () => {
    const sse = fixtureText("captured/cpu/llama-server-chat-stream.sse");
    const {url, server} = await rawServer(200, {"content-type": "text/event-stream"}, sse);
    after(() => server.close());
    const result = await streamRequest({url, headers: {}, api: "chat", timeoutMs: 10_000, body: chat("replay")});
    // Oracle: the fixture's own lines.
    const dataLines = sse.split("\n").filter((l) => l.startsWith("data: {"));
    const contentLines = dataLines.filter((l) => /"delta":\{"content":"[^"]+"\}/.test(l));
    const last = JSON.parse(dataLines.at(-1)!.slice(6)) as {
      usage: unknown;
      timings: unknown;
      system_fingerprint: string;
    };
    assert.equal(result.status, "ok");
    assert.equal(result.content_times_ms.length, contentLines.length);
    assert.equal(result.content_times_ms.length, 16);
    assert.ok(result.content_reads >= 1 && result.content_reads <= 16);
    assert.deepEqual(result.usage, last.usage);
    assert.deepEqual(result.timings, last.timings);
    assert.equal(result.system_fingerprint, "b1-de3ff81");
    assert.equal(result.finish_reason, "length");
    assert.equal(result.saw_done, true);
    // The first event with choices is the role delta, before any content.
    assert.ok(result.first_event_ms! <= result.first_content_ms!);
  });

  it("completions API: text chunks are content, and there is no role event", async () => {
    const server = await startStreamingServer({firstTokenAfterMs: 30, tokens: 5, tokensPerSecond: 200});
    after(() => server.close());
    const result = await streamRequest({
      url: `${server.base}/completions`,
      headers: {},
      api: "completions",
      timeoutMs: 10_000,
      body: {prompt: "once upon", max_tokens: 5, stream: true}
    });
    assert.equal(result.status, "ok");
    assert.equal(result.content_times_ms.length, 5);
    assert.equal(result.first_event_ms, result.first_content_ms);
  });
});

describe("streamRequest failures", () => {
  it("HTTP 400 exceed_context_size_error: the server's message, and its body verbatim", async () => {
    const body = fixtureText("captured/cpu/llama-server-ctx256-exceeded.json");
    const {url, server} = await rawServer(400, {"content-type": "application/json; charset=utf-8"}, body);
    after(() => server.close());
    const result = await streamRequest({url, headers: {}, api: "chat", timeoutMs: 10_000, body: chat("too long")});
    assert.equal(result.status, "error");
    assert.equal(result.http_status, 400);
    assert.equal(result.error_body, body);
    const printed = (JSON.parse(body) as {error: {message: string}}).error.message;
    assert.equal(printed, "request (429 tokens) exceeds the available context size (256 tokens), try increasing it");
    assert.equal(result.error, `HTTP 400: ${printed}`);
  });

  it("HTTP 500 with a plain-text body", async () => {
    const {url, server} = await rawServer(500, {"content-type": "text/plain"}, "Internal Server Error\n");
    after(() => server.close());
    const result = await streamRequest({url, headers: {}, api: "chat", timeoutMs: 10_000, body: chat("boom")});
    assert.equal(result.status, "error");
    assert.equal(result.error, "HTTP 500: Internal Server Error");
  });

  it("an error event inside a 200 stream (vLLM's way) fails the request", async () => {
    const {url, server} = await rawServer(200, {"content-type": "text/event-stream"}, (write, end) => {
      write('data: {"choices":[{"index":0,"delta":{"content":"a"}}]}\n\n');
      write(
        'data: {"error":{"object":"error","message":"The engine died","type":"InternalServerError","code":500}}\n\n'
      );
      write("data: [DONE]\n\n");
      end();
    });
    after(() => server.close());
    const result = await streamRequest({url, headers: {}, api: "chat", timeoutMs: 10_000, body: chat("x")});
    assert.equal(result.status, "error");
    assert.equal(result.error, "error event: The engine died");
  });

  it("a server that never answers: timeout after the request timeout", async () => {
    const server = await startStreamingServer({hang: "headers"});
    after(() => server.close());
    const started = performance.now();
    const result = await streamRequest({
      url: `${server.base}/chat/completions`,
      headers: {},
      api: "chat",
      timeoutMs: 300,
      body: chat("hang")
    });
    const took = performance.now() - started;
    assert.equal(result.status, "timeout");
    assert.equal(result.error, "no complete response within 0.3 s");
    assert.ok(took >= 290 && took < 2000, `gave up after ${took} ms`);
  });

  it("a stream that stalls after its first event: timeout, with what arrived kept", async () => {
    const server = await startStreamingServer({firstEventAfterMs: 10, hang: "stream"});
    after(() => server.close());
    const result = await streamRequest({
      url: `${server.base}/chat/completions`,
      headers: {},
      api: "chat",
      timeoutMs: 300,
      body: chat("stall")
    });
    assert.equal(result.status, "timeout");
    assert.notEqual(result.first_event_ms, null);
    assert.equal(result.first_content_ms, null);
  });

  it("an outside abort (Ctrl-C) is 'interrupted', not a timeout", async () => {
    const server = await startStreamingServer({hang: "headers"});
    after(() => server.close());
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const result = await streamRequest({
      url: `${server.base}/chat/completions`,
      headers: {},
      api: "chat",
      timeoutMs: 10_000,
      signal: controller.signal,
      body: chat("abort")
    });
    assert.equal(result.status, "error");
    assert.equal(result.error, "interrupted");
  });

  it("connection refused", async () => {
    const server = await startStreamingServer({});
    const url = `${server.base}/chat/completions`;
    await server.close();
    const result = await streamRequest({url, headers: {}, api: "chat", timeoutMs: 5000, body: chat("nobody")});
    assert.equal(result.status, "error");
    assert.match(result.error!, /ECONNREFUSED/);
  });
});
