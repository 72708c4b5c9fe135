/**
 * The store benchmark: a synthetic store of llama-bench results, then import
 * throughput, export ("loader") time, Parquet bytes per row, and site build time.
 *
 * Sizes: `records` llama-bench JSONL records (perf/synthetic.ts: one file per
 * llama-bench invocation, `perFile` records each), each of which becomes two
 * stored values — the throughput in tok/s (avg_ts) and the duration of one
 * repetition in ns (avg_ns). The default, 500,000 records in 500 files, makes
 * a store of 1,000,000 results.
 *
 * Import is timed twice, into two fresh stores, from files already in the
 * page cache (each input's bytes are read inside the timed part):
 *   - one by one on this thread (importInputs per file, what `benchbook
 *     import --jobs 1` does),
 *   - `benchbook import --jobs 2`'s path (scripts/import/pool.ts).
 * MB/s is megabytes (10^6) of JSONL per second of wall time; CPU seconds
 * (every thread of this process) are reported beside it.
 *
 * Export ("loader"): exportStore into a fresh src/data with its default
 * shards (2 worker threads on 2 cores), per phase
 * (scripts/export/export.ts ExportSummary.seconds). Build: export + Framework
 * build of the site (test/helpers/site.ts siteProject), each part reported.
 */
import {readFileSync, rmSync, statSync} from "node:fs";
import {availableParallelism} from "node:os";
import {join} from "node:path";
import {exportStore} from "../scripts/export/export.js";
import {importInputs} from "../scripts/import/import.js";
import {importInputsPooled} from "../scripts/import/pool.js";
import {buildSite} from "../scripts/site/build.js";
import {Store} from "../scripts/store/store.js";
import {siteProject} from "../test/helpers/site.js";
import {tempDir} from "../test/helpers/cli.js";
import {writeSyntheticJsonl} from "./synthetic.js";
import {BASELINE_BIN, timed, type Timed} from "./compare.js";

const BIN = join(import.meta.dirname, "../bin/benchbook.js");

export interface StoreFigures {
  records: number;
  files: number;
  results: number;
  jsonl_mb: number;
  /** One by one on one thread. */
  import_s: number;
  import_cpu_s: number;
  import_mb_per_s: number;
  import_results_per_s: number;
  /** `--jobs 2` (worker pool). */
  import_jobs: number;
  import_pool_s: number;
  import_pool_cpu_s: number;
  import_pool_mb_per_s: number;
  import_pool_results_per_s: number;
  store_mb: number;
  export_s: number;
  export_cpu_s: number;
  export_phases_s: Record<string, number>;
  /** Shards the export read the store in (worker threads when more than one; export.ts exportJobs). */
  export_shards: number;
  parquet_bytes: number;
  parquet_bytes_per_row: number;
  classes_bytes: number;
  /** results.duckdb (the explorer's database); its wall time is export_phases_s.explorer. */
  explorer_bytes: number;
  explorer_cpu_s: number;
  classes: number;
  csv_bytes: number;
  /** Export (again, in the site project) plus Framework's build. */
  build_s: number;
  build_export_s: number;
  build_framework_s: number;
  /** Pages Framework renders per input and per run (sources/<sha>, runs/<id>). */
  dynamic_pages: number;
  /**
   * Reads of this store through the CLI (its index, scripts/query/): `benchbook
   * reindex` once, then `list`, `compare` (a tenth of the results on each side)
   * and `export`, each with wall and CPU seconds and peak RSS, and the same
   * commands of the baseline's CLI (BENCHBOOK_PERF_BASELINE) alternating with them.
   */
  reads: Record<string, CliFigures>;
}

interface CliFigures {
  seconds: number[];
  cpu_seconds: number[];
  rss_mb: number[];
}

function cliFigures(runs: Timed[]): CliFigures {
  return {
    seconds: runs.map((r) => r.seconds),
    cpu_seconds: runs.map((r) => r.cpu),
    rss_mb: runs.map((r) => Math.round(r.rssMb))
  };
}

/** `benchbook reindex`, then list, compare and export at this size (and the baseline's, alternating). */
function cliReads(store: string, work: string, log: (s: string) => void): Record<string, CliFigures> {
  const commands: Record<string, {args: string[]; repeat: number}> = {
    list: {args: ["list", "--store", store], repeat: 3},
    compare: {
      args: ["compare", "n_ubatch=512", "n_ubatch=1024", "--by", "model_label,test", "--markdown", "--store", store],
      repeat: 3
    },
    export: {args: ["export", "--store", store, "--out", join(work, "cli-export")], repeat: 1}
  };
  const reads: Record<string, Timed[]> = {};
  const run = (name: string, bin: string, args: string[]) => {
    const t = timed(process.execPath, [bin, ...args], work);
    log(`${name}: ${t.seconds} s, ${t.cpu} CPU s, ${t.rssMb.toFixed(0)} MB`);
    (reads[name] ??= []).push(t);
  };
  log("indexing the store (benchbook reindex)…");
  run("reindex", BIN, ["reindex", "--store", store]);
  for (const [name, {args, repeat}] of Object.entries(commands)) {
    for (let i = 0; i < repeat; i++) {
      run(name, BIN, args);
      if (BASELINE_BIN) run(`${name}_baseline`, BASELINE_BIN, args);
    }
  }
  rmSync(join(work, "cli-export"), {recursive: true, force: true});
  return Object.fromEntries(Object.entries(reads).map(([name, runs]) => [name, cliFigures(runs)]));
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};

