/**
 * `npm run dev` (`benchbook dev`): Framework's real preview server over a copy of the site with
 * the bundled store exported, telemetry off. A report previews with its data: no failed request
 * (the preview server refuses a suffix range longer than a small Parquet file), its claims and
 * charts drawn from the store; a report scaffolded while writing previews too.
 */
import assert from "node:assert/strict";
import {join} from "node:path";
import {after, before, describe, it} from "node:test";
import type {Browser} from "playwright-core";
import {toRow} from "../../scripts/schema/row.js";
import {startPreview, type Preview} from "../../scripts/site/preview.js";
import {Store} from "../../scripts/store/store.js";
import {cellErrors, launch, openPage} from "../helpers/browser.js";
import {cli} from "../helpers/cli.js";
import {REPO, siteProject} from "../helpers/site.js";

const store = new Store(join(REPO, "data"));
const rows = [...store.readAll()].flatMap((input) =>
  input.runs.flatMap((run) => run.results.map((r) => toRow(run, r, false)))
);
const TAG = "rtx4090-qwen35-glm-m4";

let preview: Preview;
let browser: Browser;

before(async () => {
  const project = siteProject();
  const made = await cli([
    "new-report",
    "Draft while previewing",
    "--tag",
    `writeup=${TAG}`,
    "--dir",
    join(project.root, "src/reports")
  ]);
  assert.equal(made.code, 0, made.stderr);
  preview = await startPreview({root: project.root, store, port: 0});
  browser = await launch();
});
after(async () => void (await Promise.all([browser?.close(), preview?.close()])));

async function open(path: string) {
  // The preview server bundles a page's imports on its first visit: slow on a busy machine.
  const {page, problems} = await openPage(browser, preview.url + path, {timeout: 180_000});
  assert.deepEqual(problems, {consoleErrors: [], pageErrors: [], externalRequests: [], failedRequests: []}, path);
  assert.deepEqual(await cellErrors(page), [], `${path}: cells that failed`);
  return page;
}

describe("npm run dev: the preview server", () => {
  it("serves on loopback with telemetry off", () => {
    assert.match(preview.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.doesNotMatch(preview.output(), /telemetry/i);
  });

  it("a report renders its data: claims link to stored inputs, the retention chart a dot per result", async () => {
    const page = await open("reports/rtx4090-context-decay");
    const claims = await page.$$eval(".bb-claim[data-value][href]", (ns) =>
      ns.map((n) => ({value: Number((n as HTMLElement).dataset.value), href: n.getAttribute("href")!}))
    );
    assert.ok(claims.length > 0, "claims rendered");
    for (const {value, href} of claims) {
      const [, sha, line] = /sources\/([0-9a-f]{64})\.html#L(\d+)$/.exec(href)!;
      assert.ok(
        rows.some((r) => r.source_sha256 === sha && Number(line) > 0),
        `claim ${value} links to a stored input: ${href}`
      );
    }
    const tg = rows.filter(
      (r) =>
        (r.tags as Record<string, string>)?.writeup === TAG &&
        r.tool === "llama-bench" &&
        r.hardware === "NVIDIA GeForce RTX 4090" &&
        r.kind === "tg" &&
        r.metric === "throughput"
    );
    const dots = await page
      .locator("figure", {hasText: "Generation speed kept"})
      .locator("[aria-label=dot] circle")
      .count();
    assert.equal(dots, tg.length);
    await page.close();
  });

  it("a report scaffolded while writing renders its data", async () => {
    const page = await open("reports/draft-while-previewing");
    const tagged = rows.filter((r) => (r.tags as Record<string, string>)?.writeup === TAG);
    const text = await page.$eval("main", (m) => m.textContent ?? "");
    assert.match(
      text,
      new RegExp(`draws on ${tagged.length} results from ${new Set(tagged.map((r) => r.run_id)).size} runs`)
    );
    await page.close();
  });
});
