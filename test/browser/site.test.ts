/**
 * The site built from the bundled store (data/), every page opened in
 * headless Chromium with every non-local request blocked: no failed request,
 * no console error, and charts drawing the marks the data calls for.
 */
import assert from "node:assert/strict";
import {join} from "node:path";
import {after, before, describe, it} from "node:test";
import type {Browser, Page} from "playwright-core";
import {toRow, type Row} from "../../scripts/schema/row.js";
import {Store} from "../../scripts/store/store.js";
import {readdirSync} from "node:fs";
import {cellErrors, chartProblems, openPage, tableProblems, type Served} from "../helpers/browser.js";
import {REPO, servedSite, type ServedSite} from "../helpers/site.js";
import type {ResultRow} from "../../src/components/shared/data.js";
import {decayLeftOut} from "../../src/components/pages/context-decay.js";
import {colorOf, RUNTIME_ORDER} from "../../src/components/shared/chart.js";
import {splitLeftOut, splitPoints} from "../../src/components/pages/multi-gpu.js";
import {quantLeftOut} from "../../src/components/pages/quantizations.js";
import {runtimeBars, runtimeGroups, runtimeLeftOut} from "../../src/components/pages/runtimes.js";
import {LATENCY_METRICS, servingLeftOut, THROUGHPUT_METRICS} from "../../src/components/pages/serving.js";
import {kvPoints, SPEC_METRICS, specBands, specLeftOut, specSeries} from "../../src/components/pages/speculative.js";
import {sweepLeftOut, sweepMetrics, sweepPoints, sweepSettings} from "../../src/components/pages/tuning.js";

const SERVING = new Set([...LATENCY_METRICS, ...THROUGHPUT_METRICS].map((m) => m.metric));

const store = new Store(join(REPO, "data"));
const inputs = [...store.readAll()];
const runs = inputs.flatMap((i) => i.runs);
const rows = runs.flatMap((run) => run.results.map((r) => toRow(run, r, false)));

let browser: Browser;
let site: Served;

let served: ServedSite;
before(async () => ({browser, site} = served = await servedSite(store)));
after(() => served?.close());

/** Draw every series: charts over 8 series show the first 8 until more are picked (shared/chart.ts seriesPicker). */
async function showAllSeries(page: Page) {
  for (const select of await page.$$(".bb-series-picker select")) {
    await select.selectOption(
      await select.$$eval("option", (options) => options.map((o) => (o as HTMLOptionElement).value))
    );
  }
  await page.waitForTimeout(300);
}

async function openClean(path: string) {
  const {page, problems} = await openPage(browser, site.url + path);
  assert.deepEqual(problems, {consoleErrors: [], pageErrors: [], externalRequests: [], failedRequests: []}, path);
  assert.deepEqual(await cellErrors(page), [], `${path}: cells that failed`);
  return page;
}

