/**
 * Refresh the screenshots in docs/screenshots/ from the built site (dist/):
 *   npm run build && npm run screenshots
 *   npm run screenshots -- --dir other/dist      (another build)
 * Pages are opened in Debian's Chromium on loopback, like the browser tests,
 * and must render without errors or outside requests. Every report in
 * dist/reports/ is captured as docs/screenshots/report-<name>.png.
 */
import {existsSync, mkdirSync, readdirSync} from "node:fs";
import {join} from "node:path";
import {cellErrors, launch, openPage, serve} from "../../test/helpers/browser.js";

const args = process.argv.slice(2);
const dist = args.includes("--dir") ? args[args.indexOf("--dir") + 1] : "dist";

const PAGES: [string, string][] = [
  ["index.html", "overview.png"],
  ["context-decay.html", "context-decay.png"]
];
const reportsDir = join(dist, "reports");
if (existsSync(reportsDir)) {
  for (const file of readdirSync(reportsDir).filter((f) => f.endsWith(".html")).sort()) PAGES.push([`reports/${file}`, `report-${file.replace(/\.html$/, "")}.png`]);
}

const out = "docs/screenshots";
mkdirSync(out, {recursive: true});
const site = await serve(dist);
const browser = await launch();
try {
  for (const [path, file] of PAGES) {
    const {page, problems} = await openPage(browser, site.url + path);
    const issues = [...problems.consoleErrors, ...problems.pageErrors, ...problems.externalRequests, ...problems.failedRequests, ...(await cellErrors(page))];
    if (issues.length) throw new Error(`${path}: ${issues.join("; ")}`);
    await page.setViewportSize({width: 1280, height: 900});
    await page.waitForTimeout(300);
    await page.screenshot({path: join(out, file), fullPage: true});
    console.log(`${join(out, file)}`);
    await page.close();
  }
} finally {
  await browser.close();
  await site.close();
}
