/**
 * The site at scale: the synthetic store of perf/store.ts (default 500,000
 * llama-bench records = 1,000,000 results) built into a site
 * (test/helpers/site.ts siteProject), served on loopback
 * (scripts/serve/static-server.ts, which answers range requests as
 * `benchbook serve` does) and opened in headless Chromium (Debian's, through
 * playwright-core, as the browser tests do).
 *
 * For each page, in a fresh browser context each time (no HTTP cache):
 *
 *   first_chart_ms  navigation start → the first chart's <svg> in the page
 *                   (a MutationObserver installed before any page script;
 *                   performance.now() counts from navigation start); null
 *                   when the page draws no chart for this store
 *   ready_ms        navigation start → the last change to the page before it
 *                   settled (no cell loading, nothing changing for 500 ms)
 *   first_chart_marks  SVG elements in that first chart: how much it drew
 *   first_query_ms  (explorer) navigation start → the first query's result
 *                   on the page (DuckDB-wasm attaches results.duckdb first);
 *                   explorer-parquet is the same page with the loading path
 *                   it replaced (perf/explorer-parquet/: results.parquet
 *                   converted to Arrow in JavaScript and inserted into
 *                   DuckDB-wasm), built into the synthetic site only, as the
 *                   baseline measured in the same run
 *
 * and on pages with filters, two filter changes after the page settled,
 * each from the `input` event (a listener in the capture phase) to the
 * first chart <svg> put in place after it:
 *
 *   filter_narrow_ms  one value removed from the last filter that has two or
 *                     more selected (rows already read are filtered again)
 *   filter_widen_ms   one value never selected added to the last filter that
 *                     has one (on a large page, reads that run's rows)
 *
 * Each figure is the median over `repeats` visits; every visit's figures are
 * kept under `visits`.
 *
 *   npm run perf -- site                      # 500,000 records
 *   npm run perf -- site --records 50000
 *   node --import tsx perf/site.ts --records 50000 --repeats 3
 *   node --import tsx perf/site.ts --root /tmp/benchbook-site-XXXX   # a project already built
 */
