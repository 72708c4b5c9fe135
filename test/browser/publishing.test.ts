/**
 * Publishing from the built site: chart downloads (SVG, PNG), table downloads
 * (CSV, Markdown), and filters that live in the URL.
 */
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, it} from "node:test";
import {csvParse} from "d3-dsv";
import type {Browser, Page} from "playwright-core";
import {Store} from "../../scripts/store/store.js";
import {openPage, settle, type Served} from "../helpers/browser.js";
import {REPO, servedSite, type ServedSite} from "../helpers/site.js";

let browser: Browser;
let site: Served;

let served: ServedSite;
before(async () => ({browser, site} = served = await servedSite(new Store(join(REPO, "data")))));
after(() => served?.close());

async function download(page: Page, selector: string): Promise<Buffer> {
  const [file] = await Promise.all([page.waitForEvent("download"), page.click(selector)]);
  return readFileSync((await file.path())!);
}

describe("publishing", () => {
  it("saves the first chart as SVG and PNG", async () => {
    const {page} = await openPage(browser, site.url + "context-decay.html");
    const figureDots = await page.locator(".bb-figure").first().locator("[aria-label=dot] circle").count();
    const svg = (await download(page, ".bb-figure >> nth=0 >> button[data-format=svg]")).toString("utf8");
    assert.match(svg, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.equal((svg.match(/<circle /g) ?? []).length, figureDots);
    const png = await download(page, ".bb-figure >> nth=0 >> button[data-format=png]");
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "PNG signature");
    assert.ok(png.length > 1000);
    await page.close();
  });

  it("saves the table under a chart as CSV and as a Markdown table", async () => {
    const {page} = await openPage(browser, site.url + "context-decay.html");
    const points = await page.locator(".bb-figure").first().locator("[aria-label=dot] circle").count();
    const csv = csvParse(
      (await download(page, "div.bb-downloads >> nth=0 >> button[data-format=csv]")).toString("utf8")
    );
    // The table holds every point of the selection; the chart draws the series the picker chose (at most 8).
    assert.ok(points > 0 && csv.length >= points, `${csv.length} rows, ${points} drawn`);
    assert.deepEqual(csv.columns, [
      "series",
      "test",
      "n_depth",
      "value",
      "stddev",
      "retention",
      "limit_share",
      "limit",
      "source"
    ]);
    assert.ok(csv.every((r) => Number.isFinite(Number(r.value)) && /^[0-9a-f]{64}:\d+$/.test(r.source)));
    const md = (await download(page, "div.bb-downloads >> nth=0 >> button[data-format=md]"))
      .toString("utf8")
      .trim()
      .split("\n");
    assert.equal(md.length, csv.length + 2);
    assert.match(
      md[0],
      /^\| series \| test \| n_depth \| value \| stddev \| retention \| limit_share \| limit \| source \|$/
    );
    assert.match(md[1], /^\| --- \| --- \| ---: \| ---: \|/);
    await page.close();
  });

  it("keeps filters in the URL: a reload or a shared link shows the same selection", async () => {
    const {page} = await openPage(browser, site.url + "context-decay.html");
    // Series in the selection (the pickers' totals): the charts draw at most 8 of them.
    const seriesIn = (p: typeof page) =>
      p.$$eval(".bb-series-picker", (els) =>
        els.reduce((n, el) => n + Number(el.getAttribute("data-series-total")), 0)
      );
    const all = await seriesIn(page);
    const label = await page.locator("[data-filter=hardware] label").first().textContent();
    await page.locator("[data-filter=hardware] input[type=checkbox]").first().uncheck();
    await page.waitForTimeout(300);
    const filtered = await seriesIn(page);
    assert.ok(filtered < all, `${filtered} series of ${all}`);
    const url = page.url();
    assert.match(url, /\?hardware=/);
    assert.ok(!decodeURIComponent(url.replace(/\+/g, " ")).includes(`hardware=${label}`), `${label} is deselected`);
    const again = await browser.newPage();
    await again.goto(url);
    await settle(again);
    assert.equal(await seriesIn(again), filtered);
    assert.equal(await again.locator("[data-filter=hardware] input[type=checkbox]").first().isChecked(), false);
    await again.close();
    await page.close();
  });
});
