/**
 * `npm run perf`: benchmarks, not tests. Prints figures (and writes them as
 * JSON with --out FILE); docs/performance.md records them with the machine
 * they were measured on. Nothing here passes or fails on a time.
 *
 *   npm run perf                       # everything, full size
 *   npm run perf -- store --records 50000
 *   npm run perf -- --only store,log
 *   npm run perf -- compare --models 200 --repeat 1
 *   npm run perf -- import-one --sizes-mb 42.5,100 --csv-mb 42.5 --repeat 2
 */
import {cpus, totalmem} from "node:os";
import {writeFileSync} from "node:fs";
import {minimist} from "zx";
import {storeBenchmark} from "./store.js";

interface Benchmark {
  name: string;
  about: string;
  run(args: minimist.ParsedArgs): Promise<Record<string, unknown>>;
}

/** Benchmarks live in their own modules; a module that is not there yet is skipped with a note. */
async function optional(
  path: string,
  exportName: string,
  args: (a: minimist.ParsedArgs) => unknown
): Promise<Benchmark["run"]> {
  return async (a) => {
    const module = (await import(path)) as Record<string, (options: unknown) => Promise<Record<string, unknown>>>;
    return module[exportName](args(a));
  };
}

const BENCHMARKS: Benchmark[] = [
  {
    name: "store",
    about:
      "synthetic llama-bench store (default 500,000 JSONL records = 1,000,000 results): import MB/s and results/s, export (loader) time, Parquet bytes per row, site build time",
    run: (a) => storeBenchmark({records: Number(a.records ?? 500_000)}) as unknown as Promise<Record<string, unknown>>
  },
  {
    name: "compare",
    about:
      "benchbook compare against llama.cpp's compare-llama-bench.py on the same llama-bench records (default 2,000 model files × 24 records × 2 builds = 96,000), list, export, and the CLI's start",
    run: await optional("./compare.js", "compareBenchmark", (a) => ({
      models: Number(a.models ?? 2000),
      repeat: Number(a.repeat ?? 3)
    }))
  },
  {
    name: "import-one",
    about:
      "import of ONE large llama-bench JSONL file (one run; default 42.5 and 100 MB) and CSV file (42.5 MB) through the CLI, the fast path and the general path alternated: MB/s, CPU s, peak RSS",
    run: await optional("./import-one.js", "importOneBenchmark", (a) => ({
      sizesMb: String(a["sizes-mb"] ?? "42.5,100")
        .split(",")
        .map(Number),
      csvMb: String(a["csv-mb"] ?? "42.5")
        .split(",")
        .filter(Boolean)
        .map(Number),
      repeat: Number(a.repeat ?? 2)
    }))
  },
  {
    name: "log",
    about: "streaming import of a large vLLM server log (default 1 GB): MB/s and peak RSS",
    run: await optional("./log-import.js", "logImportBenchmark", (a) => ({sizeMb: Number(a["size-mb"] ?? 1024)}))
  },
  {
    name: "redaction",
    about:
      "secret redaction's cost: every real fixture and a real llama-server log repeated to 16 MB, read with and without redaction, side by side",
    run: await optional("./redaction.js", "redactionBenchmark", (a) => ({
      repeat: Number(a.repeat ?? 5),
      logMb: Number(a["log-mb"] ?? 16)
    }))
  },
  {
    name: "endpoint",
    about: "endpoint client overhead and accuracy against a local server streaming at a known rate",
    run: await optional("./endpoint-client.js", "endpointClientBenchmark", () => ({}))
  },
  {
    name: "site",
    about: "time to first chart and filter latency on each page with the 1,000,000-result store, headless Chromium",
    run: await optional("./site.js", "siteBenchmark", (a) => ({records: Number(a.records ?? 500_000)}))
  }
];

const args = minimist(process.argv.slice(2), {
  string: ["only", "out", "records", "size-mb", "sizes-mb", "csv-mb", "models", "repeat", "log-mb"]
});
const wanted = new Set([
  ...args._.map(String),
  ...String(args.only ?? "")
    .split(",")
    .filter(Boolean)
]);
const figures: Record<string, unknown> = {
  machine: {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    memory_gib: Math.round(totalmem() / 2 ** 30),
    node: process.version
  },
  date: new Date().toISOString()
};
for (const benchmark of BENCHMARKS) {
  if (wanted.size && !wanted.has(benchmark.name)) continue;
  console.error(`\n── ${benchmark.name}: ${benchmark.about}`);
  try {
    figures[benchmark.name] = await benchmark.run(args);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ERR_MODULE_NOT_FOUND") throw error;
    figures[benchmark.name] = {skipped: (error as Error).message};
  }
  console.log(JSON.stringify({[benchmark.name]: figures[benchmark.name]}, null, 2));
}
if (args.out) writeFileSync(String(args.out), JSON.stringify(figures, null, 2) + "\n");