import {copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {basename, join} from "node:path";
import {fileURLToPath} from "node:url";
import type {Browser, Page} from "playwright-core";
import {importInputsPooled} from "../scripts/import/pool.js";
import {Store} from "../scripts/store/store.js";
import {launch, serve} from "../test/helpers/browser.js";
import {tempDir} from "../test/helpers/cli.js";
import {REPO, siteProject, type SiteProject} from "../test/helpers/site.js";
import {writeSyntheticJsonl} from "./synthetic.js";

export interface PageVisit {
  first_chart_ms: number | null;
  first_chart_marks: number | null;
  ready_ms: number;
  filter_narrow_ms?: number | null;
  filter_widen_ms?: number | null;
  /** Explorer: navigation start → the first query's result (its row count) on the page. */
  first_query_ms?: number | null;
  /** What a large page said it opened with. */
  note?: string;
  /** Requests the page made, and bytes they brought (transfer sizes as Chromium reports them). */
  requests: number;
  bytes: number;
}

export interface SiteFigures {
  /** Synthetic records generated, and the times to import and build them: null when measuring a project already built (`root`). */
  records: number | null;
  results: number;
  import_s: number | null;
  build_s: number | null;
  export_s: number | null;
  /** The export's phases (scripts/export/export.ts ExportSummary.seconds), `explorer` being results.duckdb. */
  export_phases_s: Record<string, number> | null;
  /** results.duckdb and results.parquet, bytes. */
  explorer_bytes: number | null;
  parquet_bytes: number | null;
  repeats: number;
  /** Per page: medians over the visits, or the error of a page that never got ready. */
  pages: Record<
    string,
    (Omit<PageVisit, "note"> & {note?: string; visits: PageVisit[]}) | {error: string; visits: PageVisit[]}
  >;
}

/** Installed before any page script: records when the first chart's <svg> and the last DOM change happened, and filter-change timings. */
const PROBE = `(() => {
  const probe = window.__bb = {firstChart: null, firstChartMarks: null, firstQuery: null, lastChange: 0, inputAt: null, replacedAt: null};
  const chartIn = (node) => node.nodeType === 1 && (node.matches("figure.bb-figure svg") ? node : node.querySelector?.("figure.bb-figure svg"));
  new MutationObserver((records) => {
    const now = performance.now();
    probe.lastChange = now;
    for (const record of records) for (const node of record.addedNodes) {
      if (probe.firstQuery === null && node.nodeType === 1 && (node.matches(".bb-sql-count") || node.querySelector?.(".bb-sql-count"))) probe.firstQuery = now;
      const svg = chartIn(node);
      if (!svg) continue;
      if (probe.firstChart === null) {
        probe.firstChart = now;
        const figure = svg.closest("figure.bb-figure");
        probe.firstChartMarks = figure ? figure.querySelectorAll("svg *").length : null;
      }
      if (probe.inputAt !== null && probe.replacedAt === null) probe.replacedAt = now;
    }
  }).observe(document, {childList: true, subtree: true});
  document.addEventListener("input", (event) => {
    if (event.target instanceof Element && event.target.closest(".bb-filters")) {
      probe.inputAt = performance.now();
      probe.replacedAt = null;
    }
  }, true);
})();`;

interface Probe {
  firstChart: number | null;
  firstQuery: number | null;
  firstChartMarks: number | null;
  lastChange: number;
  inputAt: number | null;
  replacedAt: number | null;
}

const probe = (page: Page) => page.evaluate(() => (window as unknown as {__bb: Probe}).__bb);

/** No cell loading and no DOM change for `quiet` ms. */
async function settled(page: Page, quiet = 500, timeout = 120_000): Promise<void> {
  const start = Date.now();
  for (;;) {
    const state = await page.evaluate(() => ({
      loading: document.querySelectorAll("observablehq-loading").length,
      since: performance.now() - (window as unknown as {__bb: Probe}).__bb.lastChange
    }));
    if (state.loading === 0 && state.since >= quiet) return;
    if (Date.now() - start > timeout) throw new Error(`${page.url()}: not settled after ${timeout / 1000} s`);
    await page.waitForTimeout(100);
  }
}

/** The filters of a page: key, kind, values and which are selected. */
async function filterState(
  page: Page
): Promise<{key: string; select: boolean; values: string[]; selected: string[]}[]> {
  return page.$$eval(".bb-filters [data-filter]", (nodes) =>
    nodes.map((node) => {
      const select = node.querySelector("select");
      if (select)
        return {
          key: (node as HTMLElement).dataset.filter!,
          select: true,
          values: [...select.options].map((o) => o.value),
          selected: [...select.selectedOptions].map((o) => o.value)
        };
      const boxes = [...node.querySelectorAll<HTMLInputElement>("input[type=checkbox]")];
      return {
        key: (node as HTMLElement).dataset.filter!,
        select: false,
        values: boxes.map((b) => b.value),
        selected: boxes.filter((b) => b.checked).map((b) => b.value)
      };
    })
  );
}

/** Change one filter to `selected`; resolves with input → first chart replaced, in ms (null if no chart came within 20 s). */
async function changeFilter(
  page: Page,
  filter: {key: string; select: boolean; values: string[]; selected: string[]},
  selected: string[]
): Promise<number | null> {
  const root = page.locator(`.bb-filters [data-filter="${filter.key}"]`);
  if (filter.select) await root.locator("select").selectOption(selected);
  else {
    const changed = filter.values.find((v) => selected.includes(v) !== filter.selected.includes(v))!;
    await root.locator(`input[type=checkbox][value="${changed}"]`).click();
  }
  const start = Date.now();
  for (;;) {
    const state = await probe(page);
    if (state.inputAt !== null && state.replacedAt !== null) {
      await settled(page);
      return state.replacedAt - state.inputAt;
    }
    if (Date.now() - start > 20_000) {
      await settled(page);
      return null;
    }
    await page.waitForTimeout(20);
  }
}

async function visit(browser: Browser, url: string, filters: boolean, waitFor?: string): Promise<PageVisit> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    let requests = 0;
    let bytes = 0;
    page.on("requestfinished", async (request) => {
      requests++;
      const sizes = await request.sizes().catch(() => null);
      if (sizes) bytes += sizes.responseBodySize + sizes.responseHeadersSize;
    });
    await page.route("**/*", (route) =>
      ["127.0.0.1", "localhost"].includes(new URL(route.request().url()).hostname) ? route.continue() : route.abort()
    );
    await page.addInitScript(PROBE);
    await page.goto(url, {waitUntil: "load"});
    // The explorer's DuckDB starts in a worker without touching the page: wait for its first answer.
    if (waitFor) await page.waitForSelector(waitFor, {timeout: 300_000});
    await settled(page);
    const loaded = await probe(page);
    const note = (await page.$eval(".bb-scale-note", (n) => n.textContent ?? "").catch(() => null)) ?? undefined;
    const result: PageVisit = {
      first_chart_ms: loaded.firstChart,
      first_chart_marks: loaded.firstChartMarks,
      ready_ms: loaded.lastChange,
      ...(waitFor ? {first_query_ms: loaded.firstQuery} : {}),
      requests,
      bytes,
      ...(note ? {note} : {})
    };
    if (filters) {
      const state = await filterState(page);
      const narrowable = [...state].reverse().find((f) => f.selected.length >= 2);
      result.filter_narrow_ms = narrowable
        ? await changeFilter(page, narrowable, narrowable.selected.slice(0, -1))
        : null;
      const after = await filterState(page);
      const widenable = [...after]
        .reverse()
        .find((f) =>
          f.values.some(
            (v) =>
              !f.selected.includes(v) && !(narrowable && f.key === narrowable.key && narrowable.selected.includes(v))
          )
        );
      if (widenable) {
        const added = widenable.values.find(
          (v) =>
            !widenable.selected.includes(v) &&
            !(narrowable && widenable.key === narrowable.key && narrowable.selected.includes(v))
        )!;
        result.filter_widen_ms = await changeFilter(page, widenable, [...widenable.selected, added]);
      } else result.filter_widen_ms = null;
    }
    return result;
  } finally {
    await context.close();
  }
}

