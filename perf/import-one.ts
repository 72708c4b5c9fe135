/**
 * `benchbook import` of ONE large llama-bench JSONL or CSV file (one build, so one run) through the CLI, index
 * included: the fast path and the general path (BENCHBOOK_IMPORT_FAST_PATH=0) alternated, each into a fresh store,
 * from perf/compare.ts's records. Wall, CPU and peak RSS from GNU time; load average before and after each size.
 */
import {mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from "node:fs";
import {loadavg, tmpdir} from "node:os";
import {join} from "node:path";
import {compareCsv, compareJsonl, timed, type Timed} from "./compare.js";

const BIN = join(import.meta.dirname, "..", "bin/benchbook.js");
/** Bytes of one model file's 24 records in compareJsonl's and compareCsv's output (42,451,481 and 15,142,656 for 2,000). */
const BYTES_PER_MODEL = {jsonl: 21_226, csv: 7_571};

const PATHS = {general: "0", fast: "1"} as const;
type Path = keyof typeof PATHS;

const load = () => loadavg().map((l) => +l.toFixed(2));

function runsFile(store: string): string {
  const dir = join(store, "runs");
  return readFileSync(join(dir, readdirSync(dir)[0]), "utf8").replace(/"imported_at": "[^"]*"/g, '"imported_at": ""');
}

export async function importOneBenchmark({
  sizesMb = [42.5, 100],
  csvMb = [42.5],
  repeat = 2,
  log = console.error
}: {
  sizesMb?: number[];
  /** Sizes of a llama-bench CSV file to import the same way. */
  csvMb?: number[];
  repeat?: number;
  log?: (s: string) => void;
} = {}): Promise<Record<string, unknown>> {
  const work = mkdtempSync(join(tmpdir(), "benchbook-perf-import-one-"));
  try {
    // The compiled CLI is rebuilt after an edit: not inside a timed run.
    timed(process.execPath, [BIN, "--version"], work);
    const sizes = [];
    const files = [
      ...sizesMb.map((mb) => ({mb, format: "jsonl" as const})),
      ...csvMb.map((mb) => ({mb, format: "csv" as const}))
    ];
    for (const {mb, format} of files) {
      const models = Math.round((mb * 1e6) / BYTES_PER_MODEL[format]);
      const file = join(work, `llama-bench-${models}.${format}`);
      writeFileSync(file, format === "csv" ? compareCsv(models) : compareJsonl(models, 13, 1)[0]);
      const size = statSync(file).size / 1e6;
      const started = {date: new Date().toISOString(), load: load()};
      const runs: Record<Path, Timed[]> = {general: [], fast: []};
      let same = true;
      for (let i = 0; i < repeat; i++) {
        for (const path of Object.keys(PATHS) as Path[]) {
          const store = join(work, `store-${path}`);
          rmSync(store, {recursive: true, force: true});
          const run = timed(process.execPath, [BIN, "import", file, "--store", store], work, {
            BENCHBOOK_IMPORT_FAST_PATH: PATHS[path]
          });
          log(
            `${size.toFixed(1)} MB ${format}, ${path} path: ${run.seconds} s (${run.cpu} CPU s), ${(size / run.seconds).toFixed(1)} MB/s, peak RSS ${run.rssMb.toFixed(0)} MB`
          );
          runs[path].push(run);
        }
        if (i === 0) same = runsFile(join(work, "store-general")) === runsFile(join(work, "store-fast"));
      }
      const figures = (path: Path) => ({
        seconds: runs[path].map((r) => r.seconds),
        cpu_seconds: runs[path].map((r) => r.cpu),
        mb_per_s: runs[path].map((r) => +(size / r.seconds).toFixed(1)),
        mb_per_cpu_s: runs[path].map((r) => +(size / r.cpu).toFixed(1)),
        rss_mb: runs[path].map((r) => Math.round(r.rssMb))
      });
      sizes.push({
        format,
        mb: +size.toFixed(1),
        records: models * 24,
        results: models * 48,
        started,
        ended: {date: new Date().toISOString(), load: load()},
        general: figures("general"),
        fast: figures("fast"),
        runs_files_equal_but_imported_at: same
      });
      rmSync(file, {force: true});
    }
    return {sizes};
  } finally {
    rmSync(work, {recursive: true, force: true});
  }
}
