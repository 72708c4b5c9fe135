/**
 * The small JSON requests around a benchmark: a connection the server drops
 * before answering (what a keep-alive connection closed as it is reused
 * looks like to fetch) is tried again, up to CONNECTION_TRIES times (after a
 * test at concurrency N, up to N pooled connections can be stale); an abort
 * and a timeout are not retried.
 */
import assert from "node:assert/strict";
import {createServer, type Server} from "node:http";
import type {AddressInfo} from "node:net";
import {after, describe, it} from "node:test";
import {CONNECTION_TRIES, requestJson} from "../../../scripts/bench/endpoint/http.js";

/** A server that drops the first `drops` connections' requests unanswered, then answers {"ok": n}. */
async function dropping(drops: number): Promise<{url: string; server: Server; requests: () => number}> {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    if (requests <= drops) {
      req.socket.destroy();
      return;
    }
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ok: requests}));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/models`, server, requests: () => requests};
}

describe("requestJson", () => {
  const servers: Server[] = [];
  after(() => servers.forEach((s) => s.close()));

  it("tries once more when the server drops the connection unanswered", async () => {
    const {url, server, requests} = await dropping(1);
    servers.push(server);
    const response = await requestJson(url, {timeoutMs: 5000});
    assert.deepEqual([response.status, response.json, requests()], [200, {ok: 2}, 2]);
  });

  it("tries again after two drops in a row (two stale connections after a concurrency-2 test)", async () => {
    const {url, server, requests} = await dropping(2);
    servers.push(server);
    const response = await requestJson(url, {timeoutMs: 5000});
    assert.deepEqual([response.status, response.json, requests()], [200, {ok: 3}, 3]);
  });

  it("fails when every try is dropped", async () => {
    const {url, server, requests} = await dropping(CONNECTION_TRIES);
    servers.push(server);
    await assert.rejects(requestJson(url, {timeoutMs: 5000}), TypeError);
    assert.equal(requests(), CONNECTION_TRIES);
  });

  it("does not retry an aborted request", async () => {
    const {url, server, requests} = await dropping(0);
    servers.push(server);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(requestJson(url, {timeoutMs: 5000, signal: controller.signal}), {name: "AbortError"});
    assert.equal(requests(), 0);
  });
});
