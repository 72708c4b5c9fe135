/**
 * Store → static site: export into src/data/, then Framework's build. Framework's cache is left alone: its _npm
 * folder holds the version pins the offline build relies on.
 */
import {existsSync, readFileSync} from "node:fs";
import {createRequire} from "node:module";
import {dirname, join, resolve} from "node:path";
import {$} from "zx";
import {exportStore, type ExportSummary} from "../export/export.js";
import type {Store} from "../store/store.js";
import {InputError} from "../document/read.js";
import {checkReports, type CellFailure} from "./claims.js";
import {expandPages} from "./expand-pages.js";

/** Report cells that failed in the built site (a claim that matches no row): the build fails naming each. */
export class ReportError extends InputError {
  constructor(readonly failures: CellFailure[]) {
    super(
      failures[0].file,
      failures[0].line,
      `${failures[0].message}${
        failures.length > 1
          ? `\n${failures
              .slice(1)
              .map((f) => `${f.file}: line ${f.line}: ${f.message}`)
              .join("\n")}`
          : ""
      }\n(a report claim that resolves to nothing fails the build)`
    );
    this.name = "ReportError";
  }
}

export interface BuildOptions {
  /** Project root: holds observablehq.config.ts and src/. */
  root: string;
  store: Store;
  /** Progress lines (stdout for the CLI, nothing in tests). */
  log?: (line: string) => void;
  /** Publish absolute local paths as they are (`build --keep-paths`). */
  keepPaths?: boolean;
  /** Open every built report in Chromium and fail on a claim that resolves to nothing (claims.ts). */
  checkReports?: boolean;
}

export interface BuildSummary {
  export: ExportSummary;
  exportSeconds: number;
  buildSeconds: number;
}

/** Framework's CLI (build, preview), run with this Node. */
export function observableBin(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("@observablehq/framework/package.json")), "dist/bin/observable.js");
}

export async function buildSite({
  root,
  store,
  log = () => {},
  keepPaths = false,
  checkReports: check = true
}: BuildOptions): Promise<BuildSummary> {
  const t0 = performance.now();
  const summary = await exportStore(store, resolve(root, "src/data"), {keepPaths});
  const t1 = performance.now();
  log(`exported ${summary.rows} results from ${summary.runs} runs in ${((t1 - t0) / 1000).toFixed(2)} s`);
  await buildPages(root);
  const t2 = performance.now();
  log(`built the site in ${((t2 - t1) / 1000).toFixed(2)} s`);
  const {CHROMIUM} = await import("./browser.js");
  // The check needs a browser; a build without one still builds, and says what it did not check.
  if (check && !existsSync(CHROMIUM))
    log(
      `report claims not checked: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set BENCHBOOK_CHROMIUM)`
    );
  const failures = check && existsSync(CHROMIUM) ? await checkReports(root) : [];
  if (failures.length) throw new ReportError(failures);
  return {export: summary, exportSeconds: (t1 - t0) / 1000, buildSeconds: (t2 - t1) / 1000};
}

/**
 * Framework's build of the exported data in `root`, then the run and
 * raw-input pages it did not render (see expand-pages.ts); returns how many
 * were written. `expand: false` has Framework render every page (slow: the
 * reference the expansion is tested against).
 */
export async function buildPages(root: string, {expand = true}: {expand?: boolean} = {}): Promise<number> {
  const env: NodeJS.ProcessEnv = {...process.env, OBSERVABLE_TELEMETRY_DISABLE: "1"};
  if (expand) env.BENCHBOOK_EXPAND_PAGES = "1";
  else delete env.BENCHBOOK_EXPAND_PAGES;
  const output = await $({cwd: root, env, quiet: true, nothrow: true})`${process.execPath} ${observableBin()} build`;
  if (output.exitCode !== 0)
    throw new Error(`observable build failed (exit ${output.exitCode}):\n${output.stderr || output.stdout}`);
  return expand ? writeParameterizedPages(root) : 0;
}

/** The run and raw-input pages after the first of each, written from the one Framework rendered (the same lists as observablehq.config.ts). */
function writeParameterizedPages(root: string): number {
  const manifest = JSON.parse(readFileSync(join(root, "src/data/manifest.json"), "utf8")) as {
    inputs: string[];
    writeups?: string[];
    run_ids?: string[];
  };
  const src = join(root, "src");
  const dist = join(root, "dist");
  return (
    expandPages(src, dist, {
      dir: "sources",
      values: [...manifest.inputs, ...(manifest.writeups ?? [])],
      file: (sha) => `data/raw/${sha}.txt`
    }) + expandPages(src, dist, {dir: "runs", values: manifest.run_ids ?? [], file: (id) => `data/runs/${id}.json`})
  );
}
