/**
 * `npm run dev`: Framework's preview server over an exported store, in Chromium. The preview
 * server answers 416 to the client's first range request (the last 512 KiB of a Parquet file
 * smaller than that); the page must still read its data and draw it.
 */
import assert from "node:assert/strict";
import {spawn, type ChildProcess} from "node:child_process";
import {createRequire} from "node:module";
import {createServer, type AddressInfo} from "node:net";
import {dirname, join} from "node:path";
import {after, before, describe, it} from "node:test";
import type {Browser} from "playwright-core";
import {exportStore} from "../../scripts/export/export.js";
import {Store} from "../../scripts/store/store.js";
import {cellErrors, launch, openPage} from "../helpers/browser.js";
import {REPO, siteProject} from "../helpers/site.js";

const freePort = () =>
  new Promise<number>((ok) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const {port} = server.address() as AddressInfo;
      server.close(() => ok(port));
    });
  });

let preview: ChildProcess;
let browser: Browser;
let url: string;
let output = "";

before(async () => {
  const project = siteProject();
  await exportStore(new Store(join(REPO, "data")), join(project.root, "src/data"));
  const port = await freePort();
  const bin = join(dirname(createRequire(import.meta.url).resolve("@observablehq/framework/package.json")), "dist/bin/observable.js");
  preview = spawn(process.execPath, [bin, "preview", "--no-open", "--host", "127.0.0.1", "--port", String(port)], {cwd: project.root, env: {...process.env, OBSERVABLE_TELEMETRY_DISABLE: "1"}});
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`preview did not start:\n${output}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk;
      if (output.includes(`127.0.0.1:${port}`)) {
        clearTimeout(timer);
        ok();
      }
    };
    preview.stdout!.on("data", read);
    preview.stderr!.on("data", read);
  });
  url = `http://127.0.0.1:${port}/`;
  // The preview server renders a page on its first request: slow on a busy machine, so ask once before the browser does.
  await fetch(`${url}context-decay`, {signal: AbortSignal.timeout(120_000)});
  browser = await launch();
});
after(async () => {
  await browser?.close();
  preview?.kill();
});

describe("npm run dev (Framework's preview server)", () => {
  it("draws a page's charts from the exported Parquet, without telemetry", async () => {
    const {page, problems} = await openPage(browser, `${url}context-decay`);
    assert.deepEqual(await cellErrors(page), []);
    assert.deepEqual(problems.externalRequests, []);
    // The refused first range request is the only failed one.
    assert.deepEqual(problems.failedRequests.filter((r) => !/\.parquet HTTP 416$/.test(r)), []);
    const dots = await page.$$eval("figure svg [aria-label='dot'] circle", (c) => c.length);
    assert.ok(dots > 0, "the context-decay chart draws its points");
    assert.doesNotMatch(output, /telemetry/i);
    await page.close();
  });
});
