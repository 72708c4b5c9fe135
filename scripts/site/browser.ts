/**
 * Headless Chromium (Debian's, driven by playwright-core) against a built
 * site served on loopback. Every request leaving 127.0.0.1 is aborted and
 * reported: the site must work offline.
 */
import {existsSync} from "node:fs";
import type {AddressInfo} from "node:net";
import {chromium, type Browser, type Page} from "playwright-core";
import {createStaticServer} from "../serve/static-server.js";

export const CHROMIUM = process.env.BENCHBOOK_CHROMIUM ?? "/usr/bin/chromium";

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium) or set BENCHBOOK_CHROMIUM`
    );
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
      "--disable-quic"
    ]
  });
}

export interface Served {
  url: string;
  close(): Promise<void>;
}

export async function serve(dir: string): Promise<Served> {
  const server = createStaticServer(dir);
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const {port} = server.address() as AddressInfo;
  return {url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(() => ok()))};
}

export interface PageProblems {
  consoleErrors: string[];
  pageErrors: string[];
  externalRequests: string[];
  failedRequests: string[];
}

/** Open a page, recording every problem; resolves once Framework has rendered all cells. */
export async function openPage(
  browser: Browser,
  url: string,
  {timeout = 30_000}: {timeout?: number} = {}
): Promise<{page: Page; problems: PageProblems}> {
  const page = await browser.newPage();
  const problems: PageProblems = {consoleErrors: [], pageErrors: [], externalRequests: [], failedRequests: []};
  page.on("console", (message) => {
    if (message.type() === "error") problems.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => problems.pageErrors.push(String(error)));
  page.on("requestfailed", (request) => {
    if (!problems.externalRequests.includes(request.url()))
      problems.failedRequests.push(`${request.url()} ${request.failure()?.errorText ?? ""}`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) problems.failedRequests.push(`${response.url()} HTTP ${response.status()}`);
  });
  await page.route("**/*", (route) => {
    const host = new URL(route.request().url()).hostname;
    if (host === "127.0.0.1" || host === "localhost") return route.continue();
    problems.externalRequests.push(route.request().url());
    return route.abort();
  });
  await page.goto(url, {waitUntil: "load", timeout});
  await settle(page);
  return {page, problems};
}

/**
 * Wait until no cell is loading and the page stops changing: cells that load
 * data render their charts a moment after the loading markers go away, later
 * still on a busy machine, so the count of drawn marks must hold steady.
 */
export async function settle(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelectorAll("observablehq-loading").length === 0, undefined, {
    timeout: 30_000
  });
  let last = "";
  let steady = 0;
  for (let i = 0; i < 100 && steady < 3; i++) {
    const now = await page.evaluate(
      () =>
        `${document.querySelectorAll("svg").length}:${document.querySelectorAll("svg circle, svg path, svg rect, svg line").length}:${document.querySelectorAll("table tr").length}:${document.querySelectorAll("observablehq-loading").length}`
    );
    steady = now === last ? steady + 1 : 0;
    last = now;
    await page.waitForTimeout(150);
  }
}

/** Cells that failed render an inspector with this class. */
export async function cellErrors(page: Page): Promise<string[]> {
  return page.$$eval(".observablehq--error", (nodes) => nodes.map((n) => n.textContent ?? ""));
}

/**
 * What a writer would not publish, on every chart of a page (docs/site.md, "Chart checks"):
 * text outside its SVG's box, overlapping tick labels on one axis, one legend label drawn in two
 * colours across the page's charts, a legend label with a fixed colour (`fixedColors`: each
 * runtime's) drawn in another, a chart with more series than the limit and no series picker on the
 * page, a chart Plot drew its warning sign on, two series of one chart in colours closer than
 * `minColorDistance` (CIELAB ΔE). Returns one line per problem.
 */
export async function chartProblems(
  page: Page,
  {
    seriesLimit = 8,
    fixedColors = {},
    minColorDistance = 20
  }: {seriesLimit?: number; fixedColors?: Record<string, string>; minColorDistance?: number} = {}
): Promise<string[]> {
  // tsx compiles the function below with esbuild's keepNames, whose __name helper the page lacks.
  await page.evaluate("window.__name ??= (f) => f");
  return page.evaluate(
    ([limit, fixed, minDistance]) => {
      const problems: string[] = [];
      // sRGB → CIELAB (D50, as d3-color's lab), for how far apart two colours look.
      const probe = document.createElement("span");
      document.body.append(probe);
      const lab = (css: string) => {
        probe.style.color = css;
        const [r, g, b] = (getComputedStyle(probe).color.match(/[\d.]+/g) ?? ["0", "0", "0"]).map((v) =>
          Number(v) / 255 <= 0.04045 ? Number(v) / 255 / 12.92 : ((Number(v) / 255 + 0.055) / 1.055) ** 2.4
        );
        const f = (t: number) => (t > 0.008856451679035631 ? Math.cbrt(t) : t / 0.12841854934601665 + 4 / 29);
        const y = f(0.2225045 * r + 0.7168786 * g + 0.0606169 * b);
        const x = r === g && g === b ? y : f((0.4360747 * r + 0.3850649 * g + 0.1430804 * b) / 0.96422);
        const z = r === g && g === b ? y : f((0.0139322 * r + 0.0971045 * g + 0.7141733 * b) / 0.82521);
        return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
      };
      const labDistance = (a: string, b: string) => {
        const [p, q] = [lab(a), lab(b)];
        return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
      };
      const charts = [...document.querySelectorAll("svg")].filter(
        (svg) =>
          !svg.closest("[class$='-swatch']") &&
          !svg.closest("svg:not(:scope)") &&
          svg.getBoundingClientRect().width > 60
      );
      const name = (svg: SVGSVGElement, i: number) =>
        svg.closest(".bb-figure")?.querySelector("h3")?.textContent?.trim() ||
        svg.getAttribute("aria-label") ||
        `chart ${i + 1}`;
      charts.forEach((svg, i) => {
        const box = svg.getBoundingClientRect();
        for (const text of svg.querySelectorAll("text")) {
          const r = text.getBoundingClientRect();
          if (r.width === 0 || !text.textContent?.trim()) continue;
          if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
            problems.push(
              `${name(svg as SVGSVGElement, i)}: text "${text.textContent.trim().slice(0, 40)}" outside its SVG`
            );
          }
        }
        for (const axis of svg.querySelectorAll("g[aria-label$='tick label']")) {
          const rects = [...axis.querySelectorAll("text")]
            .map((t) => t.getBoundingClientRect())
            .filter((r) => r.width > 0);
          for (let a = 0; a < rects.length; a++) {
            for (let b = a + 1; b < rects.length; b++) {
              const [p, q] = [rects[a], rects[b]];
              if (p.left < q.right - 1 && q.left < p.right - 1 && p.top < q.bottom - 1 && q.top < p.bottom - 1) {
                problems.push(
                  `${name(svg as SVGSVGElement, i)}: overlapping tick labels in ${axis.getAttribute("aria-label")}`
                );
                a = rects.length;
                break;
              }
            }
          }
        }
        // Plot draws ⚠ in a corner when it warned (a channel it could not read, a bad scale): fix the chart.
        if ([...svg.querySelectorAll("text")].some((t) => t.textContent?.startsWith("\u26a0")))
          problems.push(`${name(svg as SVGSVGElement, i)}: Plot drew a warning sign`);
        const series = Number(
          (svg.closest("figure") as HTMLElement | null)
            ?.querySelector("svg[data-series]")
            ?.getAttribute("data-series") ??
            svg.dataset.series ??
            0
        );
        const total = Number(
          document.querySelector(".bb-series-picker:not([hidden])")?.getAttribute("data-series-total") ?? 0
        );
        if (series > limit && !total)
          problems.push(`${name(svg as SVGSVGElement, i)}: ${series} series and no series picker`);
        // Series a reader cannot tell apart: two colours of the chart's colour scale closer than minDistance (CIELAB ΔE).
        const plot = ((svg as any).scale ? svg : svg.closest("figure")) as any;
        const color = plot?.scale?.("color");
        if (color && (color.type === "categorical" || color.type === "ordinal") && Array.isArray(color.range)) {
          const domain: unknown[] = color.domain ?? [];
          const colours = domain.map((_, k) => String(color.range[k % color.range.length]));
          for (let a = 0; a < colours.length; a++)
            for (let b = a + 1; b < colours.length; b++) {
              const d = labDistance(colours[a], colours[b]);
              if (d < minDistance) {
                problems.push(
                  `${name(svg as SVGSVGElement, i)}: "${domain[a]}" and "${domain[b]}" in colours ${d.toFixed(0)} apart (${colours[a]}, ${colours[b]})`
                );
                a = colours.length;
                break;
              }
            }
        }
      });
      // One colour per legend label across the page.
      const colours = new Map<string, Set<string>>();
      for (const swatch of document.querySelectorAll("[class$='-swatch']")) {
        const mark = swatch.querySelector("rect, circle, line, path");
        const colour = mark?.getAttribute("fill") ?? mark?.getAttribute("stroke");
        const label = swatch.textContent?.trim();
        if (!label || !colour) continue;
        if (!colours.has(label)) colours.set(label, new Set());
        colours.get(label)!.add(colour);
      }
      for (const [label, set] of colours)
        if (set.size > 1) problems.push(`"${label}" is drawn in ${set.size} colours (${[...set].join(", ")})`);
      for (const [label, set] of colours)
        if (fixed[label] && [...set].some((c) => c.toLowerCase() !== fixed[label].toLowerCase()))
          problems.push(`"${label}" is drawn in ${[...set].join(", ")}, not its colour ${fixed[label]}`);
      probe.remove();
      return problems;
    },
    [seriesLimit, fixedColors, minColorDistance] as const
  );
}

/**
 * Tables wider than the page's column (a wide results table, a report's Markdown table) that run
 * past it, under the table of contents or off the page, instead of scrolling sideways inside a
 * container of the column's width. Returns one line per table.
 */
export async function tableProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    // Tables wider than the page's column scroll inside a container, never run under the sidebar or off the page.
    const main = document.querySelector("#observablehq-main, main") ?? document.body;
    const right = Math.min(main.getBoundingClientRect().right, document.documentElement.clientWidth);
    for (const table of document.querySelectorAll("table")) {
      const box = table.getBoundingClientRect();
      if (!box.width || box.right <= right + 1) continue;
      let scroller = table.parentElement;
      while (scroller && !["auto", "scroll"].includes(getComputedStyle(scroller).overflowX))
        scroller = scroller.parentElement;
      if (!scroller || scroller.getBoundingClientRect().right > right + 1)
        problems.push(
          `table "${(table.querySelector("th, td")?.textContent ?? "").trim().slice(0, 30)}" runs ${Math.round(box.right - right)} px past the page without a scroll container`
        );
    }
    return problems;
  });
}
