/**
 * Hand-entered values traced into their writeup on the site: the writeup an
 * observations file attached gets its own raw-input page, and the run's page
 * links each value to the writeup line it was read from — a line that holds
 * the value as written.
 */
import assert from "node:assert/strict";
import {createHash} from "node:crypto";
import {readFileSync} from "node:fs";
import {after, before, describe, it} from "node:test";
import type {Browser} from "playwright-core";
import {importInputs} from "../../scripts/import/import.js";
import {Store} from "../../scripts/store/store.js";
import {cellErrors, openPage, type Served} from "../helpers/browser.js";
import {tempDir} from "../helpers/cli.js";
import {fixturePath} from "../helpers/fixtures.js";
import {servedSite, type ServedSite} from "../helpers/site.js";

describe("site: the writeup behind hand-entered values", () => {
  const path = fixturePath("hand/writeup/post.observations.yaml");
  const post = readFileSync(fixturePath("hand/writeup/post.md"), "utf8");
  const sha = createHash("sha256").update(post).digest("hex");
  let browser: Browser;
  let site: Served;
  let served: ServedSite;
  let runId: string;

  before(async () => {
    const store = new Store(tempDir());
    const [outcome] = importInputs([{name: "post.observations.yaml", bytes: readFileSync(path), path}], {
      store,
      now: () => new Date("2026-01-01T00:00:00Z")
    });
    if (outcome.status !== "imported") assert.fail(outcome.status);
    runId = outcome.runs[0].id;
    ({browser, site} = served = await servedSite(store));
  });
  after(() => served?.close());

  it("gives the writeup a raw-input page, named as the writeup of its observations file", async () => {
    const {page, problems} = await openPage(browser, `${site.url}sources/${sha}.html`);
    assert.deepEqual(await cellErrors(page), []);
    assert.deepEqual(problems.pageErrors, []);
    assert.match((await page.locator("h1").first().textContent()) ?? "", /The writeup behind post\.observations\.yaml/);
    // Oracle: the post's own lines, each at its anchor.
    const lines = post.split("\n");
    assert.equal(await page.locator("#L13 td.code").textContent(), lines[12]);
    await page.close();
  });

  it("links every value on the run's page to a writeup line that holds it as written", async () => {
    const {page} = await openPage(browser, `${site.url}runs/${runId}.html`);
    const links = page.locator(`a[href^="../sources/${sha}.html#L"]`);
    await links.first().waitFor();
    const rows = await page.$$eval("table tr", (trs) =>
      trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? ""))
    );
    const hrefs = await links.evaluateAll((as) => as.map((a) => a.getAttribute("href")!));
    assert.equal(hrefs.length, 8, "one per value");
    const lines = post.split("\n");
    for (const href of hrefs) assert.ok(Number(href.split("#L")[1]) <= lines.length, href);
    assert.ok(
      rows.some((cells) => cells.includes("**1,157**") && cells.some((c) => c.includes("writeup 13"))),
      "the 1,157 value links to line 13"
    );
    assert.ok(lines[12].includes("**1,157**"));
    await page.close();
  });
});
