/**
 * Store → static site: export the store into src/data/, then run
 * Framework's build. Exported files are static (content-hashed on every
 * build), so a build after an import always shows the new data; no loader
 * cache is involved. Framework's own cache (src/.observablehq/cache) is left
 * alone: its _npm folder holds version pins the offline build relies on.
 */
import {createRequire} from "node:module";
import {dirname, join, resolve} from "node:path";
import {$} from "zx";
import {exportStore, type ExportSummary} from "../export/export.js";
import type {Store} from "../store/store.js";

export interface BuildOptions {
  /** Project root: holds observablehq.config.ts and src/. */
  root: string;
  store: Store;
  /** Progress lines (stdout for the CLI, nothing in tests). */
  log?: (line: string) => void;
}

export interface BuildSummary {
  export: ExportSummary;
  exportSeconds: number;
  buildSeconds: number;
}

function observableBin(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("@observablehq/framework/package.json")), "dist/bin/observable.js");
}

export async function buildSite({root, store, log = () => {}}: BuildOptions): Promise<BuildSummary> {
  const t0 = performance.now();
  const summary = await exportStore(store, resolve(root, "src/data"));
  const t1 = performance.now();
  log(`exported ${summary.rows} results from ${summary.runs} runs in ${((t1 - t0) / 1000).toFixed(2)} s`);
  const output = await $({cwd: root, env: {...process.env, OBSERVABLE_TELEMETRY_DISABLE: "1"}, quiet: true, nothrow: true})`${process.execPath} ${observableBin()} build`;
  if (output.exitCode !== 0) throw new Error(`observable build failed (exit ${output.exitCode}):\n${output.stderr || output.stdout}`);
  const t2 = performance.now();
  log(`built the site in ${((t2 - t1) / 1000).toFixed(2)} s`);
  return {export: summary, exportSeconds: (t1 - t0) / 1000, buildSeconds: (t2 - t1) / 1000};
}
