/**
 * The comparison pages — runtimes, quantizations, multi-GPU, tuning,
 * hardware — built from the bundled store plus the fixtures it lacks (the
 * hand-entered retuning log of writeup 002, a captured llama-bench -ub/-t
 * sweep, nvidia-smi outputs), opened in headless Chromium with every
 * non-local request blocked: no console error, no failed cell, the marks the
 * data calls for (counted from the store's rows, not from the components),
 * filters that change the marks and land in the URL, and a dark theme.
 */
import assert from "node:assert/strict";
import {cpSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, it} from "node:test";
import {csvParse} from "d3-dsv";
import type {Browser, Page} from "playwright-core";
import {importInputs} from "../../scripts/import/import.js";
import {toRow} from "../../scripts/schema/row.js";
import {Store} from "../../scripts/store/store.js";
import type {ResultRow} from "../../src/components/shared/data.js";
import {modelFamily} from "../../src/components/shared/rows.js";
import {cellErrors, openPage, settle, type Served} from "../helpers/browser.js";
import {tempDir} from "../helpers/cli.js";
import {fixtureText} from "../helpers/fixtures.js";
import {REPO, servedSite, type ServedSite} from "../helpers/site.js";

const store = new Store(tempDir("benchbook-comparison-store-"));
cpSync(join(REPO, "data"), store.root, {recursive: true});
const bundledRuns = [...store.readAll()].flatMap((i) => i.runs);
const extra = [
  "seeds/002-dual-3060-retune.yaml",
  "captured/cpu/llama-bench-sweep-md.stdout",
  "nvidia-smi/nvidia-smi-default.txt",
  "nvidia-smi/query-seed002.csv"
];
// Seed 001's server and MLX blocks, where the bundled store was imported before their parsers existed.
if (!bundledRuns.some((r) => r.tool === "llama-benchy")) extra.push("llama-benchy/seed-001-servers.txt");
if (!bundledRuns.some((r) => r.runtime === "mlx")) extra.push("mlx/seed-001-m4.txt");
importInputs(
  extra.map((name) => ({name, bytes: Buffer.from(fixtureText(name))})),
  {store, tags: {writeup: "test-fixtures"}}
);
const rows = [...store.readAll()].flatMap((i) =>
  i.runs.flatMap((run) => run.results.map((r) => toRow(run, r, false)))
) as unknown as ResultRow[];

let browser: Browser;
let site: Served;

let served: ServedSite;
before(async () => ({browser, site} = served = await servedSite(store)));
after(() => served?.close());

async function openClean(path: string): Promise<Page> {
  const {page, problems} = await openPage(browser, site.url + path);
  // Every comparison page draws a chart or a card once its data is in.
  await page.waitForSelector(".bb-figure svg, .bb-hardware-card", {timeout: 30_000});
  await settle(page);
  assert.deepEqual(problems, {consoleErrors: [], pageErrors: [], externalRequests: [], failedRequests: []}, path);
  assert.deepEqual(await cellErrors(page), [], `${path}: cells that failed`);
  return page;
}

const count = (page: Page, selector: string) => page.locator(selector).count();
const size = (r: ResultRow) => (r.kind === "pp" ? r.n_prompt : r.kind === "tg" ? r.n_gen : `${r.n_prompt}+${r.n_gen}`);
const shape = (r: ResultRow) => `${r.kind}|${size(r)}|${r.n_depth ?? 0}|${r.concurrency ?? 1}`;
const means = (r: ResultRow) =>
  r.metric === "throughput" &&
  r.stat === "mean" &&
  r.status === "ok" &&
  r.value !== null &&
  (r.scope ?? "run") === "run";

async function uncheck(page: Page, filter: string, label: string): Promise<void> {
  await page.locator(`[data-filter="${filter}"]`).getByLabel(label, {exact: true}).uncheck();
  await page.waitForTimeout(400);
  await settle(page);
}

async function download(page: Page, selector: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent("download"), page.click(selector)]);
  return readFileSync((await file.path())!, "utf8");
}

