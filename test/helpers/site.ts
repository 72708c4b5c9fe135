/**
 * A throwaway copy of the site project (src/, config, node_modules linked)
 * built from a given store, so browser tests never touch the working tree's
 * src/data or dist.
 */
import {cpSync, existsSync, mkdirSync, symlinkSync} from "node:fs";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import {buildSite, type BuildSummary} from "../../scripts/site/build.js";
import type {Store} from "../../scripts/store/store.js";
import type {Browser} from "playwright-core";
import {launch, serve, type Served} from "./browser.js";
import {tempDir} from "./cli.js";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));

export interface SiteProject {
  root: string;
  dist: string;
  /** Builds without the report check unless asked (most tests' stores lack the reports' data). */
  build(store: Store, options?: {checkReports?: boolean}): Promise<BuildSummary>;
}

export function siteProject(): SiteProject {
  const root = tempDir("benchbook-site-");
  cpSync(join(REPO, "src"), join(root, "src"), {
    recursive: true,
    filter: (path) => !/[\\/]src[\\/](data|\.observablehq)(?:[\\/]|$)/.test(path.slice(REPO.length - 1))
  });
  cpSync(join(REPO, "observablehq.config.ts"), join(root, "observablehq.config.ts"));
  cpSync(join(REPO, "package.json"), join(root, "package.json"));
  symlinkSync(join(REPO, "node_modules"), join(root, "node_modules"), "dir");
  // Framework's version pins (empty folders) let the build skip registry lookups.
  const pins = join(REPO, "src/.observablehq/cache/_npm");
  if (existsSync(pins)) {
    mkdirSync(join(root, "src/.observablehq/cache"), {recursive: true});
    cpSync(pins, join(root, "src/.observablehq/cache/_npm"), {recursive: true});
  }
  return {
    root,
    dist: join(root, "dist"),
    build: (store, {checkReports = false} = {}) => buildSite({root, store, checkReports})
  };
}

export interface ServedSite {
  project: SiteProject;
  site: Served;
  browser: Browser;
  /** Close the browser and stop the server. */
  close(): Promise<void>;
}

/**
 * What most browser tests start with: `store` built into a throwaway
 * project (after `prepare`, e.g. scaffolding a report), served on loopback,
 * and Chromium launched.
 */
export async function servedSite(store: Store, prepare?: (project: SiteProject) => Promise<void>): Promise<ServedSite> {
  const project = siteProject();
  await prepare?.(project);
  await project.build(store);
  const site = await serve(project.dist);
  const browser = await launch();
  return {project, site, browser, close: async () => void (await Promise.all([browser.close(), site.close()]))};
}
