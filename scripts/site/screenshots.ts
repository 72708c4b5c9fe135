/**
 * Refresh docs/screenshots/ from dist/ (`npm run build && npm run screenshots [-- --dir other/dist]`) in
 * Chromium on loopback; pages must render without errors or outside requests.
 */
import {existsSync, mkdirSync, readdirSync} from "node:fs";
import {join} from "node:path";
import {cellErrors, launch, openPage, serve} from "./browser.js";

const args = process.argv.slice(2);
const dist = args.includes("--dir") ? args[args.indexOf("--dir") + 1] : "dist";

// Every page of the site, every report, and the first run and raw-input page.
const PAGES: [string, string][] = readdirSync(dist)
  .filter((f) => f.endsWith(".html") && f !== "404.html")
  .sort()
  .map((f) => [f, `${f === "index.html" ? "overview" : f.replace(/\.html$/, "")}.png`]);
for (const folder of ["reports", "runs", "sources"]) {
  const dir = join(dist, folder);
  if (!existsSync(dir)) continue;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".html"))
    .sort();
  for (const file of folder === "reports" ? files : files.slice(0, 1))
    PAGES.push([
      `${folder}/${file}`,
      `${folder === "reports" ? `report-${file.replace(/\.html$/, "")}` : folder.replace(/s$/, "")}.png`
    ]);
}
const out = "docs/screenshots";
mkdirSync(out, {recursive: true});
const site = await serve(dist);
const browser = await launch();
try {
  for (const [path, file] of PAGES) {
    const {page, problems} = await openPage(browser, site.url + path);
    const issues = [
      ...problems.consoleErrors,
      ...problems.pageErrors,
      ...problems.externalRequests,
      ...problems.failedRequests,
      ...(await cellErrors(page))
    ];
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
