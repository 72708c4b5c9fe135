/**
 * Import → build → the new run is on the pages. Framework caches data-loader
 * output and would not notice a changed store; benchbook exports static files
 * instead, and this proves a second build shows the second import.
 */
import assert from "node:assert/strict";
import {after, before, describe, it} from "node:test";
import type {Browser} from "playwright-core";
import {importInputs} from "../../scripts/import/import.js";
import {Store} from "../../scripts/store/store.js";
import {launch, openPage, serve} from "../helpers/browser.js";
import {tempDir} from "../helpers/cli.js";
import {fixtureText} from "../helpers/fixtures.js";
import {siteProject} from "../helpers/site.js";

let browser: Browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

async function look(dist: string) {
  const site = await serve(dist);
  try {
    const overview = await openPage(browser, site.url + "index.html");
    const runs = await overview.page.$eval(".bb-stats .card:nth-child(2) h2", (n) => Number(n.textContent));
    const text = await overview.page.textContent("body");
    const decay = await openPage(browser, site.url + "context-decay.html");
    const dots = await decay.page.$$eval("svg [aria-label=dot] circle", (cs) => cs.length);
    const problems = [overview.problems, decay.problems].flatMap((p) => [
      ...p.consoleErrors,
      ...p.pageErrors,
      ...p.externalRequests,
      ...p.failedRequests
    ]);
    return {runs, text: text ?? "", dots, problems};
  } finally {
    await site.close();
  }
}

describe("regeneration", () => {
  it("a second build after a new import shows the new run", async () => {
    const store = new Store(tempDir());
    const project = siteProject();
    importInputs([{name: "rtx3080.txt", bytes: Buffer.from(fixtureText("seeds/000-4x3080-split.txt"))}], {store});
    await project.build(store);
    const first = await look(project.dist);
    assert.deepEqual(first.problems, []);
    const runsIn = () => [...store.readAll()].reduce((n, i) => n + i.runs.length, 0);
    const firstRuns = runsIn();
    assert.equal(first.runs, firstRuns);
    assert.ok(!first.text.includes("cpu-run.md"));

    importInputs([{name: "cpu-run.md", bytes: Buffer.from(fixtureText("captured/cpu/llama-bench-md.stdout"))}], {
      store
    });
    await project.build(store);
    const second = await look(project.dist);
    assert.deepEqual(second.problems, []);
    assert.equal(second.runs, firstRuns + 1);
    assert.ok(second.text.includes("cpu-run.md"), "the new input is listed on the overview");
    assert.equal(second.dots, first.dots + 4, "the new run's four values are drawn");
  });
});