const median = (values: (number | null | undefined)[]): number | null => {
  const xs = values.filter((v): v is number => typeof v === "number").sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = xs.length >> 1;
  return Math.round(xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2);
};

/** Pages with filters (their figures include the two filter changes). */
const FILTER_PAGES = new Set([
  "context-decay",
  "runtimes",
  "quantizations",
  "multi-gpu",
  "tuning",
  "hardware",
  "serving",
  "speculative"
]);

/**
 * `root`: measure a site project already built (its src/data and dist) instead
 * of generating, importing and building one (for comparing page changes).
 */
export async function siteBenchmark({
  records = 500_000,
  perFile = 1000,
  repeats = 3,
  only,
  root,
  log = console.error
}: {
  records?: number;
  perFile?: number;
  repeats?: number;
  only?: string[];
  root?: string;
  log?: (s: string) => void;
} = {}): Promise<SiteFigures> {
  const work = tempDir("benchbook-perf-site-");
  const synthetic = root ? null : siteProject();
  const project = synthetic ?? {root: root!, dist: join(root!, "dist")};
  let browser: Browser | null = null;
  let site: Awaited<ReturnType<typeof serve>> | null = null;
  try {
    const built = synthetic ? await buildSynthetic(synthetic, work, records, perFile, log) : null;
    site = await serve(project.dist);
    browser = await launch();
    const manifest = JSON.parse(readFileSync(join(project.root, "src/data/manifest.json"), "utf8")) as {
      rows: number;
      inputs: string[];
      run_ids: string[];
    };
    const reports = readdirSync(join(project.dist, "reports"))
      .filter((f) => f.endsWith(".html") && f !== "index.html")
      .map((f) => `reports/${f.slice(0, -5)}`);
    const pages = [
      "index",
      "context-decay",
      "runtimes",
      "quantizations",
      "multi-gpu",
      "tuning",
      "hardware",
      "serving",
      "speculative",
      "explorer",
      ...(synthetic ? ["explorer-parquet"] : []),
      ...reports,
      `runs/${manifest.run_ids[0]}`,
      `sources/${manifest.inputs[0]}`
    ].filter((p) => !only || only.some((o) => p.startsWith(o)));
    const figures: SiteFigures["pages"] = {};
    for (const name of pages) {
      const visits: PageVisit[] = [];
      const key = name.startsWith("runs/") ? "runs/<run>" : name.startsWith("sources/") ? "sources/<source>" : name;
      try {
        for (let i = 0; i < repeats; i++) {
          visits.push(
            await visit(
              browser,
              `${site.url}${name}.html`,
              FILTER_PAGES.has(name),
              name.startsWith("explorer") ? ".bb-sql-count" : undefined
            )
          );
          log(`${name} #${i + 1}: ${JSON.stringify(visits.at(-1))}`);
        }
      } catch (error) {
        // A page that never got ready is a figure too: say so and measure the others.
        log(`${name}: ${String(error)}`);
        figures[key] = {error: String(error).split("\n")[0], visits};
        continue;
      }
      figures[key] = {
        first_chart_ms: median(visits.map((v) => v.first_chart_ms)),
        first_chart_marks: median(visits.map((v) => v.first_chart_marks)),
        ready_ms: median(visits.map((v) => v.ready_ms))!,
        ...(name.startsWith("explorer") ? {first_query_ms: median(visits.map((v) => v.first_query_ms))} : {}),
        ...(FILTER_PAGES.has(name)
          ? {
              filter_narrow_ms: median(visits.map((v) => v.filter_narrow_ms)),
              filter_widen_ms: median(visits.map((v) => v.filter_widen_ms))
            }
          : {}),
        requests: median(visits.map((v) => v.requests))!,
        bytes: median(visits.map((v) => v.bytes))!,
        ...(visits[0].note ? {note: visits[0].note} : {}),
        visits
      };
    }
    return {
      records: built ? records : null,
      results: manifest.rows,
      import_s: built?.import_s ?? null,
      build_s: built?.build_s ?? null,
      export_s: built?.export_s ?? null,
      export_phases_s: built?.export_phases_s ?? null,
      explorer_bytes: built?.explorer_bytes ?? null,
      parquet_bytes: built?.parquet_bytes ?? null,
      repeats,
      pages: figures
    };
  } finally {
    await browser?.close();
    await site?.close();
    rmSync(work, {recursive: true, force: true});
    if (synthetic) rmSync(synthetic.root, {recursive: true, force: true});
  }
}

