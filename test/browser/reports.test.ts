/**
 * The narrative reports (src/reports/*.md) in the browser: each renders
 * without errors or external requests, draws the marks the data imply, and
 * every number quoted in its prose (components/claims.ts) is the number in
 * the store, linked to a raw line that contains it. Expectations are
 * computed here from the store's rows, not from the components.
 *
 * The store is the bundled data/, plus seed fixtures for any report whose tag
 * the bundled data lack (writeups 002 and 003 are entered by hand and were
 * added to data/ after the reports were written).
 *
 * Also: `benchbook new-report` scaffolds a page that builds, renders and is
 * listed in the sidebar; claims stay readable in the dark theme.
 */
import assert from "node:assert/strict";
import {join} from "node:path";
import {after, before, describe, it} from "node:test";
import type {Browser, Page} from "playwright-core";
import {toRow, type Row} from "../../scripts/schema/row.js";
import {Store} from "../../scripts/store/store.js";
import {compareMeans} from "../../scripts/statistics/uncertainty.js";
import {cellErrors, openPage, settle, type Served} from "../helpers/browser.js";
import {cli} from "../helpers/cli.js";
import {servedSite, type ServedSite} from "../helpers/site.js";
import {reportStore} from "./reports-store.js";

const HOSTILE_TITLE = "Title ${alert(1)} ${globalThis.__pwned = 1} <img src=x onerror=alert(2)>";
const HOSTILE_TAG = "</script><script>globalThis.__pwned = 2</script>${globalThis.__pwned = 3}";

/** Scaffolds made by new-report for these writeups' tags, and the charts each should draw. */
const SCAFFOLDS: Record<string, string> = {
  "Scaffold 4090": "rtx4090-qwen35-glm-m4",
  "Scaffold retune": "dual-3060-retune",
  "Scaffold pro 6000": "rtx-pro-6000-vllm-sglang"
};

let store: Store;
let rows: Row[];
let browser: Browser;
let site: Served;
let served: ServedSite;

before(async () => {
  store = reportStore();
  rows = [...store.readAll()].flatMap((input) =>
    input.runs.flatMap((run) => run.results.map((r) => toRow(run, r, false)))
  );
  ({browser, site} = served = await servedSite(store, async (project) => {
    const made = await cli([
      "new-report",
      "Scaffold check",
      "--tag",
      "writeup=4x3080-layer-vs-tensor",
      "--dir",
      join(project.root, "src/reports"),
      "--store",
      store.root
    ]);
    assert.equal(made.code, 0, made.stderr);
    // Scaffolds fitted to other selections: depth sweeps + quantizations + runtimes, one depth only, runtimes by peaks.
    for (const [title, tag] of Object.entries(SCAFFOLDS)) {
      const other = await cli([
        "new-report",
        title,
        "--tag",
        `writeup=${tag}`,
        "--dir",
        join(project.root, "src/reports"),
        "--store",
        store.root
      ]);
      assert.equal(other.code, 0, other.stderr);
    }
    // Untrusted text in a title and a tag: shown as text, never run.
    const hostile = await cli([
      "new-report",
      HOSTILE_TITLE,
      "--tag",
      `writeup=${HOSTILE_TAG}`,
      "--dir",
      join(project.root, "src/reports")
    ]);
    assert.equal(hostile.code, 0, hostile.stderr);
  }));
});
after(() => served?.close());

const tagged = (tag: string) => rows.filter((r) => (r.tags as Record<string, string>)?.writeup === tag);
/** Exactly one store row matching `where`. */
function row(tag: string, where: Record<string, unknown>): Row {
  const found = tagged(tag).filter((r) => Object.entries(where).every(([k, v]) => r[k] === v));
  assert.equal(found.length, 1, `one row for ${JSON.stringify(where)}, found ${found.length}`);
  return found[0];
}
const measured = (r: Row) => ({
  value: r.value as number,
  stddev: (r.stddev as number | null) ?? null,
  stddev_kind: (r.stddev_kind as string | null) ?? null,
  repetitions: (r.repetitions as number | null) ?? null
});

async function open(path: string): Promise<Page> {
  const {page, problems} = await openPage(browser, site.url + path);
  assert.deepEqual(problems, {consoleErrors: [], pageErrors: [], externalRequests: [], failedRequests: []}, path);
  assert.deepEqual(await cellErrors(page), [], path);
  return page;
}