export async function storeBenchmark({
  records = 500_000,
  perFile = 1000,
  jobs = Math.min(2, availableParallelism()),
  log = console.error
}: {records?: number; perFile?: number; jobs?: number; log?: (s: string) => void} = {}): Promise<StoreFigures> {
  const work = tempDir("benchbook-perf-");
  const project = siteProject();
  try {
    log(`generating ${records} llama-bench JSONL records…`);
    const synthetic = writeSyntheticJsonl(join(work, "jsonl"), Math.ceil(records / perFile), perFile);
    const mb = synthetic.bytes / 1e6;
    // Warm the page cache, so both imports read from memory.
    for (const file of synthetic.files) readFileSync(file);

    log(`importing ${mb.toFixed(0)} MB of JSONL one by one…`);
    const single = new Store(join(work, "data-single"));
    let t = performance.now();
    let cpu = process.cpuUsage();
    let results = 0;
    for (const file of synthetic.files) {
      for (const outcome of importInputs([{name: file, bytes: readFileSync(file)}], {store: single})) {
        if (outcome.status !== "imported") throw new Error(`${file}: ${outcome.status}`);
        results += outcome.runs.reduce((n, r) => n + r.results.length, 0);
      }
    }
    const import_s = (performance.now() - t) / 1000;
    const import_cpu_s = cpuSeconds(cpu);
    rmSync(single.root, {recursive: true, force: true});

    log(`importing ${mb.toFixed(0)} MB of JSONL with --jobs ${jobs}…`);
    const store = new Store(join(work, "data"));
    t = performance.now();
    cpu = process.cpuUsage();
    const outcomes = await importInputsPooled(
      synthetic.files.map((file) => ({name: file, bytes: readFileSync(file)})),
      {store, jobs}
    );
    const import_pool_s = (performance.now() - t) / 1000;
    const import_pool_cpu_s = cpuSeconds(cpu);
    const failed = outcomes.find((o) => o.status !== "imported");
    if (failed) throw new Error(`${failed.name}: ${failed.status}`);
    const store_mb = store.inputs().reduce((n, sha) => n + statSync(store.runsPath(sha)).size, 0) / 1e6;

    const reads = cliReads(store.root, work, log);

    log(`exporting ${results} results…`);
    const out = join(work, "export");
    t = performance.now();
    cpu = process.cpuUsage();
    const summary = await exportStore(store, out);
    const export_s = (performance.now() - t) / 1000;
    const export_cpu_s = cpuSeconds(cpu);

    log("building the site…");
    // The bundled reports' claims are about the bundled store, not this synthetic one: their check is not timed here.
    const build = await buildSite({root: project.root, store, checkReports: false});
    return {
      records: synthetic.records,
      files: synthetic.files.length,
      results,
      jsonl_mb: round(mb, 1),
      import_s: round(import_s),
      import_cpu_s: round(import_cpu_s),
      import_mb_per_s: round(mb / import_s, 1),
      import_results_per_s: Math.round(results / import_s),
      import_jobs: jobs,
      import_pool_s: round(import_pool_s),
      import_pool_cpu_s: round(import_pool_cpu_s),
      import_pool_mb_per_s: round(mb / import_pool_s, 1),
      import_pool_results_per_s: Math.round(results / import_pool_s),
      store_mb: round(store_mb, 1),
      export_s: round(export_s),
      export_cpu_s: round(export_cpu_s),
      export_phases_s: Object.fromEntries(Object.entries(summary.seconds).map(([k, v]) => [k, round(v)])),
      export_shards: summary.shards,
      parquet_bytes: summary.parquetBytes,
      parquet_bytes_per_row: round(summary.parquetBytes / summary.rows, 1),
      classes_bytes: summary.classesBytes,
      explorer_bytes: summary.explorerBytes,
      explorer_cpu_s: round(summary.cpuSeconds.explorer),
      classes: summary.classes,
      csv_bytes: summary.csvBytes,
      build_s: round(build.exportSeconds + build.buildSeconds),
      build_export_s: round(build.exportSeconds),
      build_framework_s: round(build.buildSeconds),
      dynamic_pages: summary.inputs + summary.runs,
      reads
    };
  } finally {
    rmSync(work, {recursive: true, force: true});
    rmSync(project.root, {recursive: true, force: true});
  }
}
