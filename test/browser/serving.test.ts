/**
 * The serving and speculative-decoding pages, built from a store of real
 * serving outputs and logs (serving-store.ts), in headless Chromium with every
 * non-local request blocked: the marks the data calls for, filters that
 * change them, downloads, links to run pages, both color schemes.
 */
import assert from "node:assert/strict";
import {existsSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, it} from "node:test";
import {csvParse} from "d3-dsv";
import type {Browser, Page} from "playwright-core";
import type {Row} from "../../scripts/schema/row.js";
import {cellErrors, launch, openPage, type Served} from "../helpers/browser.js";
import {servedSite, type ServedSite} from "../helpers/site.js";
import {servingStore, storeRows} from "./serving-store.js";

const store = servingStore();
const rows = storeRows(store);
let browser: Browser;
let site: Served;
let dist: string;

let served: ServedSite;
before(async () => {
  ({browser, site} = served = await servedSite(store));
  dist = served.project.dist;
});
after(() => served?.close());

async function openClean(path: string, dark = false): Promise<Page> {
  const {page, problems} = await openPage(browser, site.url + path);
  if (dark) {
    await page.emulateMedia({colorScheme: "dark"});
    await page.waitForTimeout(200);
  }
  assert.deepEqual(problems, {consoleErrors: [], pageErrors: [], externalRequests: [], failedRequests: []}, path);
  assert.deepEqual(await cellErrors(page), [], `${path}: cells that failed`);
  return page;
}

async function download(page: Page, locator: ReturnType<Page["locator"]>): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent("download"), locator.click()]);
  return readFileSync((await file.path())!, "utf8");
}

