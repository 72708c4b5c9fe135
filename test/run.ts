/**
 * Runs the test suite with node:test, tier by tier:
 *   unit         formats, store, CLI, components (fast, no network, no binaries)
 *   integration  real DuckDB, a real site build (test/integration)
 *   browser      the built site in headless Chromium (test/browser)
 *   tools        real llama.cpp binaries built for CPU (test/tools)
 *   fuzz         property tests on mutated real fixtures, kill -9 and concurrent writers (test/fuzz)
 *
 *   node --import tsx test/run.ts [tier…] [--only PATTERN]
 *
 * Browser test files each build a site and drive their own Chromium: they run
 * side by side, BENCHBOOK_TEST_JOBS at a time (default: the machine's cores,
 * at least 2; node:test alone would run one at a time on 2 cores).
 */
import {spawnSync} from "node:child_process";
import {readdirSync} from "node:fs";
import {availableParallelism} from "node:os";
import {join, relative} from "node:path";

const TIERS = ["unit", "integration", "browser", "tools", "fuzz"] as const;
type Tier = (typeof TIERS)[number];

function tierOf(file: string): Tier {
  const top = relative("test", file).split("/")[0];
  return (TIERS as readonly string[]).includes(top) && top !== "unit" ? (top as Tier) : "unit";
}

function testFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "fixtures" || entry.name === "helpers" ? [] : testFiles(path);
    return entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

function browserJobs(files: number): number {
  const asked = Number(process.env.BENCHBOOK_TEST_JOBS);
  return Math.min(files, Number.isInteger(asked) && asked > 0 ? asked : Math.max(2, availableParallelism()));
}

const args = process.argv.slice(2);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : null;
const tiers = args.filter((a, i) => (TIERS as readonly string[]).includes(a) && args[i - 1] !== "--only") as Tier[];
const wanted = new Set(tiers.length ? tiers : TIERS);
let failed = false;
for (const tier of TIERS) {
  if (!wanted.has(tier)) continue;
  const files = testFiles("test")
    .filter((f) => tierOf(f) === tier && (!only || f.includes(only)))
    .sort();
  if (files.length === 0) continue;
  console.log(`\n── ${tier} (${files.length} files) ──`);
  const jobs = tier === "browser" ? [`--test-concurrency=${browserJobs(files.length)}`] : [];
  const result = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", ...jobs, ...files], {
    stdio: "inherit",
    env: {...process.env, TZ: "UTC", OBSERVABLE_TELEMETRY_DISABLE: "1"}
  });
  if (result.status !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
