/**
 * The store benchmark: a synthetic store of llama-bench results, then import
 * throughput, export ("loader") time, Parquet bytes per row, and site build time.
 *
 * Sizes: `records` llama-bench JSONL records, each of which becomes two stored
 * values (throughput in tok/s and the duration of one repetition in ns).
 * The default, 500,000 records, makes a store of 1,000,000 results.
 */
import {readFileSync, rmSync, statSync} from "node:fs";
import {join} from "node:path";
import {exportStore} from "../scripts/export/export.js";
import {importInputs} from "../scripts/import/import.js";
import {buildSite} from "../scripts/site/build.js";
import {Store} from "../scripts/store/store.js";
import {siteProject} from "../test/helpers/site.js";
import {tempDir} from "../test/helpers/cli.js";
import {writeSyntheticJsonl} from "./synthetic.js";

export interface StoreFigures {
  records: number;
  results: number;
  jsonl_mb: number;
  import_s: number;
  import_mb_per_s: number;
  import_results_per_s: number;
  store_mb: number;
  export_s: number;
  parquet_bytes: number;
  parquet_bytes_per_row: number;
  csv_bytes: number;
  build_s: number;
}

export async function storeBenchmark({records = 500_000, perFile = 1000, log = console.error}: {records?: number; perFile?: number; log?: (s: string) => void} = {}): Promise<StoreFigures> {
  const work = tempDir("benchbook-perf-");
  try {
    log(`generating ${records} llama-bench JSONL records…`);
    const synthetic = writeSyntheticJsonl(join(work, "jsonl"), Math.ceil(records / perFile), perFile);
    const store = new Store(join(work, "data"));
    log(`importing ${(synthetic.bytes / 1e6).toFixed(0)} MB of JSONL…`);
    let t = performance.now();
    let results = 0;
    for (const file of synthetic.files) {
      for (const outcome of importInputs([{name: file, bytes: readFileSync(file)}], {store})) {
        if (outcome.status !== "imported") throw new Error(`${file}: ${outcome.status}`);
        results += outcome.runs.reduce((n, r) => n + r.results.length, 0);
      }
    }
    const import_s = (performance.now() - t) / 1000;
    const store_mb = store.inputs().reduce((n, sha) => n + statSync(store.runsPath(sha)).size, 0) / 1e6;
    log(`exporting ${results} results…`);
    const project = siteProject();
    t = performance.now();
    const summary = await exportStore(store, join(project.root, "src/data"));
    const export_s = (performance.now() - t) / 1000;
    log("building the site…");
    const build = await buildSite({root: project.root, store});
    rmSync(project.root, {recursive: true, force: true});
    return {
      records: synthetic.records,
      results,
      jsonl_mb: synthetic.bytes / 1e6,
      import_s,
      import_mb_per_s: synthetic.bytes / 1e6 / import_s,
      import_results_per_s: results / import_s,
      store_mb,
      export_s,
      parquet_bytes: summary.parquetBytes,
      parquet_bytes_per_row: summary.parquetBytes / summary.rows,
      csv_bytes: summary.csvBytes,
      build_s: build.exportSeconds + build.buildSeconds
    };
  } finally {
    rmSync(work, {recursive: true, force: true});
  }
}
