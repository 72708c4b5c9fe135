/**
 * Refresh the screenshots in docs/screenshots/ from the built site (dist/):
 *   npm run build && npm run screenshots
 * Pages are opened in Debian's Chromium on loopback, like the browser tests.
 */
import {mkdirSync} from "node:fs";
import {join} from "node:path";
import {launch, openPage, serve} from "../../test/helpers/browser.js";

const PAGES: [string, string][] = [
  ["index.html", "overview.png"],
  ["context-decay.html", "context-decay.png"]
];

const out = "docs/screenshots";
mkdirSync(out, {recursive: true});
const site = await serve("dist");
const browser = await launch();
try {
  for (const [path, file] of PAGES) {
    const {page, problems} = await openPage(browser, site.url + path);
    const issues = [...problems.consoleErrors, ...problems.pageErrors, ...problems.externalRequests, ...problems.failedRequests];
    if (issues.length) throw new Error(`${path}: ${issues.join("; ")}`);
    await page.setViewportSize({width: 1280, height: 900});
    await page.screenshot({path: join(out, file), fullPage: true});
    console.log(`${join(out, file)}`);
    await page.close();
  }
} finally {
  await browser.close();
  await site.close();
}