/** Generate the synthetic store, import it (2 worker threads) and build the site into `project`. */
async function buildSynthetic(
  project: SiteProject,
  work: string,
  records: number,
  perFile: number,
  log: (s: string) => void
) {
  log(`generating ${records} llama-bench JSONL records…`);
  const synthetic = writeSyntheticJsonl(join(work, "jsonl"), Math.ceil(records / perFile), perFile);
  const store = new Store(join(work, "data"));
  log("importing (2 worker threads)…");
  let t = performance.now();
  await importInputsPooled(
    // Named as a user would name them on the command line (the file filter shows these names).
    synthetic.files.map((f) => ({name: basename(f), bytes: readFileSync(f)})),
    {store, jobs: 2}
  );
  const import_s = (performance.now() - t) / 1000;
  rmSync(join(work, "jsonl"), {recursive: true, force: true});
  // The baseline explorer page, beside the real one (its module imports the real one's from beside it).
  const baseline = join(REPO, "perf/explorer-parquet");
  copyFileSync(join(baseline, "explorer-parquet.md"), join(project.root, "src/explorer-parquet.md"));
  writeFileSync(
    join(project.root, "src/components/pages/explorer-parquet.ts"),
    readFileSync(join(baseline, "explorer-parquet.ts"), "utf8").replace(
      '"../../src/components/pages/explorer.js"',
      '"./explorer.js"'
    )
  );
  log("building the site…");
  t = performance.now();
  const build = await project.build(store);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    import_s,
    build_s: (performance.now() - t) / 1000,
    export_s: build.exportSeconds,
    export_phases_s: Object.fromEntries(Object.entries(build.export.seconds).map(([k, v]) => [k, round(v)])),
    explorer_bytes: build.export.explorerBytes,
    parquet_bytes: build.export.parquetBytes
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string) => {
    const at = process.argv.indexOf(`--${name}`);
    return at > 0 ? process.argv[at + 1] : undefined;
  };
  const figures = await siteBenchmark({
    records: Number(arg("records") ?? 500_000),
    repeats: Number(arg("repeats") ?? 3),
    only: arg("only")?.split(","),
    root: arg("root")
  });
  console.log(JSON.stringify(figures, (k, v) => (k === "visits" ? undefined : v), 2));
}
