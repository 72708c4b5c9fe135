/**
 * `benchbook compare` against llama.cpp's scripts/compare-llama-bench.py on
 * the same records, side by side, plus `list` and the CLI's start.
 *
 * The records (issue 13): the 24 records of one real llama-bench `-o jsonl`
 * line (test/fixtures/captured/cpu/llama-bench-jsonl.stdout) made into
 * pp512/tg128 at depths 0/4096/16384, flash attention off/on and two
 * quantizations, copied for `models` model file names (default 2,000) and
 * two build commits, avg_ts (and its samples) scaled by a seeded uniform
 * factor in [0.9, 1.1]: 96,000 records and 192,000 stored results at the
 * default size. benchbook imports them first, one JSONL file per build
 * (timed: MB/s of one large file, the index built with it). Then,
 * alternating, `repeat` times each:
 * compare-llama-bench.py on the records in one JSONL file, and
 * `benchbook compare build_commit=aaaaaaa build_commit=bbbbbbb --by
 * model,test,flash_attn`, both printing a pipe table; wall time and peak
 * RSS from /usr/bin/time. Their 24 Speedup cells must be the same.
 * Then `list` and `export` of the store (export once, and once with the
 * baseline), and the CLI's start.
 */
import {spawnSync} from "node:child_process";
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";

const REPO = join(import.meta.dirname, "..");
const BIN = join(REPO, "bin/benchbook.js");
/**
 * Another checkout's bin/benchbook.js (e.g. main's, `git worktree add`), run
 * on the same store alternating with this one's: a baseline measured side by
 * side in the same run.
 */
export const BASELINE_BIN = process.env.BENCHBOOK_PERF_BASELINE || null;
const BUILDS = ["aaaaaaa", "bbbbbbb"];
const QUANTS = [
  ["Q4_0", 0.62],
  ["Q8_0", 1.0]
] as const;
const TESTS = [
  [512, 0],
  [0, 128]
] as const;
const DEPTHS = [0, 4096, 16384];

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A JSONL file of models × 24 records per build, from a real llama-bench
 * record, and one with both (compare-llama-bench.py reads one JSONL input;
 * benchbook reads a JSONL of two builds as one run of the first, so it
 * imports the two files).
 */
export function writeCompareJsonl(dir: string, models: number, seed = 13): {builds: string[]; both: string} {
  const files = compareJsonl(models, seed);
  mkdirSync(dir, {recursive: true});
  const builds = BUILDS.map((build) => join(dir, `llama-bench-${build}.jsonl`));
  builds.forEach((path, b) => writeFileSync(path, files[b]));
  writeFileSync(join(dir, "llama-bench.jsonl"), files.join(""));
  return {builds, both: join(dir, "llama-bench.jsonl")};
}

/**
 * The first build's records as llama-bench `-o csv` prints them: a header,
 * then every value quoted, booleans as 0/1, no sample lists.
 */
export function compareCsv(models: number, seed = 13): string {
  const records = compareJsonl(models, seed, 1)[0]
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const fields = Object.keys(records[0]).filter((field) => !Array.isArray(records[0][field]));
  const cell = (v: unknown) => `"${typeof v === "boolean" ? Number(v) : String(v).replace(/"/g, '""')}"`;
  return [fields.join(","), ...records.map((r) => fields.map((f) => cell(r[f])).join(","))].join("\n") + "\n";
}

/** The text of each build's JSONL file (`builds` of them, the first build's first). */
export function compareJsonl(models: number, seed = 13, builds = BUILDS.length): string[] {
  const template = JSON.parse(
    readFileSync(join(REPO, "test/fixtures/captured/cpu/llama-bench-jsonl.stdout"), "utf8").split("\n")[0]
  ) as Record<string, unknown>;
  const random = prng(seed);
  return BUILDS.slice(0, builds).map((build, b) => {
    const lines: string[] = [];
    for (let m = 0; m < models; m++) {
      for (const [quant, speed] of QUANTS) {
        for (const fa of [0, 1]) {
          for (const [n_prompt, n_gen] of TESTS) {
            for (const n_depth of DEPTHS) {
              const base = (n_prompt ? 2400 : 48) * speed * (fa ? 1.08 : 1) * (1 - n_depth / 40000);
              const factor = 0.9 + 0.2 * random();
              const samples = [0.99, 1.0, 1.01].map((s) => +(base * factor * s).toFixed(6));
              const avg = samples.reduce((x, y) => x + y, 0) / samples.length;
              const tokens = n_prompt + n_gen;
              lines.push(
                JSON.stringify({
                  ...template,
                  build_commit: build,
                  build_number: b + 1,
                  model_filename: `/models/model-${String(m).padStart(4, "0")}-${quant}.gguf`,
                  model_type: `llama 1B ${quant}`,
                  flash_attn: fa,
                  n_prompt,
                  n_gen,
                  n_depth,
                  avg_ns: Math.round((tokens / avg) * 1e9),
                  stddev_ns: Math.round((tokens / avg) * 1e7),
                  avg_ts: +avg.toFixed(6),
                  stddev_ts: +(avg * 0.01).toFixed(6),
                  samples_ns: samples.map((s) => Math.round((tokens / s) * 1e9)),
                  samples_ts: samples
                })
              );
            }
          }
        }
      }
    }
    return lines.join("\n") + "\n";
  });
}