/** The page in the dark theme: no errors, a dark background, charts drawn in a light currentColor. */
async function darkTheme(path: string): Promise<void> {
  const page = await browser.newPage({colorScheme: "dark"});
  const errors: string[] = [];
  page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.route("**/*", (route) =>
    ["127.0.0.1", "localhost"].includes(new URL(route.request().url()).hostname) ? route.continue() : route.abort()
  );
  await page.goto(site.url + path);
  await page.waitForSelector(".bb-figure svg, .bb-hardware-card", {timeout: 30_000});
  await settle(page);
  assert.deepEqual(errors, [], `${path} (dark)`);
  const luminance = (css: string) => {
    const [r, g, b] = css.match(/\d+(\.\d+)?/g)!.map(Number);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.ok(luminance(background) < 80, `${path}: dark background (${background})`);
  const ink = await page.evaluate(() => {
    const svg = document.querySelector(".bb-figure svg") ?? document.querySelector(".bb-hardware-card");
    return svg ? getComputedStyle(svg).color : null;
  });
  assert.ok(ink && luminance(ink) > 150, `${path}: light ink on dark (${ink})`);
  await page.close();
}

// ─── runtimes ───────────────────────────────────────────────────────────────

/** Throughput means in (machine, model family) groups measured with two or more runtimes. */
function runtimeRows(from: ResultRow[]): ResultRow[] {
  const selected = from.filter((r) => means(r) && r.runtime);
  const key = (r: ResultRow) => `${r.hardware || "hardware not stated"}|${modelFamily(r)}`;
  const runtimes = new Map<string, Set<string>>();
  for (const r of selected) runtimes.set(key(r), (runtimes.get(key(r)) ?? new Set()).add(String(r.runtime)));
  return selected.filter((r) => runtimes.get(key(r))!.size >= 2);
}

/** Bars that get a ratio: those of a group's other runtimes with a baseline bar of the same test. */
function ratioRows(expected: ResultRow[], baseline: string): ResultRow[] {
  const key = (r: ResultRow) => `${r.hardware || "hardware not stated"}|${modelFamily(r)}`;
  const order = ["llama.cpp", "vllm", "sglang", "mlx", "lmstudio"];
  const baseOf = new Map<string, string>();
  for (const k of new Set(expected.map(key))) {
    const runtimes = [...new Set(expected.filter((r) => key(r) === k).map((r) => String(r.runtime)))].sort(
      (a, b) => order.indexOf(a) - order.indexOf(b)
    );
    baseOf.set(k, runtimes.includes(baseline) ? baseline : runtimes[0]);
  }
  return expected.filter(
    (r) =>
      r.runtime !== baseOf.get(key(r)) &&
      expected.some((b) => b.runtime === baseOf.get(key(r)) && key(b) === key(r) && shape(b) === shape(r))
  );
}

describe("runtimes page", () => {
  it("draws one bar per runtime, test and depth, and one ratio per bar that has a llama.cpp bar of the same test", async () => {
    const page = await openClean("runtimes.html");
    const expected = runtimeRows(rows);
    assert.ok(
      expected.length >= 24,
      "seed 001: llama.cpp, SGLang and vLLM on the RTX 4090; llama.cpp and MLX on the Apple M4"
    );
    assert.equal(await count(page, ".bb-figure [aria-label=bar] rect"), expected.length);
    assert.equal(
      await count(page, "[aria-description=ratio] circle, [aria-description=ratio-noise] circle"),
      ratioRows(expected, "llama.cpp").length
    );
    const titles = await page.locator(".bb-figure [aria-label=bar] rect title").allTextContents();
    for (const r of expected)
      assert.ok(
        titles.some((t) => t.includes(`: ${r.value}`)),
        `bar for ${r.runtime} ${r.test} = ${r.value}`
      );
    // The table under the charts: one CSV row per bar, values as stored, each with its raw line.
    const csv = csvParse(await download(page, "div.bb-downloads >> nth=-1 >> button[data-format=csv]"));
    assert.equal(csv.length, expected.length);
    assert.deepEqual(
      csv.map((r) => Number(r.value)).sort((a, b) => a - b),
      expected.map((r) => r.value!).sort((a, b) => a - b)
    );
    assert.ok(csv.every((r) => /^[0-9a-f]{64}:\d+$/.test(r.source)));
    await page.close();
  });

  it("unchecking vLLM removes its bars and lands in the URL", async () => {
    const page = await openClean("runtimes.html");
    await uncheck(page, "runtime", "vllm");
    const expected = runtimeRows(rows.filter((r) => r.runtime !== "vllm"));
    assert.equal(await count(page, ".bb-figure [aria-label=bar] rect"), expected.length);
    assert.ok(expected.length < runtimeRows(rows).length);
    assert.match(page.url(), /[?&]runtime=/);
    assert.ok(!decodeURIComponent(page.url()).includes("runtime=vllm"));
    await page.close();
  });

  it("another baseline runtime changes the ratios, and is kept in the URL", async () => {
    const page = await openClean("runtimes.html");
    await page.locator("[data-param=baseline] select").selectOption({label: "sglang"});
    await page.waitForTimeout(400);
    await settle(page);
    const expected = ratioRows(runtimeRows(rows), "sglang");
    assert.equal(
      await count(page, "[aria-description=ratio] circle, [aria-description=ratio-noise] circle"),
      expected.length
    );
    const titles = await page
      .locator("[aria-description=ratio] circle title, [aria-description=ratio-noise] circle title")
      .allTextContents();
    assert.ok(titles.some((t) => /of sglang/.test(t)));
    assert.match(page.url(), /[?&]baseline=sglang/);
    await page.close();
  });

  it("renders in the dark theme", () => darkTheme("runtimes.html"));
});

// ─── quantizations ──────────────────────────────────────────────────────────

const GIB: Record<string, number> = {GiB: 1, MiB: 1 / 1024, GB: 1e9 / 2 ** 30, MB: 1e6 / 2 ** 30};
const sizeOf = (r: ResultRow) =>
  r.size_bytes
    ? r.size_bytes / 2 ** 30
    : r.size_value !== null && GIB[r.size_unit]
      ? r.size_value * GIB[r.size_unit]
      : null;

function quantRows(from: ResultRow[], kind: string): ResultRow[] {
  return from.filter((r) => means(r) && r.kind === kind && (r.n_depth ?? 0) === 0 && sizeOf(r) !== null);
}

/** Points no other of the same machine, test and setup beats on both size and speed. */
function frontier(points: ResultRow[]): ResultRow[] {
  const setup = (r: ResultRow) =>
    `${r.hardware}|${shape(r)}|${r.runtime}|${r.split_mode}|${(r.varied_settings as string[]).map((k) => `${k}=${r.settings[k]}`).join(",")}`;
  return points.filter(
    (p) =>
      !points.some(
        (q) =>
          q !== p &&
          setup(q) === setup(p) &&
          sizeOf(q)! <= sizeOf(p)! &&
          q.value! >= p.value! &&
          (sizeOf(q)! < sizeOf(p)! || q.value! > p.value! || points.indexOf(q) < points.indexOf(p))
      )
  );
}

describe("quantizations page", () => {
  it("plots every mean with a model size at depth 0, rings the Pareto frontier, and lines up the quant ladders", async () => {
    const page = await openClean("quantizations.html");
    const figures = page.locator(".bb-figure");
    for (const [i, kind] of ["pp", "tg"].entries()) {
      const points = quantRows(rows, kind);
      assert.ok(points.length > 0);
      assert.equal(await figures.nth(i).locator("[aria-description=quant] > *").count(), points.length, `${kind} dots`);
      assert.equal(
        await figures.nth(i).locator("[aria-description=frontier] circle").count(),
        frontier(points).length,
        `${kind} frontier`
      );
    }
    // Qwen3.5-35B-A3B on the RTX 4090: three llama-bench quants, pp and tg.
    const ladder = figures.filter({has: page.locator("h3", {hasText: "Qwen3.5-35B-A3B on NVIDIA GeForce RTX 4090"})});
    const rungs = rows.filter(
      (r) =>
        means(r) &&
        r.tool === "llama-bench" &&
        r.hardware === "NVIDIA GeForce RTX 4090" &&
        String(r.model_label).startsWith("Qwen3.5-35B-A3B") &&
        (r.n_depth ?? 0) === 0
    );
    assert.equal(rungs.length, 6);
    assert.equal(await ladder.locator("[aria-label=bar] rect").count(), rungs.length);
    await page.close();
  });

  it("unchecking a machine removes its dots and lands in the URL", async () => {
    const page = await openClean("quantizations.html");
    await uncheck(page, "hardware", "NVIDIA GeForce RTX 4090");
    const expected = quantRows(rows, "pp").filter((r) => r.hardware !== "NVIDIA GeForce RTX 4090");
    assert.equal(
      await page.locator(".bb-figure").first().locator("[aria-description=quant] > *").count(),
      expected.length
    );
    assert.match(page.url(), /[?&]hardware=/);
    await page.close();
  });

  it("renders in the dark theme", () => darkTheme("quantizations.html"));
});

// ─── multi-GPU ──────────────────────────────────────────────────────────────

function splitRows(from: ResultRow[]): {points: ResultRow[]; speedups: ResultRow[]} {
  const selected = from.filter((r) => means(r) && r.split_mode);
  const group = (r: ResultRow) => {
    const {split_mode: _, ...rest} = r.settings as Record<string, unknown>;
    return `${r.hardware}|${r.model_label}|${r.tool}|${r.runtime}|${JSON.stringify(Object.entries(rest).sort())}`;
  };
  const modes = new Map<string, Set<string>>();
  for (const r of selected) modes.set(group(r), (modes.get(group(r)) ?? new Set()).add(String(r.split_mode)));
  const points = selected.filter((r) => modes.get(group(r))!.size >= 2);
  const speedups = points.filter(
    (r) =>
      r.split_mode !== "layer" &&
      points.some((l) => l.split_mode === "layer" && group(l) === group(r) && shape(l) === shape(r))
  );
  return {points, speedups};
}

describe("multi-GPU page", () => {
  it("draws a bar per mode and test, and tensor split's speedup over layer for each test of both seed-000 models", async () => {
    const page = await openClean("multi-gpu.html");
    const {points, speedups} = splitRows(rows);
    assert.equal(speedups.length, 8, "2 models × 4 tests (pp512, tg128, at depth 0 and 16384)");
    assert.equal(
      await count(page, "[aria-description=speedup] circle, [aria-description=speedup-noise] circle"),
      speedups.length
    );
    assert.equal(await count(page, ".bb-figure [aria-label=bar] rect"), points.length);
    // "Tensor split roughly doubles tg for the dense model": the tooltip carries the value ± sd with its kind, the ratio with its interval, the raw line.
    const titles = await page.locator("[aria-description=speedup] circle title").allTextContents();
    assert.ok(
      titles.some(
        (t) =>
          t.startsWith("Mistral-Medium-3.5-128B-IQ4_XS") &&
          /sm tensor\ntg128: mean 21\.59 ± 0\.05 tok\/s\n± is sample sd\n/.test(t) &&
          /2\.08× \[/.test(t) &&
          /raw line \d+/.test(t)
      ),
      titles.join("\n---\n")
    );
    // Every speedup dot and bar links to its raw line.
    const hrefs = await page
      .locator("[aria-description=speedup] a, [aria-label=bar] a")
      .evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    assert.ok(
      hrefs.length >= speedups.length && hrefs.every((h) => /^\.\/sources\/[0-9a-f]{64}\.html#L\d+$/.test(h ?? "")),
      hrefs.join(" ")
    );
    await page.close();
  });

  it("unchecking a model removes its speedups and lands in the URL", async () => {
    const page = await openClean("multi-gpu.html");
    await uncheck(page, "model_label", "Mistral-Medium-3.5-128B-IQ4_XS");
    const {speedups} = splitRows(rows.filter((r) => r.model_label !== "Mistral-Medium-3.5-128B-IQ4_XS"));
    assert.equal(
      await count(page, "[aria-description=speedup] circle, [aria-description=speedup-noise] circle"),
      speedups.length
    );
    assert.match(page.url(), /[?&]model_label=/);
    await page.close();
  });

  it("renders in the dark theme", () => darkTheme("multi-gpu.html"));
});

// ─── tuning ─────────────────────────────────────────────────────────────────

describe("tuning page", () => {
  it("a -ts sweep of the 2× RTX 3060's buffers, with the splits that failed to start marked and explained", async () => {
    const page = await openClean("tuning.html?sweep=tensor_split&metric=model_buffer");
    assert.equal(await page.locator("[data-param=sweep] select option:checked").textContent(), "tensor_split");
    assert.equal(await page.locator("[data-param=metric] select option:checked").textContent(), "model_buffer");
    const ok = rows.filter(
      (r) => r.metric === "model_buffer" && r.status === "ok" && r.settings?.tensor_split !== undefined
    );
    const okSplits = new Set(ok.map((r) => String(r.settings.tensor_split)));
    const failed = rows.filter(
      (r) =>
        r.status !== "ok" &&
        r.settings?.tensor_split !== undefined &&
        !okSplits.has(String(r.settings.tensor_split)) &&
        r.model_label === ok[0].model_label
    );
    assert.ok(ok.length >= 6 && failed.length >= 3);
    assert.equal(await count(page, "[aria-description=sweep] circle"), ok.length);
    assert.equal(await count(page, "[aria-description=failed] > *"), failed.length);
    const titles = await page.locator("[aria-description=failed] title").allTextContents();
    for (const f of failed)
      assert.ok(
        titles.some((t) => t.includes(String(f.settings.tensor_split)) && t.includes(String(f.status_detail))),
        `failure at ${f.settings.tensor_split}`
      );
    // The sweep's table downloads as one row per point, failures included.
    const csv = csvParse(await download(page, "div.bb-downloads >> nth=0 >> button[data-format=csv]"));
    assert.equal(csv.length, ok.length + failed.length);
    await page.close();
  });

  it("a -ub sweep: unchecking measured results leaves the hand-entered ones, and the choice lands in the URL", async () => {
    const page = await openClean("tuning.html?sweep=n_ubatch&metric=throughput");
    const swept = (from: ResultRow[]) => {
      const central = from.filter(
        (r) =>
          r.metric === "throughput" &&
          r.status === "ok" &&
          ["mean", "value", "median"].includes(r.stat) &&
          r.settings?.n_ubatch !== undefined
      );
      const key = (r: ResultRow) =>
        `${r.hardware}|${r.model_label}|${r.origin}|${shape(r)}|${r.n_prompt}|${r.stat}|${r.settings.n_threads}`;
      const values = new Map<string, Set<string>>();
      for (const r of central) values.set(key(r), (values.get(key(r)) ?? new Set()).add(String(r.settings.n_ubatch)));
      return central.filter((r) => values.get(key(r))!.size >= 2);
    };
    assert.equal(await count(page, "[aria-description=sweep] circle"), swept(rows).length);
    await uncheck(page, "origin", "measured");
    const handOnly = swept(rows.filter((r) => r.origin === "hand-entered"));
    assert.ok(handOnly.length > 0 && handOnly.length < swept(rows).length);
    assert.equal(await count(page, "[aria-description=sweep] circle"), handOnly.length);
    assert.match(page.url(), /[?&]origin=hand-entered/);
    assert.match(page.url(), /[?&]sweep=n_ubatch/);
    await page.close();
  });

  it("before/after: ub 128 → 256 changes one setting and prefill 649 → 1,157 t/s; the pair is kept in the URL", async () => {
    const page = await openClean("tuning.html");
    await page
      .locator("[data-param=before] select")
      .selectOption({label: "balanced (v3 retune) · 2× RTX 3060 12GB · n_ubatch 128"});
    await page.locator("[data-param=after] select").selectOption({label: "balanced (v3 retune) · 2× RTX 3060 12GB"});
    await page.waitForTimeout(400);
    await settle(page);
    const [ub128, ub256] = [128, 256].map(
      (ub) =>
        rows.find(
          (r) => r.kind === "pp" && r.metric === "throughput" && r.n_prompt === 3100 && r.settings?.n_ubatch === ub
        )!.value
    );
    const changes = await page
      .locator("xpath=//h3[@id='what-changed']/following-sibling::*[.//table][1]//tbody/tr")
      .allTextContents();
    assert.equal(changes.length, 1, changes.join(" / "));
    assert.match(changes[0], /n_ubatch\s*128\s*256/);
    const deltas = await page.locator("[aria-description=delta] circle title").allTextContents();
    assert.ok(
      deltas.some((t) => t.includes(`${ub128} tok/s → ${ub256} tok/s`)),
      deltas.join("\n")
    );
    assert.match(page.url(), /[?&]before=[^&]+/);
    assert.match(page.url(), /[?&]after=[^&]+/);
    const again = await openClean(page.url().replace(site.url, ""));
    assert.equal(
      await again.locator("[data-param=before] select option:checked").textContent(),
      "balanced (v3 retune) · 2× RTX 3060 12GB · n_ubatch 128"
    );
    await again.close();
    await page.close();
  });

  it("renders in the dark theme", () => darkTheme("tuning.html"));
});

// ─── hardware ───────────────────────────────────────────────────────────────

describe("hardware page", () => {
  const label = (r: ResultRow) => r.hardware || r.gpu_name || "hardware not stated";

  it("one card per machine, with its GPUs, the PCIe links stated for the 2× RTX 3060, and links to raw lines", async () => {
    const page = await openClean("hardware.html");
    const machines = new Set(rows.map(label));
    assert.equal(await count(page, ".bb-hardware-card"), machines.size);
    const rtx3080 = page.locator(".bb-hardware-card", {
      has: page.locator("h2", {hasText: /^4× NVIDIA GeForce RTX 3080$/})
    });
    const gpus = new Set(
      rows
        .filter((r) => r.hardware === "4× NVIDIA GeForce RTX 3080")
        .flatMap((r) => (r.gpus as {index: number}[]).map((g) => g.index))
    );
    assert.equal(await rtx3080.locator("table.bb-gpus tbody tr").count(), gpus.size);
    const rtx3060 = page.locator(".bb-hardware-card", {has: page.locator("h2", {hasText: /^2× RTX 3060 12GB$/})});
    const links = rows.find((r) => r.hardware === "2× RTX 3060 12GB")!.gpus as {extra: {pcie_current: string}}[];
    for (const g of links)
      assert.ok((await rtx3060.textContent())!.includes(g.extra.pcie_current), g.extra.pcie_current);
    const hrefs = await page.locator(".bb-hardware-card a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    assert.ok(hrefs.length >= machines.size && hrefs.every((h) => /^\.\/sources\/[0-9a-f]{64}\.html#L\d+$/.test(h!)));
    await page.close();
  });

  it("unchecking a tool removes the machines only it described, and lands in the URL", async () => {
    const page = await openClean("hardware.html");
    await uncheck(page, "tool", "nvidia-smi");
    assert.equal(
      await count(page, ".bb-hardware-card"),
      new Set(rows.filter((r) => r.tool !== "nvidia-smi").map(label)).size
    );
    assert.match(page.url(), /[?&]tool=/);
    await page.close();
  });

  it("renders in the dark theme", () => darkTheme("hardware.html"));
});