/** Marks of Plot's dot mark (circles, or paths when a symbol channel is set) in one figure. */
async function dotCount(page: Page, figure: number): Promise<number> {
  await page.locator(".bb-figure").nth(figure).waitFor();
  return page.locator(".bb-figure").nth(figure).locator("[aria-label=dot] circle, [aria-label=dot] path").count();
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const isRun = (r: Row) => (r.scope ?? "run") === "run";
const derived = (r: Row) => (r.result_extra as Record<string, unknown> | null)?.derived_from !== undefined;

describe("serving page", () => {
  // The page's default: the first latency metric present, every statistic.
  const ttft = rows.filter(
    (r) =>
      r.metric === "ttft" && isRun(r) && r.status === "ok" && r.value !== null && r.concurrency !== null && !derived(r)
  );

  it("has serving data to show", () => {
    assert.ok(ttft.length >= 10 && new Set(ttft.map((r) => r.runtime)).size >= 2, "vLLM and SGLang TTFT statistics");
  });

  it("draws one dot per printed TTFT statistic and one line per runtime/model/machine/shape and statistic", async () => {
    const page = await openClean("serving.html");
    assert.equal(await dotCount(page, 0), ttft.length);
    const curves = new Set(
      ttft.map((r) => [r.runtime ?? r.tool, r.model_label, r.hardware, r.n_prompt, r.n_gen, r.stat].join("|"))
    );
    assert.equal(await page.locator(".bb-figure").nth(0).locator("[aria-label=line] path").count(), curves.size);
    // Seed 000's c8 block prints "P99 TTFT (ms): 5782.89": it is in the table as printed.
    assert.ok((await page.locator("table").first().textContent())!.includes("5782.89"));
    await page.close();
  });

  it("filters: unchecking a runtime or a statistic removes exactly its dots, and the filter lands in the URL", async () => {
    const page = await openClean("serving.html");
    await page.locator("[data-filter=runtime]").getByLabel("vllm", {exact: true}).uncheck();
    await page.waitForTimeout(300);
    const notVllm = ttft.filter((r) => r.runtime !== "vllm");
    assert.ok(notVllm.length > 0 && notVllm.length < ttft.length);
    assert.equal(await dotCount(page, 0), notVllm.length);
    assert.match(page.url(), /[?&]runtime=/);
    assert.ok(!page.url().includes("runtime=vllm"));
    await page.getByLabel("p99", {exact: true}).uncheck();
    await page.waitForTimeout(300);
    assert.equal(await dotCount(page, 0), notVllm.filter((r) => r.stat !== "p99").length);
    await page.close();
  });

  it("switches metric: ITL shows the ITL statistics", async () => {
    const page = await openClean("serving.html");
    await page.getByLabel("ITL (inter-token latency)", {exact: true}).first().check();
    await page.waitForTimeout(300);
    const itl = rows.filter(
      (r) =>
        r.metric === "itl" && isRun(r) && r.status === "ok" && r.value !== null && r.concurrency !== null && !derived(r)
    );
    assert.equal(await dotCount(page, 0), itl.length);
    await page.close();
  });

  it("draws the per-request CDF: one dot per request sample, a ring per printed median/percentile", async () => {
    const page = await openClean("serving.html");
    const samples = rows.filter(
      (r) => r.scope === "request" && r.metric === "ttft" && r.status === "ok" && r.value !== null
    );
    const sampleRuns = new Set(samples.map((r) => r.run_id));
    const printed = rows.filter(
      (r) =>
        sampleRuns.has(r.run_id) &&
        r.metric === "ttft" &&
        isRun(r) &&
        (r.stat === "median" || /^p\d/.test(String(r.stat)))
    );
    const figure = page.locator(".bb-figure").filter({hasText: "per-request values"});
    await figure.locator("[aria-label=dot] circle").first().waitFor();
    assert.equal(await figure.locator("[aria-label=dot]").nth(0).locator("circle").count(), samples.length);
    assert.equal(await figure.locator("[aria-label=dot]").nth(1).locator("circle").count(), printed.length);
    assert.ok(samples.length >= 2 && printed.length >= 2);
    await page.close();
  });

  it("downloads the latency table as CSV and Markdown with the rows charted, each traced to a raw line", async () => {
    const page = await openClean("serving.html");
    const csv = csvParse(
      await download(page, page.locator("div.bb-downloads").nth(0).locator("button[data-format=csv]"))
    );
    assert.equal(csv.length, ttft.length);
    assert.deepEqual(csv.columns, [
      "series",
      "run",
      "test",
      "concurrency",
      "metric",
      "stat",
      "value",
      "stddev",
      "unit",
      "source"
    ]);
    const expected = new Set(ttft.map((r) => `${r.source_sha256}:${r.line}:${r.value}`));
    assert.ok(
      csv.every((r) => expected.has(`${r.source}:${r.value}`)),
      "every CSV row is a stored value at its raw line"
    );
    const md = (await download(page, page.locator("div.bb-downloads").nth(0).locator("button[data-format=md]")))
      .trim()
      .split("\n");
    assert.equal(md.length, ttft.length + 2);
    const svg = await download(page, page.locator(".bb-figure").nth(0).locator("button[data-format=svg]"));
    assert.match(svg, /^<\?xml/);
    assert.equal((svg.match(/aria-label="dot"/g) ?? []).length, 1);
    await page.close();
  });

  it("links each value to its run page and raw line, and both exist", async () => {
    const page = await openClean("serving.html");
    await page.locator("table").first().locator("a[href^='./runs/']").first().waitFor();
    const hrefs = await page
      .locator("table")
      .first()
      .locator("a")
      .evaluateAll((as) => as.map((a) => a.getAttribute("href")!));
    const runLinks = hrefs.filter((h) => h.startsWith("./runs/"));
    const sourceLinks = hrefs.filter((h) => h.startsWith("./sources/"));
    assert.ok(runLinks.length > 0 && sourceLinks.length > 0, hrefs.join(" "));
    for (const href of [...runLinks, ...sourceLinks]) assert.ok(existsSync(join(dist, href.replace(/#.*$/, ""))), href);
    await page.close();
  });

  it("renders in the dark color scheme with light marks and text", async () => {
    const page = await openClean("serving.html", true);
    const color = await page
      .locator(".bb-figure svg")
      .first()
      .evaluate((svg) => getComputedStyle(svg).color);
    const [r, g, b] = color.match(/\d+/g)!.map(Number);
    assert.ok(r + g + b > 450, `axis color ${color} is light on a dark page`);
    await page.close();
  });
});

describe("speculative decoding page", () => {
  const specRuns = new Set(
    rows
      .filter((r) => r.scope === "interval" && (r.metric === "acceptance_length" || r.metric === "acceptance_rate"))
      .map((r) => r.run_id)
  );
  const interval = (metric: string) =>
    rows.filter(
      (r) =>
        specRuns.has(r.run_id) &&
        r.scope === "interval" &&
        r.metric === metric &&
        r.seq !== null &&
        r.status === "ok" &&
        r.value !== null &&
        (r.result_extra as Record<string, unknown> | null)?.position === undefined &&
        (metric !== "throughput" || r.kind === "tg")
    );

  it("draws one dot per logged interval for throughput, acceptance length and acceptance rate", async () => {
    const page = await openClean("speculative.html");
    const titles = await page.locator(".bb-figure h3").allTextContents();
    for (const [metric, title] of [
      ["throughput", "generation throughput (tok/s)"],
      ["acceptance_length", "acceptance length (tokens per step)"],
      ["acceptance_rate", "draft acceptance rate (%)"]
    ]) {
      const expected = interval(metric);
      assert.ok(expected.length > 0, metric);
      assert.equal(await dotCount(page, titles.indexOf(title)), expected.length, metric);
    }
    assert.ok(
      (await page.locator(".bb-note:not(.bb-left-out)").textContent())!.includes("cumulative"),
      "says SGLang's accept length is cumulative"
    );
    await page.close();
  });

  it("draws measured bands solid and hand-entered ranges dashed, and the Origin filter removes the hand-entered ones", async () => {
    const page = await openClean("speculative.html");
    const throughputBands = page.locator(".bb-figure").filter({hasText: "Solid: measured"}).first();
    const handRuns = new Set(
      rows
        .filter(
          (r) => r.origin === "hand-entered" && r.metric === "throughput" && r.kind === "tg" && r.stat === "range_low"
        )
        .map((r) => r.run_id)
    );
    const derivedRuns = new Set(
      rows
        .filter(
          (r) =>
            r.metric === "throughput" &&
            r.kind === "tg" &&
            r.stat === "range_low" &&
            derived(r) &&
            specRuns.has(r.run_id)
        )
        .map((r) => r.run_id)
    );
    assert.ok(handRuns.size >= 4 && derivedRuns.size >= 1);
    // Plot puts constant styles on the mark's group: hand-entered bars sit in the dashed group.
    assert.equal(await throughputBands.locator("[aria-label=bar][stroke-dasharray] rect").count(), handRuns.size);
    assert.equal(
      await throughputBands.locator("[aria-label=bar]:not([stroke-dasharray]) rect").count(),
      derivedRuns.size
    );
    assert.ok((await throughputBands.textContent())!.includes("(hand-entered)"));
    await page.locator("[data-filter=origin]").getByLabel("hand-entered", {exact: true}).uncheck();
    await page.waitForTimeout(300);
    const after = page.locator(".bb-figure").filter({hasText: "Solid: measured"}).first();
    assert.equal(await after.locator("[aria-label=bar][stroke-dasharray] rect").count(), 0);
    assert.equal(await after.locator("[aria-label=bar]:not([stroke-dasharray]) rect").count(), derivedRuns.size);
    await page.close();
  });

  it("shows KV capacity by dtype and the FP8 ÷ BF16 ratio computed from the stored sizes", async () => {
    const page = await openClean("speculative.html");
    const kv = rows.filter((r) => r.metric === "kv_capacity" && r.unit === "tokens" && r.status === "ok");
    const figure = page.locator(".bb-figure").last();
    assert.equal(await figure.locator("[aria-label=bar] rect").count(), kv.length);
    assert.equal(
      await figure.locator("[aria-label=bar] [stroke-dasharray] rect").count(),
      kv.filter((r) => r.origin === "hand-entered").length
    );
    // The dtype as the launch command gave it (`--kv-cache-dtype`; the key keeps the option's spelling).
    const dtypeOf = (r: Row) =>
      Object.entries(r.settings as Record<string, unknown>).find(([k]) => /^-*kv[-_]cache[-_]dtype$/.test(k))?.[1];
    const full = (dtype: string) =>
      num(
        kv.find((r) => (r.result_extra as Record<string, unknown> | null)?.pool === "full" && dtypeOf(r) === dtype)!
          .value
      )!;
    const ratio = (full("fp8_e4m3") / full("bfloat16")).toFixed(2);
    const sentences = await page.locator(".bb-kv-ratios li").allTextContents();
    assert.ok(
      sentences.some((s) =>
        s.includes(
          `FP8 KV holds ${ratio}× the full-layer tokens of BF16 KV (${full("fp8_e4m3")} vs ${full("bfloat16")}`
        )
      ),
      sentences.join("\n")
    );
    await page.close();
  });

  it("downloads the bands table with every band's raw lines", async () => {
    const page = await openClean("speculative.html");
    const buttons = page.locator("div.bb-downloads").filter({has: page.locator("button[data-format=csv]")});
    const csv = csvParse(await download(page, buttons.nth(1).locator("button[data-format=csv]")));
    assert.deepEqual(csv.columns, [
      "config",
      "run",
      "metric",
      "origin",
      "what",
      "low",
      "high",
      "mid",
      "peak",
      "unit",
      "approximate",
      "source"
    ]);
    assert.ok(csv.some((r) => r.origin === "hand-entered") && csv.some((r) => r.origin === "derived"));
    assert.ok(csv.every((r) => /^[0-9a-f]{64}:\d+(,\d+)*$/.test(r.source)));
    await page.close();
  });
});