interface ClaimInfo {
  kind: string;
  id: string | null;
  text: string;
  href: string | null;
  data: Record<string, string>;
  hand: boolean;
}

async function claims(page: Page): Promise<ClaimInfo[]> {
  return page.$$eval(".bb-claim", (nodes) =>
    nodes.map((n) => {
      const el = n as HTMLElement;
      const wrap = el.closest(".bb-claim-wrap, .bb-range") ?? el;
      return {
        kind: [...el.classList].find((c) => c !== "bb-claim" && c.startsWith("bb-"))!.slice(3),
        id: el.dataset.claim ?? null,
        text: el.textContent ?? "",
        href: el.getAttribute("href"),
        data: {...el.dataset} as Record<string, string>,
        hand: wrap.querySelector(".bb-hand") !== null
      };
    })
  );
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

const storeRowAt = (sha: string, line: number, value: string) =>
  rows.find(
    (r) => r.source_sha256 === sha && r.line === line && (value === "" ? r.value === null : r.value === Number(value))
  );

function formatted(kind: string, a: number, b: number): string {
  const r = b / a;
  if (kind === "ratio") return `${r.toFixed(2)}×`;
  if (kind === "share") return `${(r * 100).toFixed(1)}%`;
  const pct = (r - 1) * 100;
  return `${pct >= 0 ? "+" : "−"}${Math.abs(pct).toFixed(0)}%`;
}

/**
 * Every claim on a page: its number is in the store at the line it links to,
 * the displayed text is that number (or b/a of two of them), hand-entered
 * values are marked, and each linked raw line (opened in the browser) contains it.
 */
async function checkClaims(page: Page): Promise<ClaimInfo[]> {
  // An expression Framework did not evaluate (inside `code`, say) would show as text.
  const text = (await page.locator("#observablehq-main").textContent()) ?? "";
  assert.ok(
    !/\$\{/.test(text.replace(/<!--[\s\S]*?-->/g, "")),
    `unevaluated \${…} on the page: ${text.slice(Math.max(0, text.indexOf("${") - 80), text.indexOf("${") + 80)}`
  );
  const found = await claims(page);
  assert.ok(found.length > 0, "the report quotes numbers");
  const lines: {sha: string; line: number; value: string}[] = [];
  for (const c of found) {
    if (c.kind === "value" || c.kind === "fact") {
      assert.equal(c.href, `../sources/${c.data.source}.html#L${c.data.line}`, c.text);
      assert.ok(c.text.includes(c.data.value), `"${c.text}" shows ${c.data.value}`);
      if (c.kind === "value") {
        const r = storeRowAt(c.data.source, Number(c.data.line), c.data.value);
        assert.ok(r, `a stored value ${c.data.value} at ${c.data.source.slice(0, 12)}:${c.data.line}`);
        if (r.status !== "ok") assert.ok(c.text.startsWith(String(r.status)));
        assert.equal(c.hand, r.origin === "hand-entered", `${c.id ?? c.text}: hand-entered mark`);
      }
      lines.push({sha: c.data.source, line: Number(c.data.line), value: c.data.value});
    } else {
      const a = storeRowAt(c.data.aSource, Number(c.data.aLine), c.data.aValue);
      const b = storeRowAt(c.data.bSource, Number(c.data.bLine), c.data.bValue);
      assert.ok(a && b, `${c.id}: both values are stored at their lines`);
      assert.ok(
        c.text.startsWith(formatted(c.kind, a.value as number, b.value as number)),
        `${c.id}: "${c.text}" starts with ${formatted(c.kind, a.value as number, b.value as number)}`
      );
      const comparison = compareMeans(measuredOrSamples(a), measuredOrSamples(b));
      assert.equal(c.data.method, comparison.method, `${c.id}: method`);
      assert.equal(c.text.includes("within noise"), comparison.noise === true, `${c.id}: noise mark`);
      assert.equal(c.hand, a.origin === "hand-entered" || b.origin === "hand-entered", `${c.id}: hand-entered mark`);
      lines.push(
        {sha: c.data.aSource, line: Number(c.data.aLine), value: c.data.aValue},
        {sha: c.data.bSource, line: Number(c.data.bLine), value: c.data.bValue}
      );
    }
  }
  // Follow the links: each raw line, as the source page shows it, contains the number.
  const bySource = groupBy(lines, (l) => l.sha);
  for (const [sha, wanted] of bySource) {
    const source = await open(`sources/${sha}.html`);
    for (const {line, value} of wanted) {
      const text = await source.locator(`tr#L${line}`).textContent();
      assert.ok(text?.includes(value), `line ${line} of ${sha.slice(0, 12)} contains ${value}`);
    }
    await source.close();
  }
  return found;
}

/** The sd the claims use: printed, or from printed samples (mlx_lm.benchmark). */
function measuredOrSamples(r: Row) {
  const samples = r.samples as number[] | null;
  if ((r.stddev === null || r.stddev === undefined) && samples && samples.length > 1) {
    const mean = samples.reduce((s, v) => s + v, 0) / samples.length;
    return {
      value: r.value as number,
      stddev: Math.sqrt(samples.reduce((s, v) => s + (v - mean) ** 2, 0) / (samples.length - 1)),
      stddev_kind: "sample",
      repetitions: samples.length
    };
  }
  return measured(r);
}

const byId = (found: ClaimInfo[], id: string) => {
  const c = found.find((x) => x.id === id);
  assert.ok(c, `claim ${id} is on the page`);
  return c;
};

async function figure(page: Page, title: string) {
  const f = page.locator(".bb-figure", {has: page.locator("h3", {hasText: title})});
  assert.equal(await f.count(), 1, `one figure titled "${title}"`);
  return f;
}

describe("reports", () => {
  it("lists every report under Reports in the sidebar, the scaffolded one included", async () => {
    const page = await open("index.html");
    const section = page.locator("#observablehq-sidebar details", {hasText: "Reports"});
    const links = await section
      .locator("a")
      .evaluateAll((as) => as.map((a) => [a.textContent?.trim(), a.getAttribute("href")]));
    assert.deepEqual(links.map(([, href]) => href).sort(), [
      "./reports/4x3080-layer-vs-tensor.html",
      "./reports/dual-3060-retune.html",
      "./reports/h100-benchbook-bench.html",
      "./reports/rtx-pro-6000-vllm-sglang.html",
      "./reports/rtx4090-context-decay.html",
      "./reports/scaffold-4090.html",
      "./reports/scaffold-check.html",
      "./reports/scaffold-pro-6000.html",
      "./reports/scaffold-retune.html",
      "./reports/title-alert-1-globalthis-pwned-1-img-src-x-onerror-alert-2.html"
    ]);
    assert.ok(links.some(([name]) => name === "Scaffold check"));
    await page.close();
  });

  it("4×RTX 3080: layer vs tensor split, with the vLLM serving numbers", async () => {
    const tag = "4x3080-layer-vs-tensor";
    const page = await open("reports/4x3080-layer-vs-tensor.html");
    const found = await checkClaims(page);
    const bench = (model: string, test: string, split: string) =>
      row(tag, {tool: "llama-bench", model_label: model, test, split_mode: split, metric: "throughput"});
    const dense = ["Mistral-Medium-3.5-128B-IQ4_XS", "tg128"] as const;
    const c = byId(found, "dense-tg-ratio");
    assert.equal(Number(c.data.aValue), bench(...dense, "layer").value);
    assert.equal(Number(c.data.bValue), bench(...dense, "tensor").value);
    assert.ok(c.text.startsWith("2.08×"), c.text);
    assert.equal(
      Number(byId(found, "moe-tg-ratio").data.bValue),
      bench("Qwen3.5-122B-A10B-UD-IQ4_XS", "tg128", "tensor").value
    );
    assert.equal(
      Number(byId(found, "vllm-c8-output").data.value),
      row(tag, {runtime: "vllm", concurrency: 8, metric: "output_throughput", stat: "value"}).value
    );
    assert.equal(Number(byId(found, "gpu-count").data.value), bench(...dense, "layer").gpu_count);
    const c1 = row(tag, {runtime: "vllm", concurrency: 1, metric: "output_throughput", stat: "value"});
    assert.equal(
      byId(found, "vllm-max-len").data.value,
      String((c1.settings as Record<string, unknown>)["max-model-len"])
    );
    assert.equal(byId(found, "vllm-tp").data.value, String((c1.settings as Record<string, unknown>).tp));

    // Speedup marks: one per (model, test) run with both split modes; hollow where within noise.
    const llama = tagged(tag).filter((r) => r.tool === "llama-bench" && r.metric === "throughput");
    const pairs = [...groupBy(llama, (r) => `${r.model_label}|${r.test}`).values()].filter((g) => g.length === 2);
    const noise = pairs.filter(
      (g) =>
        compareMeans(
          measured(g.find((r) => r.split_mode === "layer")!),
          measured(g.find((r) => r.split_mode === "tensor")!)
        ).noise
    ).length;
    const speedup = await figure(page, "Tensor split over layer split");
    // Filled dot: a speedup; hollow (fill none): within noise.
    assert.equal(await speedup.locator("g[aria-label=dot] circle").count(), pairs.length);
    assert.equal(
      await speedup
        .locator(
          "g[aria-label=dot] [fill=none] circle, g[aria-label=dot][fill=none] circle, g[aria-label=dot] circle[fill=none]"
        )
        .count(),
      noise
    );
    assert.ok(noise > 0 && pairs.length === 8);
    // TPOT against concurrency: one dot per printed statistic and concurrency.
    const tpot = tagged(tag).filter((r) => r.metric === "tpot" && r.scope === "run");
    const tpotFigure = await figure(page, "Time per output token");
    assert.equal(await tpotFigure.locator("g[aria-label=dot] > *").count(), tpot.length, await tpotFigure.innerHTML());
    assert.equal(tpot.length, 6);
    // Tables under reports link one folder up.
    const hrefs = await page
      .locator("table a[href*='sources/']")
      .evaluateAll((as) => as.map((a) => a.getAttribute("href")!));
    assert.ok(hrefs.length > 0 && hrefs.every((h) => h.startsWith("../sources/")), hrefs.join(" "));
    await page.close();
  });

  it("RTX 4090: context decay, runtimes at depth, Apple M4", async () => {
    const tag = "rtx4090-qwen35-glm-m4";
    const page = await open("reports/rtx4090-context-decay.html");
    const found = await checkClaims(page);
    const bench = (model: string, test: string) =>
      row(tag, {tool: "llama-bench", model_label: model, test, metric: "throughput"});
    const glm = byId(found, "glm-tg-retention");
    assert.ok(
      glm.text.startsWith(
        `${(((bench("GLM-4.7-Flash-UD-Q4_K_XL", "tg64 @ d32768").value as number) / (bench("GLM-4.7-Flash-UD-Q4_K_XL", "tg64").value as number)) * 100).toFixed(1)}%`
      ),
      glm.text
    );
    const qwen = byId(found, "qwen-moe-tg-retention");
    assert.equal(Number(qwen.data.bValue), bench("Qwen3.5-35B-A3B-UD-Q4_K_XL", "tg64 @ d32768").value);
    const m4 = byId(found, "m4-tg-ratio");
    assert.equal(Number(m4.data.bValue), row(tag, {runtime: "mlx", kind: "tg", metric: "throughput"}).value);
    assert.equal(m4.data.method, "sd-overlap", "llama-bench on the M4 printed no repetition count");
    // Retention chart: one dot per llama-bench tg result on the 4090 (every curve has depth 0).
    const tg = tagged(tag).filter(
      (r) =>
        r.tool === "llama-bench" &&
        r.hardware === "NVIDIA GeForce RTX 4090" &&
        r.kind === "tg" &&
        r.metric === "throughput"
    );
    assert.equal(
      await (await figure(page, "Generation speed kept")).locator("[aria-label=dot] circle").count(),
      tg.length
    );
    assert.equal(tg.length, 28);
    await page.close();
  });

  it("H100: benchbook bench's own store — machine card from nvidia-smi, a curve per plan cell, the oom cell", async () => {
    const h100 = rows.filter((r) => (r.tags as Record<string, string>)?.machine === "h100");
    const cell = (model: string, fa: string, test: string) => {
      const found = h100.filter(
        (r) =>
          r.model_label === `random-1.5B-${model}` &&
          r.flash_attn === fa &&
          r.test === test &&
          r.metric === "throughput"
      );
      assert.equal(found.length, 1, `${model} fa ${fa} ${test}`);
      return found[0];
    };
    const page = await open("reports/h100-benchbook-bench.html");
    const found = await checkClaims(page);
    assert.equal(Number(byId(found, "q4-tg0").data.value), cell("Q4_K_M", "1", "tg128").value);
    assert.equal(Number(byId(found, "q4-tg-retention").data.bValue), cell("Q4_K_M", "1", "tg128 @ d32768").value);
    assert.equal(Number(byId(found, "q8-over-q4").data.bValue), cell("Q8_0", "1", "tg128").value);
    assert.equal(Number(byId(found, "fa-pp-32k").data.aValue), cell("Q4_K_M", "0", "pp512 @ d32768").value);
    assert.equal(byId(found, "oom").text, "oom");
    // The machine card shows what nvidia-smi said on that machine (test/fixtures/captured/h100/run1/raw/nvidia-smi-query.csv).
    const card = (await page.locator(".bb-hardware-card, .card", {hasText: "H100"}).first().textContent()) ?? "";
    for (const fact of ["NVIDIA H100 80GB HBM3", "580.159.04", "13.0"])
      assert.ok(card.includes(fact), `machine card shows ${fact}: ${card}`);
    // One curve per plan cell (2 models × fa 0/1), each through the 4 depths.
    const tg = await figure(page, "Generation throughput against context depth");
    assert.equal(await tg.locator("[aria-label=line]:not([aria-description=limit-line]) path").count(), 4);
    assert.equal(await tg.locator("[aria-label=dot]:not([aria-description=limit]) circle").count(), 16);
    // The H100's bandwidth limit (docs/efficiency.md) is drawn for each curve: the model sizes are printed.
    assert.equal(await tg.locator("[aria-description=limit-line] path").count(), 4);
    await page.close();
  });

  it("dual RTX 3060: sweeps with failed cells, before and after, all marked hand-entered", async () => {
    const tag = "dual-3060-retune";
    const page = await open("reports/dual-3060-retune.html");
    const found = await checkClaims(page);
    assert.ok(
      found.every((c) => c.hand),
      "every number of this writeup was typed in"
    );
    const ub = byId(found, "ub-pp-change");
    const pp = (label: string) => row(tag, {test: label, kind: "pp", metric: "throughput"}).value as number;
    assert.ok(ub.text.startsWith(formatted("change", pp("ub 128"), pp("ub 256"))), ub.text);
    assert.equal(ub.text.startsWith("+78%"), true);
    assert.equal(
      Number(byId(found, "drifted-tg-low").data.value),
      row(tag, {test: "drifted config before retune", stat: "range_low"}).value
    );
    const ts = await figure(page, "Compute buffer per GPU");
    const computeRows = tagged(tag).filter((r) => r.metric === "compute_buffer" && r.status === "ok");
    const failedRows = tagged(tag).filter((r) => r.metric === "startup" && r.status === "error");
    assert.equal(await ts.locator("g[aria-description=sweep] circle").count(), computeRows.length);
    assert.equal(await ts.locator("g[aria-description=failed] > *").count(), failedRows.length);
    assert.equal(failedRows.length, 3);
    await page.close();
  });

  it("RTX PRO 6000: KV capacity, throughput bands and acceptance", async () => {
    const tag = "rtx-pro-6000-vllm-sglang";
    const page = await open("reports/rtx-pro-6000-vllm-sglang.html");
    const found = await checkClaims(page);
    const kv = byId(found, "kv-d-vs-c");
    const pool = (dtype: string) =>
      tagged(tag).find(
        (r) =>
          r.origin === "hand-entered" &&
          r.test === "KV pool" &&
          String((r.settings as Record<string, unknown>).kv_cache_dtype).includes(dtype)
      )!;
    // SGLang's logged full-layer pools where the data hold them (the table's rounded figures otherwise).
    const logged = (hand: Row) =>
      tagged(tag).find(
        (r) =>
          r.runtime === "sglang" &&
          r.origin === "measured" &&
          r.test === "full_layer_tokens" &&
          Math.abs((r.value as number) / 1000 - (hand.value as number)) < 0.1
      );
    const [c, d] = [pool("bfloat16"), pool("float8")].map((hand) => logged(hand) ?? hand);
    assert.equal(Number(kv.data.aValue), c.value);
    assert.equal(Number(kv.data.bValue), d.value);
    assert.ok(kv.text.startsWith(`${((d.value as number) / (c.value as number)).toFixed(2)}×`), kv.text);
    assert.equal(kv.data.method, "none", "pool sizes carry no deviation");
    // One throughput band per configuration, each labelled with its run.
    const configs = new Set(
      tagged(tag)
        .filter((r) => r.origin === "hand-entered" && r.metric === "throughput")
        .map((r) => r.run_id)
    );
    const bands = await (await figure(page, "Typical bands: throughput")).textContent();
    for (const id of configs) {
      const label = (rows.find((r) => r.run_id === id)!.extra as Record<string, string>).label;
      assert.ok(bands?.includes(label), `band for ${label}`);
    }
    await page.close();
  });

  it("the scaffold from benchbook new-report renders its tag's decay chart", async () => {
    const page = await open("reports/scaffold-check.html");
    const tg = tagged("4x3080-layer-vs-tensor").filter(
      (r) => r.kind === "tg" && r.metric === "throughput" && r.n_depth !== null && r.tool === "llama-bench"
    );
    assert.equal(
      await page
        .locator(".bb-figure", {hasText: "Generation throughput against context depth"})
        .locator("[aria-label=dot] circle")
        .count(),
      tg.length
    );
    const text = await page.locator("#observablehq-main").textContent();
    assert.ok(
      text?.includes(`${tagged("4x3080-layer-vs-tensor").length} results`),
      "the data cell filtered by the tag"
    );
    await page.close();
  });

  it("scaffolds fitted to their selections render: the charts that fit, no failed cell, the tag's results counted", async () => {
    const expected: Record<string, string[]> = {
      "scaffold-4090": [
        "Generation throughput against context depth",
        "Prompt processing against context depth",
        "Qwen3.5-35B-A3B",
        "tg throughput"
      ],
      "scaffold-retune": [],
      "scaffold-pro-6000": ["tg throughput"]
    };
    for (const [title, tag] of Object.entries(SCAFFOLDS)) {
      const slug = title.toLowerCase().replace(/ /g, "-");
      const page = await open(`reports/${slug}.html`);
      const titles = await page.$$eval(".bb-figure", (fs) => fs.map((f) => f.textContent ?? ""));
      for (const t of expected[slug])
        assert.ok(
          titles.some((f) => f.includes(t)),
          `${slug}: a chart titled ${t}`
        );
      if (!expected[slug].length)
        assert.deepEqual(titles, [], `${slug}: no chart for one depth, quantization and runtime`);
      assert.match(
        (await page.locator("#observablehq-main").textContent()) ?? "",
        new RegExp(`${tagged(tag).length} results?\\b`)
      );
      await page.close();
    }
  });

  it("a scaffold whose title and tag hold ${…}, </script> and HTML shows them as text and runs none of it", async () => {
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(site.url + "reports/title-alert-1-globalthis-pwned-1-img-src-x-onerror-alert-2.html");
    await settle(page);
    assert.deepEqual(dialogs, []);
    assert.equal(await page.evaluate("globalThis.__pwned"), undefined);
    assert.equal((await page.locator("#observablehq-main h1").textContent())?.trim(), HOSTILE_TITLE);
    assert.ok((await page.locator("#observablehq-main code").allTextContents()).includes(`writeup=${HOSTILE_TAG}`));
    await page.close();
  });

  it("keeps claims and the hand-entered mark readable in the dark theme", async () => {
    const page = await browser.newPage();
    await page.emulateMedia({colorScheme: "dark"});
    await page.goto(site.url + "reports/dual-3060-retune.html");
    await page.waitForFunction(() => document.querySelectorAll("observablehq-loading").length === 0);
    // A string, not a function: tsx would wrap named helpers in __name, which the page does not have.
    // Colours are resolved through a canvas (computed styles may be oklch() or color(srgb …)).
    const colors = (await page.evaluate(`(() => {
      const ctx = document.createElement("canvas").getContext("2d", {willReadFrequently: true});
      const luminance = (c) => { ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = c; ctx.fillRect(0, 0, 1, 1); const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data; return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255; };
      return {
        background: luminance(getComputedStyle(document.documentElement).backgroundColor),
        claim: luminance(getComputedStyle(document.querySelector(".bb-claim")).color),
        hand: luminance(getComputedStyle(document.querySelector(".bb-hand")).color)
      };
    })()`)) as {background: number; claim: number; hand: number};
    assert.ok(colors.background < 0.3, `dark background (${colors.background})`);
    assert.ok(colors.claim - colors.background > 0.3 && colors.hand - colors.background > 0.3, JSON.stringify(colors));
    await page.close();
  });
});
