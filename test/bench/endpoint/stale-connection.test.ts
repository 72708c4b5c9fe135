/**
 * The race behind the tools-tier endpoint test that failed under load: llama-server (cpp-httplib) closes a
 * keep-alive connection idle for 5 s, and a client stalled by a loaded machine reuses it before reading the
 * server's FIN. This server makes that happen every time: it answers a connection's first request and closes
 * the connection, unanswered, as the next request on it arrives.
 */
import assert from "node:assert/strict";
import {createServer, type Server, type Socket} from "node:net";
import type {AddressInfo} from "node:net";
import {after, describe, it} from "node:test";
import {CONNECTION_TRIES} from "../../../scripts/bench/endpoint/http.js";
import {streamRequest} from "../../../scripts/bench/endpoint/request.js";

const SSE = [
  `data: {"choices":[{"delta":{"content":"hi"}}]}`,
  `data: {"choices":[{"delta":{},"finish_reason":"stop"}]}`,
  "data: [DONE]",
  ""
].join("\n\n");

interface Closing {
  url: string;
  server: Server;
  /** Requests answered, and requests dropped unanswered. */
  counts(): {answered: number; dropped: number};
}

/**
 * A streaming server whose connections serve one request each: a second request on a connection finds it
 * closed. `answerFirst: false`: every request is dropped, also a new connection's first.
 */
async function closingServer({answerFirst = true} = {}): Promise<Closing> {
  let answered = 0;
  let dropped = 0;
  const server = createServer((socket: Socket) => {
    let served = 0;
    let buffer = Buffer.alloc(0);
    socket.on("data", (data) => {
      if (served > 0 || !answerFirst) {
        dropped++;
        socket.destroy();
        return;
      }
      buffer = Buffer.concat([buffer, data]);
      const head = buffer.indexOf("\r\n\r\n");
      if (head < 0) return;
      const length = Number(/content-length:\s*(\d+)/i.exec(buffer.subarray(0, head).toString())?.[1] ?? 0);
      if (buffer.length < head + 4 + length) return;
      served++;
      answered++;
      socket.write(
        `HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: keep-alive\r\nkeep-alive: timeout=5, max=100\r\ncontent-length: ${Buffer.byteLength(SSE)}\r\n\r\n${SSE}`
      );
    });
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const {port} = server.address() as AddressInfo;
  return {url: `http://127.0.0.1:${port}/v1/chat/completions`, server, counts: () => ({answered, dropped})};
}

/** Until the pool holds the finished requests' connections as idle. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

const request = (url: string) =>
  streamRequest({url, headers: {}, body: {model: "m", stream: true}, api: "chat", timeoutMs: 10_000});

describe("streaming requests on a keep-alive connection the server closed as it was reused", () => {
  const servers: Server[] = [];
  after(() => servers.forEach((s) => s.close()));

  it("are sent again on a new connection and measured from that send", async () => {
    const closing = await closingServer();
    servers.push(closing.server);
    const first = await request(closing.url);
    assert.equal(first.status, "ok", first.error ?? "");
    await settle();
    const before = performance.now();
    // The pooled connection is reused and dropped; the request goes out again on a fresh one.
    const second = await request(closing.url);
    assert.equal(second.status, "ok", second.error ?? "");
    assert.deepEqual(second.content_times_ms.length, 1);
    assert.equal(second.finish_reason, "stop");
    assert.deepEqual(closing.counts(), {answered: 2, dropped: 1});
    // Timed from the try that was answered: after the dropped one was sent.
    assert.ok(second.sent_at > before);
  });

  it("after a concurrency-N batch, N stale connections in a row are survived", async () => {
    const closing = await closingServer();
    servers.push(closing.server);
    const batch = await Promise.all([request(closing.url), request(closing.url), request(closing.url)]);
    assert.deepEqual(
      batch.map((r) => r.status),
      ["ok", "ok", "ok"]
    );
    await settle();
    const again = await Promise.all([request(closing.url), request(closing.url), request(closing.url)]);
    assert.deepEqual(
      again.map((r) => [r.status, r.error]),
      [
        ["ok", null],
        ["ok", null],
        ["ok", null]
      ]
    );
    assert.deepEqual(closing.counts(), {answered: 6, dropped: 3});
  });

  it("are not sent again when a fresh connection is dropped (a server that died on the request)", async () => {
    const closing = await closingServer({answerFirst: false});
    servers.push(closing.server);
    const result = await request(closing.url);
    assert.equal(result.status, "error");
    assert.match(result.error!, /fetch failed/);
    assert.deepEqual(closing.counts(), {answered: 0, dropped: 1});
    assert.ok(CONNECTION_TRIES > 1);
  });
});