export interface Timed {
  seconds: number;
  /** User + system CPU seconds: less swayed than wall time by other processes on a busy machine. */
  cpu: number;
  rssMb: number;
  stdout: string;
}

/** A command's wall time and peak RSS (GNU time). */
export function timed(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Timed {
  const out = join(cwd, ".time");
  const run = spawnSync("/usr/bin/time", ["-f", "%e %M %U %S", "-o", out, command, ...args], {
    cwd,
    encoding: "utf8",
    maxBuffer: 1 << 28,
    env: {...process.env, NODE_OPTIONS: "", ...env}
  });
  if (run.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${run.status}): ${run.stderr}`);
  const [seconds, kb, user, system] = readFileSync(out, "utf8").trim().split("\n").at(-1)!.split(" ").map(Number);
  return {seconds, cpu: +(user + system).toFixed(2), rssMb: kb / 1024, stdout: run.stdout};
}

/** Speedup cells of a pipe table by model, test and flash attention (compare-llama-bench writes "pp512@d4096", benchbook "pp512 @ d4096"). */
function speedups(table: string): Map<string, string> {
  const lines = table.split("\n").filter((l) => l.startsWith("|"));
  const cells = (l: string) =>
    l
      .slice(1, -1)
      .split("|")
      .map((c) => c.trim());
  const header = cells(lines[0]);
  const column = (...names: string[]) => header.findIndex((h) => names.includes(h));
  const [model, test, fa, speedup] = [
    column("Model", "model"),
    column("Test"),
    column("FlashAttention", "flash_attn", "FA"),
    column("Speedup", "B/A")
  ];
  const map = new Map<string, string>();
  for (const line of lines.slice(2)) {
    const c = cells(line);
    const flash = ["1", "Yes", "on", "true"].includes(c[fa]) ? "1" : "0";
    map.set(`${c[model].replace(/\s+/g, " ")}|${c[test].replace(/\s+/g, "")}|${flash}`, c[speedup]);
  }
  return map;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function compareBenchmark({
  models = 2000,
  repeat = 3,
  log = console.error
}: {models?: number; repeat?: number; log?: (s: string) => void} = {}): Promise<Record<string, unknown>> {
  const script = join(process.env.HOME ?? "", ".cache/benchbook/llama.cpp-3.22.1/src/scripts/compare-llama-bench.py");
  if (!existsSync(script)) throw new Error(`no ${script}: run scripts/llama/build-cpu.sh first`);
  // Outside any git repository: the script then takes the builds from -b and -c.
  const work = mkdtempSync(join(tmpdir(), "benchbook-perf-compare-"));
  try {
    const files = writeCompareJsonl(work, models);
    const store = join(work, "store");
    // One large JSONL per build, imported one by one as `benchbook import` does (the store's index included).
    log(`${models * 48} records; importing`);
    const imports = files.builds.map((file) => ({
      mb: statSync(file).size / 1e6,
      ...timed(process.execPath, [BIN, "import", file, "--store", store], work)
    }));
    const theirsArgs = [
      script,
      "-t",
      "llama-bench",
      "-i",
      files.both,
      "-b",
      BUILDS[0],
      "-c",
      BUILDS[1],
      "-s",
      "model_type,flash_attn",
      "-o",
      "pipe"
    ];
    const oursArgs = [
      BIN,
      "compare",
      `build_commit=${BUILDS[0]}`,
      `build_commit=${BUILDS[1]}`,
      "--by",
      "model,test,flash_attn",
      "--markdown",
      "--store",
      store
    ];
    const runs: {theirs: Timed; ours: Timed; baseline: Timed | null}[] = [];
    const said = (t: Timed) => `${t.seconds} s (${t.cpu} CPU s) ${t.rssMb.toFixed(0)} MB`;
    for (let i = 0; i < repeat; i++) {
      const theirs = timed("/usr/bin/python3", theirsArgs, work);
      const ours = timed(process.execPath, oursArgs, work);
      const baseline = BASELINE_BIN ? timed(process.execPath, [BASELINE_BIN, ...oursArgs.slice(1)], work) : null;
      log(
        `compare-llama-bench.py ${said(theirs)}; benchbook compare ${said(ours)}${baseline ? `; baseline ${said(baseline)}` : ""}`
      );
      runs.push({theirs, ours, baseline});
    }
    const [a, b] = [speedups(runs[0].theirs.stdout), speedups(runs[0].ours.stdout)];
    const equal = [...a].filter(([key, value]) => b.get(key) === value).length;
    const list = [0, 1, 2].map(() => timed(process.execPath, [BIN, "list", "--store", store], work));
    // The export of this store of two builds: its history.json has a series for nearly every result (docs/performance.md).
    const exported = (bin: string) => {
      const t = timed(
        process.execPath,
        [bin, "export", "--store", store, "--out", join(work, "export"), "--json"],
        work
      );
      const summary = JSON.parse(t.stdout) as {cpuSeconds: Record<string, number>};
      return {
        seconds: t.seconds,
        cpu_seconds: t.cpu,
        rss_mb: Math.round(t.rssMb),
        history_cpu_seconds: summary.cpuSeconds.history
      };
    };
    const exports = [exported(BIN), ...(BASELINE_BIN ? [exported(BASELINE_BIN)] : [])];
    log(
      `benchbook export ${JSON.stringify(exports[0])}${exports[1] ? `; baseline ${JSON.stringify(exports[1])}` : ""}`
    );
    const start = (args: string[]) => [0, 1, 2].map(() => timed(process.execPath, args, work).seconds);
    const figures = {
      records: models * 48,
      results: models * 96,
      import_one_jsonl: imports.map((i) => ({
        mb: +i.mb.toFixed(1),
        seconds: i.seconds,
        cpu_seconds: i.cpu,
        mb_per_s: +(i.mb / i.seconds).toFixed(1),
        rss_mb: Math.round(i.rssMb)
      })),
      compare_llama_bench_py: {
        seconds: runs.map((r) => r.theirs.seconds),
        cpu_seconds: runs.map((r) => r.theirs.cpu),
        rss_mb: runs.map((r) => Math.round(r.theirs.rssMb))
      },
      benchbook_compare: {
        seconds: runs.map((r) => r.ours.seconds),
        cpu_seconds: runs.map((r) => r.ours.cpu),
        rss_mb: runs.map((r) => Math.round(r.ours.rssMb))
      },
      ...(BASELINE_BIN && {
        baseline: {
          bin: BASELINE_BIN,
          seconds: runs.map((r) => r.baseline!.seconds),
          cpu_seconds: runs.map((r) => r.baseline!.cpu),
          rss_mb: runs.map((r) => Math.round(r.baseline!.rssMb)),
          speedup_over_python: +(
            median(runs.map((r) => r.theirs.seconds)) / median(runs.map((r) => r.baseline!.seconds))
          ).toFixed(2),
          cpu_ratio_over_python: +(
            median(runs.map((r) => r.theirs.cpu)) / median(runs.map((r) => r.baseline!.cpu))
          ).toFixed(2)
        }
      }),
      speedup_over_python: +(
        median(runs.map((r) => r.theirs.seconds)) / median(runs.map((r) => r.ours.seconds))
      ).toFixed(2),
      cpu_ratio_over_python: +(median(runs.map((r) => r.theirs.cpu)) / median(runs.map((r) => r.ours.cpu))).toFixed(2),
      speedups: {theirs: a.size, ours: b.size, equal},
      list: {
        seconds: list.map((l) => l.seconds),
        cpu_seconds: list.map((l) => l.cpu),
        rss_mb: list.map((l) => Math.round(l.rssMb))
      },
      export: exports[0],
      ...(exports[1] && {baseline_export: exports[1]}),
      start: {
        node_e_0: start(["-e", "0"]),
        help: start([BIN, "--help"]),
        version: start([BIN, "--version"]),
        list_bundled_store: start([BIN, "list", "--store", join(REPO, "data")])
      }
    };
    if (equal !== a.size || a.size !== b.size)
      log(`speedups differ:\n${runs[0].theirs.stdout}\n${runs[0].ours.stdout}`);
    return figures;
  } finally {
    rmSync(work, {recursive: true, force: true});
  }
}
