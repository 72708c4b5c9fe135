/**
 * The history page on a store of llama-bench builds: change points listed
 * with links to the runs on either side, each series charted, and "what
 * changed since the previous build" updated by a rebuild after the next
 * build's results are imported.
 */
import assert from "node:assert/strict";
import {after, before, describe, it} from "node:test";
import type {Browser} from "playwright-core";
import {importInputs} from "../../scripts/import/import.js";
import {Store} from "../../scripts/store/store.js";
import {launch, openPage, serve} from "../helpers/browser.js";
import {tempDir} from "../helpers/cli.js";
import {siteProject} from "../helpers/site.js";
import {buildOutput, commitOf, type Test} from "../history/llama-bench-builds.js";

const TESTS: Test[] = [
  {n_prompt: 64, n_gen: 0, n_depth: 0, level: (b) => (b >= 4 ? 1100 : 1000)},
  {n_prompt: 0, n_gen: 16, n_depth: 0, level: (b) => (b >= 11 ? 90 : b >= 8 ? 96 : 100)}
];

let browser: Browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

function importBuild(store: Store, build: number): void {
  const [outcome] = importInputs([{name: `build-${build}.jsonl`, bytes: Buffer.from(buildOutput(build, TESTS))}], {
    store
  });
  assert.notEqual(outcome.status, "failed");
}

async function look(dist: string) {
  const site = await serve(dist);
  try {
    const {page, problems} = await openPage(browser, site.url + "history.html");
    const latest = await page.$$eval("table.bb-history-latest tbody tr", (trs) =>
      trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent!.trim()))
    );
    const changes = await page.$$eval("table.bb-history-changes tbody tr", (trs) =>
      trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent!.trim()))
    );
    const runLinks = await page.$$eval("table.bb-history-changes a[href^='./runs/']", (as) =>
      as.map((a) => (a as HTMLAnchorElement).href)
    );
    const dotLinks = await page.$$eval(".bb-history-series svg a", (as) => as.length);
    const charts = await page.$$eval(".bb-history-series", (ds) => ds.length);
    const run = runLinks.length ? await openPage(browser, runLinks[0]) : null;
    const runText = run ? await run.page.textContent("main") : null;
    const summary = (await page.textContent("main"))!.replace(/\s+/g, " ");
    return {
      latest,
      changes,
      runLinks,
      dotLinks,
      charts,
      runText,
      summary,
      problems: [problems, run?.problems].flatMap((p) =>
        p ? [...p.consoleErrors, ...p.pageErrors, ...p.externalRequests, ...p.failedRequests] : []
      )
    };
  } finally {
    await site.close();
  }
}

describe("history page", () => {
  it("lists the change points with their runs, and shows a regression at a newly imported build after a rebuild", async () => {
    const store = new Store(tempDir());
    for (let b = 0; b < 11; b++) importBuild(store, b);
    const project = siteProject();
    await project.build(store);
    const first = await look(project.dist);
    assert.deepEqual(first.problems, []);
    assert.deepEqual(
      first.changes.map((r) => [r[0], r[5]]),
      [
        ["tiny · pp64 · throughput", "improvement"],
        ["tiny · tg16 · throughput", "regression"]
      ]
    );
    assert.match(first.changes[1][1], new RegExp(`${commitOf(7)} \\(1007\\) → ${commitOf(8)} \\(1008\\)`));
    assert.equal(first.runLinks.length, 4, "the runs before and after each change");
    assert.ok(
      first.runText?.includes(`build-7.jsonl`) || first.runText?.includes("build-3.jsonl"),
      "a run link opens that run's page"
    );
    assert.equal(first.charts, 2);
    assert.equal(first.dotLinks, 22, "every build's dot links to its run");
    assert.match(
      first.summary,
      /2 series have a newest build to compare with the one before: 0 regressions, 0 improvements flagged there/
    );
    assert.ok(
      first.latest.every((r) => r[4] === "within noise"),
      JSON.stringify(first.latest)
    );

    importBuild(store, 11);
    await project.build(store);
    const second = await look(project.dist);
    assert.deepEqual(second.problems, []);
    assert.match(second.summary, /1 regression, 0 improvements flagged there/);
    assert.equal(second.latest[0][0], "tiny · tg16 · throughput");
    assert.equal(second.latest[0][1], `${commitOf(10)} (1010) → ${commitOf(11)} (1011)`);
    assert.equal(second.latest[0][4], "regression");
    assert.equal(second.changes.length, 3);
  });
});
