/**
 * `benchbook serve`'s server over real HTTP on loopback: ranges, clean URLs,
 * no listing, no escape from the site (traversal, symbolic links), no file
 * descriptor left open by aborted downloads, no crash when a file vanishes;
 * and the command's messages for a port in use and a public host.
 */
import assert from "node:assert/strict";
import {mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync} from "node:fs";
import {request} from "node:http";
import type {AddressInfo} from "node:net";
import {createServer} from "node:net";
import {join} from "node:path";
import {after, before, describe, it} from "node:test";
import {hostWarning} from "../../scripts/cli/commands/serve.js";
import {createStaticServer} from "../../scripts/serve/static-server.js";
import {cli, tempDir} from "../helpers/cli.js";

const site = tempDir("benchbook-serve-");
const outside = tempDir("benchbook-outside-");
const BIG = Buffer.alloc(8 * 1024 * 1024, 7);
let base = "";
let close: () => Promise<void>;

before(async () => {
  writeFileSync(join(site, "index.html"), "<h1>home</h1>");
  writeFileSync(join(site, "page.html"), "<h1>page</h1>");
  writeFileSync(join(site, "404.html"), "<h1>lost</h1>");
  writeFileSync(join(site, "data.bin"), Buffer.from("0123456789abcdefghij"));
  writeFileSync(join(site, "big.bin"), BIG);
  writeFileSync(join(site, ".env"), "SECRET=1");
  mkdirSync(join(site, "sub"));
  writeFileSync(join(site, "sub", "a.txt"), "a");
  writeFileSync(join(outside, "secret.txt"), "outside the site");
  symlinkSync(join(outside, "secret.txt"), join(site, "escape.txt"));
  symlinkSync(outside, join(site, "out"));
  symlinkSync(join(site, "page.html"), join(site, "alias.html"));
  const server = createStaticServer(site);
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => new Promise((ok) => server.close(() => ok()));
});
after(() => close?.());

function get(
  path: string,
  headers: Record<string, string> = {},
  method = "GET"
): Promise<{status: number; headers: Record<string, unknown>; body: Buffer}> {
  return new Promise((ok, fail) => {
    const req = request(`${base}${path}`, {method, headers}, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => ok({status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks)}));
    });
    req.on("error", fail);
    req.end();
  });
}

const openFds = () => readdirSync("/proc/self/fd").length;

describe("the static server", () => {
  it("answers byte ranges, suffix ranges and HEAD", async () => {
    const part = await get("/data.bin", {range: "bytes=2-5"});
    assert.equal(part.status, 206);
    assert.equal(part.body.toString(), "2345");
    assert.equal(part.headers["content-range"], "bytes 2-5/20");
    const suffix = await get("/data.bin", {range: "bytes=-4"});
    assert.deepEqual([suffix.status, suffix.body.toString()], [206, "ghij"]);
    // Longer than the file: the whole file (RFC 9110), as a Parquet reader asking for a footer expects.
    const longer = await get("/data.bin", {range: "bytes=-524288"});
    assert.deepEqual([longer.status, longer.body.toString()], [206, "0123456789abcdefghij"]);
    const head = await get("/data.bin", {}, "HEAD");
    assert.deepEqual([head.status, head.headers["content-length"], head.body.length], [200, "20", 0]);
    assert.equal((await get("/data.bin", {}, "POST")).status, 405);
  });

  it("serves clean URLs and index pages, and lists no directory", async () => {
    assert.equal((await get("/page")).body.toString(), "<h1>page</h1>");
    assert.equal((await get("/")).body.toString(), "<h1>home</h1>");
    const listing = await get("/sub/");
    assert.equal(listing.status, 404);
    assert.ok(!listing.body.toString().includes("a.txt"));
  });

  it("never serves a file outside the site: traversal, dotfiles, symbolic links out", async () => {
    for (const path of [
      "/../" + outside.split("/").pop() + "/secret.txt",
      "/%2e%2e/%2e%2e/etc/passwd",
      "/escape.txt",
      "/out/secret.txt",
      "/.env"
    ]) {
      const answer = await get(path);
      assert.equal(answer.status, 404, path);
      assert.ok(
        !answer.body.toString().includes("outside the site") && !answer.body.toString().includes("SECRET"),
        path
      );
    }
    assert.equal((await get("/escape.txt")).body.toString(), "<h1>lost</h1>", "the site's 404 page");
    assert.equal((await get("/alias.html")).body.toString(), "<h1>page</h1>", "a link inside the site is followed");
  });

  it("closes the file of every aborted download (300 aborts leave no descriptor open)", async () => {
    const before = openFds();
    for (let i = 0; i < 300; i++) {
      await new Promise<void>((ok) => {
        const req = request(`${base}/big.bin`, (res) => {
          res.once("data", () => {
            req.destroy();
            ok();
          });
        });
        req.on("error", () => ok());
        req.end();
      });
    }
    // The server sees each close a moment later.
    for (let tries = 0; tries < 100 && openFds() > before + 5; tries++) await new Promise((ok) => setTimeout(ok, 50));
    assert.ok(openFds() <= before + 5, `${openFds() - before} descriptors more than before`);
    assert.equal((await get("/data.bin")).status, 200, "still serving");
  });

  it("answers 404, never crashes, when a file vanishes while it is requested", async () => {
    const answers = await Promise.all(
      Array.from({length: 200}, async (_, i) => {
        const name = `race-${i % 5}.txt`;
        writeFileSync(join(site, name), "x".repeat(1000));
        const pending = get(`/${name}`);
        rmSync(join(site, name), {force: true});
        return (await pending).status;
      })
    );
    assert.ok(
      answers.every((s) => s === 200 || s === 404),
      answers.join(",")
    );
    assert.equal((await get("/data.bin")).status, 200, "still serving");
  });
});

describe("benchbook serve", () => {
  it("says which port is in use instead of a stack trace", async () => {
    const blocker = createServer();
    await new Promise<void>((ok) => blocker.listen(0, "127.0.0.1", ok));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const result = await cli(["serve", "--dir", site, "--port", String(port)]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use .*--port 0 for a free one`));
    } finally {
      blocker.close();
    }
  });

  it("warns when the site is served beyond this machine", () => {
    assert.equal(hostWarning("127.0.0.1"), null);
    assert.equal(hostWarning("::1"), null);
    assert.match(hostWarning("0.0.0.0")!, /to every machine that can reach this one/);
    assert.match(hostWarning("192.168.1.5")!, /whoever can reach 192\.168\.1\.5/);
  });
});
