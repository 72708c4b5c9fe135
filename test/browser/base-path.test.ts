/**
 * Publishing: the built site packed with `benchbook export --zip`, unpacked
 * and served under a sub-path (/sub/path/, as on a project page of a static
 * host) — every page and every asset loads from there, nothing is requested
 * outside the sub-path or outside the machine, and every link a rendered page
 * shows resolves to a file of the site. Also: the zip is reproducible, and
 * pages print without the sidebar and download buttons.
 */
import assert from "node:assert/strict";
import {existsSync, mkdirSync, readFileSync, writeFileSync} from "node:fs";
import {createServer, type Server} from "node:http";
import type {AddressInfo} from "node:net";
import {dirname, join} from "node:path";
import {after, before, describe, it} from "node:test";
import {unzipSync} from "fflate";
import type {Browser} from "playwright-core";
import {createStaticServer} from "../../scripts/serve/static-server.js";
import {listFiles} from "../../scripts/site/zip.js";
import {cellErrors, launch, openPage} from "../helpers/browser.js";
import {cli, tempDir} from "../helpers/cli.js";
import {siteProject} from "../helpers/site.js";
import {reportStore} from "./reports-store.js";

const BASE = "/sub/path/";

let browser: Browser;
let server: Server;
let origin: string;
let root: string;
let zipBytes: Buffer;
let dist: string;
const outside: string[] = [];

/** dist/ under BASE; anything else is a 404 and recorded. */
function serveUnder(dir: string): Promise<Server> {
  const inner = createStaticServer(dir);
  const outer = createServer((req, res) => {
    if (!req.url?.startsWith(BASE)) {
      outside.push(req.url ?? "");
      res.statusCode = 404;
      res.end();
      return;
    }
    req.url = "/" + req.url.slice(BASE.length);
    inner.emit("request", req, res);
  });
  return new Promise((ok) => outer.listen(0, "127.0.0.1", () => ok(outer)));
}

before(async () => {
  const project = siteProject();
  await project.build(reportStore());
  dist = project.dist;
  const zipFile = join(tempDir("benchbook-zip-"), "site.zip");
  const packed = await cli(["export", "--zip", zipFile, "--dir", dist]);
  assert.equal(packed.code, 0, packed.stderr);
  zipBytes = readFileSync(zipFile);
  // Unpack with an independent reader and serve the unpacked copy.
  const unpacked = tempDir("benchbook-unzipped-");
  for (const [name, bytes] of Object.entries(unzipSync(new Uint8Array(zipBytes)))) {
    if (name.endsWith("/")) continue;
    mkdirSync(dirname(join(unpacked, name)), {recursive: true});
    writeFileSync(join(unpacked, name), bytes);
  }
  root = join(unpacked, "benchbook-site");
  server = await serveUnder(root);
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await new Promise((ok) => server?.close(ok));
});

describe("the site packed as a zip, served under a sub-path", () => {
  it("holds every file of dist/, under one folder, plus a README on how to open it", () => {
    const entries = Object.keys(unzipSync(new Uint8Array(zipBytes)));
    assert.ok(entries.every((e) => e.startsWith("benchbook-site/")));
    assert.deepEqual(
      entries
        .map((e) => e.slice("benchbook-site/".length))
        .filter((e) => e !== "README.txt")
        .sort(),
      listFiles(dist)
    );
    assert.match(readFileSync(join(root, "README.txt"), "utf8"), /benchbook serve --dir/);
  });

  it("packs the same dist/ into the same bytes", async () => {
    const again = join(tempDir("benchbook-zip-"), "again.zip");
    assert.equal((await cli(["export", "--zip", again, "--dir", dist])).code, 0);
    assert.ok(readFileSync(again).equals(zipBytes));
  });

  it("refuses to pack a folder that is not a built site", async () => {
    const out = await cli(["export", "--zip", join(tempDir(), "x.zip"), "--dir", tempDir()]);
    assert.equal(out.code, 2);
    assert.match(out.stderr, /no index\.html: build the site first/);
  });

  it("loads every page and asset from /sub/path/, and every rendered link resolves", async () => {
    const pages = listFiles(root).filter((f) => f.endsWith(".html") && f !== "404.html");
    assert.ok(
      pages.some((p) => p.startsWith("reports/")) &&
        pages.some((p) => p.startsWith("sources/")) &&
        pages.some((p) => p.startsWith("runs/"))
    );
    const broken: string[] = [];
    for (const path of pages) {
      const {page, problems} = await openPage(browser, `${origin}${BASE}${path}`);
      assert.deepEqual(problems, {consoleErrors: [], pageErrors: [], externalRequests: [], failedRequests: []}, path);
      assert.deepEqual(await cellErrors(page), [], path);
      const links = await page.$$eval("a[href], link[href], script[src], img[src]", (els) =>
        els.map((e) => (e as HTMLAnchorElement).href || (e as HTMLScriptElement).src)
      );
      for (const link of links) {
        const url = new URL(link);
        if (url.protocol === "blob:" || url.protocol === "data:" || url.protocol === "javascript:") continue;
        if (url.origin !== origin || !url.pathname.startsWith(BASE)) {
          broken.push(`${path}: ${link} leaves ${BASE}`);
          continue;
        }
        let file = decodeURIComponent(url.pathname.slice(BASE.length));
        if (file === "" || file.endsWith("/")) file += "index.html";
        if (!existsSync(join(root, file)) && !existsSync(join(root, file + ".html"))) broken.push(`${path}: ${link}`);
      }
      await page.close();
    }
    assert.deepEqual(broken, []);
    assert.deepEqual(outside, [], "no request left the sub-path");
  });

  it("prints without the sidebar and the download buttons", async () => {
    const {page} = await openPage(browser, `${origin}${BASE}reports/4x3080-layer-vs-tensor.html`);
    await page.emulateMedia({media: "print"});
    const shown = (await page.evaluate(`(() => ({
      sidebar: getComputedStyle(document.querySelector("#observablehq-sidebar")).display,
      downloads: [...document.querySelectorAll(".bb-downloads")].map((e) => getComputedStyle(e).display),
      figures: document.querySelectorAll(".bb-figure svg").length
    }))()`)) as {sidebar: string; downloads: string[]; figures: number};
    assert.equal(shown.sidebar, "none");
    assert.ok(shown.downloads.length > 0 && shown.downloads.every((d) => d === "none"));
    assert.ok(shown.figures > 0, "charts still print");
    const pdf = await page.pdf({format: "A4"});
    assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");
    await page.close();
  });
});