describe("site built from data/", () => {
  it("bundles some data to show", () => {
    assert.ok(runs.length > 0, "data/ holds runs");
  });

  it("overview: counts, machines, models and every run listed with a link to its raw lines", async () => {
    const page = await openClean("index.html");
    const cards = await page.$$eval(".bb-stats .card h2", (ns) => ns.map((n) => Number(n.textContent)));
    assert.deepEqual(cards.slice(0, 3), [inputs.length, runs.length, rows.length]);
    // Inputs.table renders lazily; show all rows by searching for nothing and reading the row count text.
    const count = await page.$eval("form input[type=search] + output", (n) => n.textContent ?? "");
    assert.match(count, new RegExp(`^${runs.length} results?$`));
    const links = await page.$$eval("a[href*='sources/']", (as) => as.map((a) => a.getAttribute("href")));
    assert.ok(
      links.length > 0 && links.every((h) => /^\.\/sources\/[0-9a-f]{64}\.html#L\d+$/.test(h!)),
      "run links point at raw lines"
    );
    await page.close();
  });

  it("overview: search filters the runs table", async () => {
    const page = await openClean("index.html");
    const target = runs.find((r) => r.hardware.stated === "Apple M4") ?? runs[0];
    const needle = target.hardware.stated ?? target.id;
    await page.fill("form input[type=search]", needle);
    await page.waitForTimeout(300);
    const count = Number.parseInt(await page.$eval("form input[type=search] + output", (n) => n.textContent ?? ""));
    const rowsShown = await page.$$eval(
      "table tbody tr",
      (trs) => trs.filter((tr) => tr.textContent?.includes("llama")).length
    );
    assert.ok(count >= 1 && count < runs.length, `search for ${needle}: ${count} of ${runs.length}`);
    assert.ok(rowsShown <= count);
    await page.close();
  });

  it("context decay: one dot per throughput mean, one line per curve, error bars where stddev > 0", async () => {
    const page = await openClean("context-decay.html");
    await page.waitForFunction(() => document.querySelectorAll("svg [aria-label=dot]").length >= 2);
    await showAllSeries(page);
    const figures = await page.$$eval("svg", (svgs) =>
      svgs
        .filter((s) => s.querySelector("[aria-label=dot]"))
        .map((s) => ({
          dots: s.querySelectorAll("[aria-label=dot] circle").length,
          lines: s.querySelectorAll("[aria-label=line]:not([aria-description=limit-line]) path").length,
          bars: s.querySelectorAll("[aria-label=rule] line").length
        }))
    );
    const means = rows.filter(
      (r) =>
        r.metric === "throughput" && r.stat === "mean" && r.scope === "run" && r.status === "ok" && r.n_depth !== null
    );
    for (const [i, kind] of (["pp", "tg"] as const).entries()) {
      const points = means.filter((r) => r.kind === kind);
      // A bench plan's depth sweep is one run per depth: its cells without the depth make one curve.
      const curve = (r: Row) => {
        const capture = (r.extra as {capture?: {cell_label?: string; plan?: {sha256: string} | null}} | null)?.capture;
        return capture?.plan && /· d\d+$/.test(capture.cell_label ?? "")
          ? `${capture.plan.sha256}|${capture.cell_label!.replace(/ · d\d+$/, "")}`
          : r.run_id;
      };
      const curves = new Set(
        points.map(
          (r) =>
            `${curve(r)}|${kind === "pp" ? r.n_prompt : r.n_gen}|${JSON.stringify((r.varied_settings as string[]).map((k) => (r.settings as Record<string, unknown>)[k]))}`
        )
      );
      assert.equal(figures[i].dots, points.length, `${kind} dots`);
      assert.equal(figures[i].lines, curves.size, `${kind} curves`);
      assert.equal(figures[i].bars, points.filter((r) => (r.stddev as number) > 0).length, `${kind} error bars`);
    }
    await page.close();
  });

  it("every page that leaves results out says how many and why", async () => {
    const ok = (r: Row) => r.metric === "throughput" && r.status === "ok" && r.value !== null;
    const count = (counts: {n: number}[]) => counts.reduce((n, c) => n + c.n, 0);
    // Each page's rows (its own filter, as the page states it) and what its components leave out of them.
    const runtimeRows = rows.filter((r) => ok(r) && r.runtime) as unknown as ResultRow[];
    const splitRows = rows.filter((r) => ok(r) && r.split_mode) as unknown as ResultRow[];
    const tuningRows = rows.filter(
      (r) => (r.scope ?? "run") === "run" && r.kind !== "hardware"
    ) as unknown as ResultRow[];
    const x = sweepSettings(tuningRows)[0].key;
    const metric = sweepMetrics(tuningRows, x)[0];
    const specMetrics = new Set([...SPEC_METRICS.map((m) => m.metric), "kv_capacity"]);
    const specRuns = new Set(
      rows
        .filter((r) => ["acceptance_length", "acceptance_rate", "kv_capacity"].includes(r.metric as string))
        .map((r) => r.run_id)
    );
    const specRows = rows.filter(
      (r) => specRuns.has(r.run_id) && specMetrics.has(r.metric as string)
    ) as unknown as ResultRow[];
    const expected: Record<string, number> = {
      "tuning.html": count(sweepLeftOut(tuningRows, sweepPoints(tuningRows, {x, metric}), {x, metric})),
      "speculative.html": count(specLeftOut(specRows, specSeries(specRows), specBands(specRows), kvPoints(specRows))),
      "context-decay.html": count(
        decayLeftOut(rows.filter((r) => r.metric === "throughput" && r.n_depth !== null) as unknown as ResultRow[])
      ),
      "runtimes.html": count(
        runtimeLeftOut(
          runtimeRows,
          {stat: "mean"},
          runtimeGroups(runtimeBars(runtimeRows, {minRuntimes: 2})).flatMap((g) => g.bars)
        )
      ),
      "quantizations.html": count(
        quantLeftOut(
          rows.filter(
            (r) => ok(r) && r.stat === "mean" && (r.kind === "pp" || r.kind === "tg")
          ) as unknown as ResultRow[],
          {depth: 0}
        )
      ),
      "multi-gpu.html": count(splitLeftOut(splitRows, splitPoints(splitRows))),
      "serving.html": count(
        servingLeftOut(rows.filter((r) => SERVING.has(r.metric as string)) as unknown as ResultRow[])
      )
    };
    for (const [path, n] of Object.entries(expected)) {
      // The bundled data leave something out on these pages (serving: nothing, which must then say nothing).
      if (path !== "serving.html") assert.ok(n > 0, `${path}: the bundled data have results this page leaves out`);
      const page = await openClean(path);
      const note = page.locator(".bb-left-out");
      // The note comes with the page's charts, after its data are read: on a loaded machine, later than the page settles.
      await note
        .first()
        .waitFor({state: "attached", timeout: 15000})
        .catch(() => {});
      assert.equal(await note.count(), 1, `${path}: one note`);
      if (n === 0) {
        assert.equal(await note.getAttribute("hidden"), "", `${path}: nothing left out, nothing said`);
        await page.close();
        continue;
      }
      assert.equal(Number(await note.getAttribute("data-left-out")), n, path);
      assert.match(
        (await note.textContent()) ?? "",
        new RegExp(`^${n.toLocaleString("en-US")} results? not shown( because |: )`),
        path
      );
      await page.close();
    }
  });

  it("context decay: unchecking a machine removes its curves", async () => {
    const page = await openClean("context-decay.html");
    const dots = () => page.$$eval("svg [aria-label=dot] circle", (cs) => cs.length);
    await page.waitForFunction(() => document.querySelectorAll("svg [aria-label=dot] circle").length > 0);
    await showAllSeries(page);
    const before = await dots();
    const drawn = rows.filter(
      (r) =>
        r.metric === "throughput" &&
        r.stat === "mean" &&
        r.scope === "run" &&
        r.status === "ok" &&
        r.n_depth !== null &&
        (r.kind === "pp" || r.kind === "tg")
    );
    const machine = drawn[0].hardware as string;
    await page.getByLabel(machine, {exact: true}).first().uncheck();
    await page.waitForTimeout(300);
    await showAllSeries(page);
    const removed = drawn.filter((r) => r.hardware === machine).length;
    assert.equal(await dots(), before - removed);
    await page.close();
  });

  it("a run page shows the settings that vary between its results as columns", async () => {
    // Seed 002's hand-entered run: one configuration after another (tensor split, batch sizes), buffers per GPU.
    const run = runs.find(
      (r) => r.results.length > 20 && new Set(r.results.map((x) => x.settings?.tensor_split)).size > 1
    )!;
    const page = await openClean(`runs/${run.id}.html`);
    const table = page.locator("table", {has: page.locator("th", {hasText: "raw line"})}).first();
    const headers = (await table.locator("thead th").allTextContents()).map((t) => t.trim());
    for (const key of ["tensor_split", "n_ubatch", "gpu"])
      assert.ok(headers.includes(key), `${key} in ${headers.join(", ")}`);
    const cells = await table.locator("tbody tr").first().locator("td").allTextContents();
    const first = run.results[0];
    assert.equal(
      cells[headers.indexOf("tensor_split")].trim(),
      String(first.settings?.tensor_split ?? run.settings.tensor_split ?? "—")
    );
    await page.close();
  });

  it("every raw input has a page showing its lines, with the value's line addressable", async () => {
    for (const input of inputs) {
      const page = await openClean(`sources/${input.source.sha256}.html`);
      const lines = await page.$$eval("table.raw-source tr", (trs) => trs.length);
      assert.equal(lines, input.source.lines);
      const result = input.runs.flatMap((r) => r.results).find((r) => r.value !== null);
      // A cell that failed before printing anything (the H100 oom cell) has no value line to find.
      if (!result) {
        await page.close();
        continue;
      }
      const text = await page.$eval(`#L${result.line} td.code`, (td) => td.textContent ?? "");
      // The line shows the value: as the tool printed it, or (hand-entered ranges) the number itself.
      assert.ok(
        (result.text && text.includes(result.text)) || text.includes(String(result.value)),
        `line ${result.line} (${text}) shows ${result.text ?? result.value}`
      );
      await page.close();
    }
  });

  it("every page passes the chart checks: no text outside its SVG, no overlapping tick labels, one colour per legend label and each runtime's own, no two series of a chart in colours too close to tell apart, no chart over 8 series without a picker, no table past the page without a scroll container", async () => {
    // A runtime named alone in a legend is drawn in its design-system colour on every chart.
    const fixedColors = Object.fromEntries(RUNTIME_ORDER.map((r) => [r, colorOf("runtime", r)]));
    const pages = [
      ...readdirSync(served.project.dist).filter((f) => f.endsWith(".html") && f !== "404.html"),
      ...readdirSync(join(served.project.dist, "reports")).map((f) => `reports/${f}`)
    ];
    const problems: string[] = [];
    for (const path of pages) {
      const page = await openClean(path);
      await page.setViewportSize({width: 1280, height: 900});
      await page.waitForTimeout(200);
      for (const problem of await chartProblems(page, {fixedColors})) problems.push(`${path}: ${problem}`);
      // Wide tables scroll in their own box, on a wide screen and a laptop's half screen alike.
      for (const width of [1280, 760]) {
        await page.setViewportSize({width, height: 900});
        await page.waitForTimeout(200);
        for (const problem of await tableProblems(page)) problems.push(`${path} at ${width} px: ${problem}`);
      }
      await page.close();
    }
    assert.deepEqual(problems, []);
  });

  it("a link to a raw line lands on that line, highlighted and scrolled into view after the rows render", async () => {
    const input = inputs.find((i) => i.source.lines > 80) ?? inputs[0];
    const line = Math.min(input.source.lines, 75);
    const page = await openClean(`sources/${input.source.sha256}.html#L${line}`);
    await page.waitForSelector("tr.bb-target");
    assert.deepEqual(await page.$$eval("tr.bb-target", (trs) => trs.map((tr) => tr.id)), [`L${line}`]);
    const inView = await page.$eval(`#L${line}`, (tr) => {
      const r = tr.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= innerHeight;
    });
    assert.ok(inView, `line ${line} is scrolled into view`);
    await page.close();
  });
});

describe("against the hardware's limits (docs/efficiency.md)", () => {
  const share = (r: (typeof rows)[number]) =>
    (r.kind === "tg" ? r.bw_util : r.kind === "pp" ? r.compute_util : null) as number | null;
  const means = rows.filter(
    (r) => r.metric === "throughput" && r.stat === "mean" && r.scope === "run" && r.status === "ok" && r.value !== null
  );

  it("context decay: a limit mark for every mean whose limit is known", async () => {
    const page = await openClean("context-decay.html");
    await page.waitForFunction(() => document.querySelectorAll("svg [aria-label=dot]").length >= 2);
    await showAllSeries(page);
    const limits = await page.$$eval("svg", (svgs) =>
      svgs
        .filter((s) => s.querySelector("[aria-label=dot]"))
        .map((s) => s.querySelectorAll("[aria-description=limit] path").length)
    );
    for (const [i, kind] of (["pp", "tg"] as const).entries()) {
      const known = means.filter((r) => r.kind === kind && r.n_depth !== null && share(r) !== null);
      assert.ok(known.length > 0, kind);
      assert.equal(limits[i], known.length, `${kind} limit marks`);
    }
    // The tables say how close each value came, in a "% of limit" column.
    assert.ok((await page.locator("table thead th").allTextContents()).includes("% of limit"));
    const shown = new Set(await page.locator("table tbody td span[title*=' of ']").allTextContents());
    const expected = new Set(
      means.filter((r) => r.n_depth !== null && share(r) !== null).map((r) => `${(share(r)! * 100).toFixed(1)}%`)
    );
    assert.ok(shown.size > 0 && [...shown].every((t) => expected.has(t)), `${[...shown]} ⊄ ${[...expected]}`);
    await page.close();
  });

  it("quantizations: tg against bytes per token, one dot per tg mean with a bandwidth share, one curve per machine's peak", async () => {
    const page = await openClean("quantizations.html");
    const figure = page.locator(".bb-figure", {has: page.locator("[aria-description=bandwidth]")});
    const known = means.filter((r) => r.kind === "tg" && (r.n_depth ?? 0) === 0 && r.bw_util !== null);
    assert.equal(await figure.locator("[aria-description=bandwidth] > *").count(), known.length);
    const peaks = new Set(known.map((r) => `${r.peak_device}|${r.peak_bw_gbs}`));
    assert.equal(await figure.locator("[aria-label=line] path").count(), peaks.size);
    await page.close();
  });

  it("hardware: each machine's peaks and its best share of each limit, linked to its raw line", async () => {
    const page = await openClean("hardware.html");
    const machine = "NVIDIA GeForce RTX 4090";
    const best = Math.max(
      ...means
        .filter((r) => r.hardware === machine && r.kind === "tg" && r.bw_util !== null)
        .map((r) => r.bw_util as number)
    );
    const row = page
      .locator("tr", {has: page.locator("td", {hasText: /^NVIDIA GeForce RTX 4090$/})})
      .filter({hasText: "1008"});
    assert.match((await row.first().textContent())!, new RegExp(`${(best * 100).toFixed(1)}%`));
    assert.ok((await row.first().locator("a[href*='sources/']").count()) >= 1);
    await page.close();
  });

  it("a run page shows each result's % of limit", async () => {
    const run = runs.find((r) => r.model.name === "qwen35 9B Q8_0")!;
    const page = await openClean(`runs/${run.id}.html`);
    const header = await page.locator("table thead th").allTextContents();
    assert.ok(header.includes("% of limit"), header.join(","));
    const tg = rows.find((r) => r.run_id === run.id && r.test === "tg64")!;
    assert.ok((await page.locator("td", {hasText: `${((tg.bw_util as number) * 100).toFixed(1)}%`}).count()) >= 1);
    await page.close();
  });
});
